import { describe, expect, it } from 'vitest'
import { newRegistrationForm, registrationBody, registrationProblems, type RegistrationForm } from './registration'

function filled(): RegistrationForm {
  return {
    ...newRegistrationForm(),
    doc: { idType: 'resident_id', idNumber: ' 11010519491231002x ', idValidFrom: '2020-01-01', idValidTo: 'long-term' },
    name: ' 阿依古丽•买买提 ',
    password: 'Teach#2026',
    passwordConfirm: 'Teach#2026',
    email: ' 12345@qq.com ',
    phone: '13800138000',
    code: '123456',
  }
}

describe('registration form', () => {
  it('finds nothing wrong with a filled form and sends the contract’s request with the SMS code', () => {
    const f = filled()
    expect(registrationProblems(f)).toEqual({})
    expect(registrationBody(f)).toEqual({
      idType: 'resident_id', idNumber: '11010519491231002X', name: '阿依古丽·买买提', idValidFrom: '2020-01-01',
      idValidTo: 'long-term', password: 'Teach#2026', passwordConfirm: 'Teach#2026', email: '12345@qq.com',
      phone: '13800138000', smsCode: '123456', agreementAccepted: true,
    })
  })

  it('sends a WeChat code as wechatCode and never both', () => {
    const body = registrationBody({ ...filled(), codeWay: 'wechat' })
    expect(body.wechatCode).toBe('123456')
    expect('smsCode' in body).toBe(false)
  })

  it('names each mistake at its field, the code at the way chosen', () => {
    const f: RegistrationForm = {
      ...newRegistrationForm(),
      doc: { idType: 'hk_macau_permit', idNumber: 'H1234567801', idValidFrom: '2024-01-01', idValidTo: '2023-01-01' },
      name: '张',
      password: 'Teach2026',
      passwordConfirm: 'Teach2027',
      email: 'teacher@qq.com',
      phone: '+852 2123 4567',
      codeWay: 'wechat',
      code: '12345',
      agreed: false,
    }
    const p = registrationProblems(f)
    expect(Object.keys(p)).toEqual([
      'idNumber', 'idValidTo', 'name', 'password', 'passwordConfirm', 'email', 'phone', 'wechatCode', 'agreementAccepted',
    ])
    expect(p.idNumber).toContain('换证次数')
    expect(p.idValidTo).toContain('早于')
    expect(p.wechatCode).toContain('6 位')
    expect(registrationProblems({ ...filled(), doc: { ...filled().doc, idValidTo: '' } }).idValidTo).toContain('长期')
  })
})
