import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { useFieldErrors } from './errors'
import { fixFieldsText, settle } from './settle'

describe('settle', () => {
  it('drops the summary with the last field error, not before', () => {
    const e = useFieldErrors()
    e.set('gender', '请选择性别')
    e.set('birthDate', '请选择出生日期')
    e.state.form = fixFieldsText
    settle(e, 'gender')
    expect(e.state.form).toBe(fixFieldsText)
    settle(e, 'birthDate')
    expect(e.state.form).toBe('')
  })

  it('keeps a server message that is not the summary', () => {
    const e = useFieldErrors()
    e.show(new ApiError(503, { code: 'SERVICE_UNAVAILABLE', message: '系统繁忙' }))
    settle(e, 'ethnicity')
    expect(e.state.form).toBe('系统繁忙')
  })
})
