import { reactive } from 'vue'
import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { useFieldErrors } from './errors'
import { clearOnEdit, placeError } from './placeError'

describe('placeError', () => {
  it('puts a named field first, then the field a code belongs to, then the form', () => {
    const e = useFieldErrors()
    const fields = ['idNumber', 'phone', 'smsCode']
    placeError(e, new ApiError(422, { code: 'INVALID_FIELD', message: '手机号不正确', field: 'phone' }), fields, { INVALID_FIELD: 'smsCode' })
    expect(e.state.fields).toEqual({ phone: '手机号不正确' })
    placeError(e, new ApiError(400, { code: 'CODE_INVALID', message: '验证码错误' }), fields, { CODE_INVALID: 'smsCode' })
    expect(e.state.fields.smsCode).toBe('验证码错误')
    placeError(e, new ApiError(409, { code: 'ACCOUNT_EXISTS', message: '已注册' }), fields, { ACCOUNT_EXISTS: 'idNumber' })
    expect(e.state.fields.idNumber).toBe('已注册')
    placeError(e, new ApiError(429, { code: 'QUOTA_EXCEEDED', message: '今日次数已用完', retryAfter: 3600 }), fields, { QUOTA_EXCEEDED: 'smsCode' })
    expect(e.state.fields.smsCode).toBe('今日次数已用完（约 1 小时后可再试）')
    placeError(e, new ApiError(503, { code: 'SERVICE_UNAVAILABLE', message: '系统繁忙' }), fields)
    expect(e.state.form).toBe('系统繁忙')
  })
})

describe('clearOnEdit', () => {
  it('drops a field’s error when its value changes, and only that field’s', () => {
    const e = useFieldErrors()
    const form = reactive({ phone: '1', email: 'a' })
    clearOnEdit(e, { phone: () => form.phone, email: () => form.email })
    e.set('phone', '手机号不正确')
    e.set('email', '邮箱不正确')
    form.phone = '13800138000'
    expect(e.state.fields).toEqual({ email: '邮箱不正确' })
  })
})
