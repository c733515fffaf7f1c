import { describe, expect, it } from 'vitest'
import { birthDateProblem, localCardProblem, permitProblem, profileBody, profileProblems, regionOf } from './profile'

describe('regionOf', () => {
  it('follows from the permit, read off the masked account number', () => {
    expect(regionOf('hk_macau_permit', 'H123*5678')).toBe('hk')
    expect(regionOf('hk_macau_permit', 'm123*5678')).toBe('macau')
    expect(regionOf('taiwan_permit', '1234**78')).toBe('taiwan')
    expect(regionOf('hmt_residence_permit', '8100**********1234')).toBe('hk')
    expect(regionOf('hmt_residence_permit', '8200**********1234')).toBe('macau')
    expect(regionOf('hmt_residence_permit', '8300**********1234')).toBe('taiwan')
    expect(regionOf('resident_id', '1101**********1234')).toBeNull()
  })
})

describe('localCardProblem', () => {
  it('checks a Hong Kong card by its check digit, with or without parentheses', () => {
    expect(localCardProblem('hk', 'A123456(3)')).toBe('')
    expect(localCardProblem('hk', 'a1234563')).toBe('')
    expect(localCardProblem('hk', 'A123456(4)')).toBe('香港身份证号码校验码不正确，请核对')
    // Two letters: the space that pads one letter is not there (cases checked against the server's rule).
    expect(localCardProblem('hk', 'AB987654(3)')).toBe('')
    expect(localCardProblem('hk', 'AB987654(2)')).toBe('香港身份证号码校验码不正确，请核对')
    expect(localCardProblem('hk', 'A12345(3)')).toContain('例如 A123456(3)')
  })

  it('checks a Macau card by its format only (its check digit is not public)', () => {
    expect(localCardProblem('macau', '1234567(8)')).toBe('')
    expect(localCardProblem('macau', '51234560')).toBe('')
    expect(localCardProblem('macau', '2234567(8)')).toContain('首位为 1、5 或 7')
  })

  it('checks a Taiwan card by its checksum', () => {
    expect(localCardProblem('taiwan', 'A123456789')).toBe('')
    expect(localCardProblem('taiwan', 'F131104093')).toBe('')
    expect(localCardProblem('taiwan', 'A123456788')).toBe('台湾身份证号码校验码不正确，请核对')
    expect(localCardProblem('taiwan', 'A323456789')).toContain('第二位为 1 或 2')
  })

  it('asks for a number, in half-width characters', () => {
    expect(localCardProblem('hk', ' ')).toBe('请输入香港身份证号码')
    expect(localCardProblem('taiwan', 'Ａ123456789')).toBe('号码请使用半角数字和字母')
  })
})

describe('permitProblem', () => {
  it('wants the 通行证 of the residence permit region', () => {
    expect(permitProblem('hk', 'H12345678')).toBe('')
    expect(permitProblem('hk', 'M12345678')).toContain('H 开头')
    expect(permitProblem('macau', 'M12345678')).toBe('')
    expect(permitProblem('taiwan', '12345678')).toBe('')
    expect(permitProblem('taiwan', '1234567801')).toContain('换证次数')
    expect(permitProblem('hk', '')).toBe('请输入港澳居民来往内地通行证号码')
  })
})

describe('birthDateProblem', () => {
  it('takes a real date from 1900 up to today', () => {
    expect(birthDateProblem('1988-08-08', '2026-03-01')).toBe('')
    expect(birthDateProblem('', '2026-03-01')).toBe('请选择出生日期')
    expect(birthDateProblem('2026-03-02', '2026-03-01')).toContain('不晚于今天')
    expect(birthDateProblem('1899-12-31', '2026-03-01')).toContain('1900')
    expect(birthDateProblem('1988/08/08', '2026-03-01')).toContain('年-月-日')
  })
})

const filled = { ethnicity: '汉族', gender: 'female' as const, birthDate: '1988-08-08', localIdNumber: ' a123456(3) ', permitNumber: 'h12345678' }

describe('profileBody', () => {
  it('sends a resident ID ethnicity alone: gender and birth date come from the number', () => {
    expect(profileBody('resident_id', filled)).toEqual({ ethnicity: '汉族' })
  })

  it('sends a permit holder gender, birth date and local card, and a residence permit its 通行证', () => {
    expect(profileBody('hk_macau_permit', filled)).toEqual({ ethnicity: '汉族', gender: 'female', birthDate: '1988-08-08', localIdNumber: 'A123456(3)' })
    expect(profileBody('hmt_residence_permit', filled)).toMatchObject({ permitNumber: 'H12345678' })
  })
})

describe('profileProblems', () => {
  const empty = { ethnicity: '', gender: '' as const, birthDate: '', localIdNumber: '', permitNumber: '' }

  it('asks a resident ID for the ethnicity only', () => {
    expect(profileProblems('resident_id', null, empty, '2026-03-01')).toEqual({ ethnicity: '请选择民族' })
  })

  it('asks a residence permit holder for every field, by the contract names', () => {
    expect(Object.keys(profileProblems('hmt_residence_permit', 'hk', empty, '2026-03-01')).sort()).toEqual(
      ['birthDate', 'ethnicity', 'gender', 'localIdNumber', 'permitNumber'],
    )
    expect(profileProblems('hmt_residence_permit', 'hk', filled, '2026-03-01')).toEqual({})
  })

  it('leaves the card format to the server when the region is not known', () => {
    expect(profileProblems('hk_macau_permit', null, { ...filled, localIdNumber: 'X' }, '2026-03-01')).toEqual({})
  })
})
