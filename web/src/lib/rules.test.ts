import { describe, expect, it } from 'vitest'
import { checkPassword, emailProblem, numberProblem, passwordProblem, phoneProblem } from './rules'

describe('password rule', () => {
  it('names each missing part and refuses characters outside the allowed set', () => {
    expect(passwordProblem('Teach#2026')).toBe('')
    expect(passwordProblem('Teach2026')).toContain('特殊字符')
    expect(passwordProblem('Teach^2026')).toContain('不允许')
    expect(passwordProblem('Teach 2026#')).toContain('不允许')
    expect(passwordProblem('Te#1')).toContain('8 至 32')
    expect(passwordProblem('Ｔeach#2026')).toContain('半角')
    expect(checkPassword('a1#')).toEqual({ length: false, digit: true, letter: true, special: true, onlyAllowed: true })
  })
})

describe('document numbers', () => {
  it('checks the resident ID checksum and the permits’ lengths, naming 换证次数', () => {
    expect(numberProblem('resident_id', '11010519491231002X')).toBe('')
    expect(numberProblem('resident_id', '110105194912310021')).toContain('校验位')
    expect(numberProblem('resident_id', ' 11010519491231002x ')).toBe('')
    expect(numberProblem('hk_macau_permit', 'H12345678')).toBe('')
    expect(numberProblem('hk_macau_permit', 'H1234567801')).toContain('换证次数')
    expect(numberProblem('taiwan_permit', '1234567801')).toContain('换证次数')
    expect(numberProblem('taiwan_permit', '12345678')).toBe('')
    expect(numberProblem('resident_id', '１１０１０５１９４９１２３１００２X')).toContain('半角')
    expect(numberProblem('hmt_residence_permit', '110105194912310021')).toContain('810000')
  })
})

describe('e-mail and mobile', () => {
  it('refuses 。 and QQ aliases, and foreign mobiles with a resident ID', () => {
    expect(emailProblem('12345@qq.com')).toBe('')
    expect(emailProblem('teacher@qq.com')).toContain('QQ')
    expect(emailProblem('a@163。com')).toContain('。')
    expect(phoneProblem('13800138000')).toBe('')
    expect(phoneProblem('+852 9123 4567', 'hk_macau_permit')).toBe('')
    expect(phoneProblem('+852 9123 4567')).toContain('内地')
    expect(phoneProblem('0912-345-678', 'taiwan_permit')).toBe('')
    expect(phoneProblem('12800138000')).toContain('格式')
  })
})
