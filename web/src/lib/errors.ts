import { reactive } from 'vue'
import { ApiError } from '@/api/client'

/**
 * FieldErrors holds one message per form field plus one for the form as a whole, so that a
 * server's 422 with `field` lands under the field that caused it and anything else above the
 * form. Field names are the contract's JSON names.
 */
export function useFieldErrors() {
  const state = reactive<{ fields: Record<string, string>; form: string }>({ fields: {}, form: '' })
  return {
    state,
    clear() {
      state.fields = {}
      state.form = ''
    },
    set(field: string, message: string) {
      state.fields[field] = message
    },
    unset(field: string) {
      delete state.fields[field]
    },
    /** show puts err at its field when the server named one the form has, else on the form. */
    show(err: unknown, formFields: readonly string[] = []) {
      if (err instanceof ApiError && err.field && formFields.includes(err.field)) {
        state.fields[err.field] = err.message
      } else {
        state.form = messageOf(err)
      }
    },
    get hasAny() {
      return state.form !== '' || Object.keys(state.fields).length > 0
    },
  }
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.retryAfter && (err.code === 'QUOTA_EXCEEDED' || err.code === 'ACCOUNT_LOCKED')) {
      return `${err.message}（${waitText(err.retryAfter)}后可再试）`
    }
    return err.message
  }
  return '系统繁忙，请稍后重试'
}

/** waitText says a wait in seconds the way the site does: 约 15 分钟, 约 3 小时. */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} 秒`
  if (seconds < 3600) return `约 ${Math.ceil(seconds / 60)} 分钟`
  return `约 ${Math.ceil(seconds / 3600)} 小时`
}
