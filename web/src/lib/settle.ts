import type { useFieldErrors } from './errors'

/** The form's own summary of field problems (shown above a form that has some). */
export const fixFieldsText = '请按提示修改后再提交'

/**
 * settle forgets a field's error once the applicant changes that field, and the summary above
 * the form with the last one: a stale "请按提示修改" over a form without marks misleads.
 */
export function settle(errors: ReturnType<typeof useFieldErrors>, field: string): void {
  errors.unset(field)
  if (errors.state.form === fixFieldsText && Object.keys(errors.state.fields).length === 0) errors.state.form = ''
}
