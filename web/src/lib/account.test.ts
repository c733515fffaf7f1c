import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { dateTimeText, clockTime, idTypeText, lockedText, verificationText, withCurrentPassword } from './account'

describe('verificationText', () => {
  it('says every status in words', () => {
    expect(verificationText('unverified')).toBe('未实名核验')
    expect(verificationText('verified')).toBe('已通过实名核验')
    expect(verificationText('review_pending')).toBe('人工审核中')
    expect(verificationText('review_approved')).toBe('人工审核已通过')
    expect(verificationText('review_rejected')).toBe('人工审核未通过')
  })
})

describe('idTypeText', () => {
  it('names the documents as the manual does', () => {
    expect(idTypeText('resident_id')).toBe('居民身份证')
    expect(idTypeText('taiwan_permit')).toContain('台湾居民来往大陆通行证')
  })
})

describe('withCurrentPassword', () => {
  it('leaves an empty password out, for accounts that have none', () => {
    expect(withCurrentPassword('')).toEqual({})
    expect(withCurrentPassword('Teach#2026')).toEqual({ currentPassword: 'Teach#2026' })
  })
})

describe('lockedText', () => {
  it('explains that the current password counts as a login attempt, and ignores other errors', () => {
    const locked = new ApiError(423, { code: 'ACCOUNT_LOCKED', message: '账号已锁定至2026-05-12 10:15:00', retryAfter: 900 })
    expect(lockedText(locked)).toContain('账号已锁定至2026-05-12 10:15:00')
    expect(lockedText(locked)).toContain('锁定期间也无法登录')
    expect(lockedText(new ApiError(422, { code: 'INVALID_FIELD', message: '当前密码不正确', field: 'currentPassword' }))).toBeNull()
    expect(lockedText(new Error('x'))).toBeNull()
  })
})

describe('times', () => {
  it('are the site’s time (CST) whatever the phone’s zone', () => {
    expect(clockTime(new Date('2026-05-12T02:05:00Z'))).toBe('10:05')
    expect(dateTimeText('2026-05-21T17:00:00+08:00')).toBe('2026年5月21日 17:00')
    expect(dateTimeText('not a date')).toBe('not a date')
  })
})
