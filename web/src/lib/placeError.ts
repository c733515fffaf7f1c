import { watch } from 'vue'
import { ApiError, type ErrorCode } from '@/api/client'
import { messageOf, type useFieldErrors } from './errors'

type FieldErrors = ReturnType<typeof useFieldErrors>

/**
 * placeError shows a server error where the applicant will look for it: at the field the
 * server named (a 422), at the field a code belongs to although the server names none (a
 * wrong SMS code is CODE_INVALID without a field; a taken number is ACCOUNT_EXISTS), else
 * above the form. Waits (QUOTA_EXCEEDED) are spelt out either way.
 */
export function placeError(
  errors: FieldErrors,
  err: unknown,
  formFields: readonly string[],
  byCode: Partial<Record<ErrorCode, string>> = {},
): void {
  if (err instanceof ApiError) {
    const field = (err.field && formFields.includes(err.field) ? err.field : undefined) ?? byCode[err.code as ErrorCode]
    if (field) {
      errors.set(field, messageOf(err))
      return
    }
  }
  errors.show(err, formFields)
}

/**
 * clearOnEdit drops a field's error as soon as its value changes: the applicant is fixing it,
 * and the field's own check runs again on blur. Synchronous, so that a check that rewrites the
 * value (a number upper-cased on blur) and then reports sees its report kept.
 */
export function clearOnEdit(errors: FieldErrors, sources: Record<string, () => unknown>): void {
  for (const [field, source] of Object.entries(sources)) {
    watch(source, () => errors.unset(field), { flush: 'sync' })
  }
}
