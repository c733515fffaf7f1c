import { describe, expect, it } from 'vitest'
import { fieldLabel, idTypeText, isKind, isStatus, kindText, statusText, validityText } from './reviewText'

describe('the desk’s words for the contract’s values', () => {
  it('names kinds, statuses, document types and changed fields', () => {
    expect(kindText('identity')).toBe('实名人工审核')
    expect(kindText('ownership')).toBe('账号申诉')
    expect(statusText('rejected')).toBe('未通过')
    expect(idTypeText('hk_macau_permit')).toBe('港澳居民来往内地通行证')
    expect(fieldLabel('phone')).toBe('手机号码')
    expect(kindText('future_kind')).toBe('future_kind')
  })

  it('writes long-term validity as the document prints it', () => {
    expect(validityText('2020-01-01', 'long-term')).toBe('2020-01-01 至 长期')
    expect(validityText('2020-01-01', '2040-01-01')).toBe('2020-01-01 至 2040-01-01')
  })

  it('accepts only the contract’s filters from the address bar', () => {
    expect(isKind('name_change')).toBe(true)
    expect(isKind('anything')).toBe(false)
    expect(isStatus('pending')).toBe(true)
    expect(isStatus(undefined)).toBe(false)
  })
})
