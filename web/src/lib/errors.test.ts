import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { messageOf, useFieldErrors, waitText } from './errors'

describe('waitText', () => {
  it('says seconds, minutes and hours the way people read them', () => {
    expect(waitText(0.2)).toBe('1 秒')
    expect(waitText(59)).toBe('59 秒')
    expect(waitText(61)).toBe('约 2 分钟')
    expect(waitText(900)).toBe('约 15 分钟')
    expect(waitText(3601)).toBe('约 2 小时')
  })
})

describe('messageOf', () => {
  it('adds the wait to a quota or a lock, and hides anything that is not an API error', () => {
    const quota = new ApiError(429, { code: 'QUOTA_EXCEEDED', message: '今日验证码已达上限', retryAfter: 7200 })
    expect(messageOf(quota)).toBe('今日验证码已达上限（约 2 小时后可再试）')
    expect(messageOf(new TypeError('x is undefined'))).toBe('系统繁忙，请稍后重试')
    expect(messageOf(new ApiError(0, undefined))).toContain('网络')
  })
})

describe('useFieldErrors', () => {
  it('puts an error at the field the server named when the form has it, else on the form', () => {
    const e = useFieldErrors()
    e.show(new ApiError(422, { code: 'INVALID_FIELD', message: '手机号格式不正确', field: 'phone' }), ['phone'])
    expect(e.state.fields.phone).toBe('手机号格式不正确')
    expect(e.state.form).toBe('')
    e.show(new ApiError(422, { code: 'INVALID_FIELD', message: '姓名不正确', field: 'name' }), ['phone'])
    expect(e.state.form).toBe('姓名不正确')
    e.clear()
    expect(e.hasAny).toBe(false)
  })
})
