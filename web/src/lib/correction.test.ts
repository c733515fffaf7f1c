import { describe, expect, it } from 'vitest'
import { correctionBody, correctionProblems, type CorrectionInput } from './correction'

const good: CorrectionInput = {
  kind: 'contact',
  idType: 'resident_id',
  idNumber: ' 11010519491231002x ',
  idValidFrom: '2020-01-01',
  idValidTo: 'long-term',
  name: ' 王老师 ',
  phone: '13900001111',
  smsCode: '123456',
  email: '12345678@qq.com',
  photo: '/9j/4AAQ',
}

describe('correctionProblems', () => {
  it('passes a complete form', () => {
    expect(correctionProblems(good)).toEqual({})
  })

  it('names each field at fault in the manual’s words', () => {
    const p = correctionProblems({
      ...good,
      idNumber: 'H1234567801',
      idType: 'hk_macau_permit',
      idValidFrom: '',
      idValidTo: '',
      name: ' ',
      phone: '12345',
      smsCode: '12',
      email: 'abc@qq。com',
      photo: '',
    })
    expect(p.idNumber).toContain('换证次数')
    expect(p.idValidFrom).toContain('开始日期')
    expect(p.idValidTo).toContain('长期')
    expect(p.name).toContain('姓名')
    expect(p.phone).toContain('格式')
    expect(p.smsCode).toContain('6 位')
    expect(p.email).toContain('。')
    expect(p.photo).toContain('190 KB')
  })

  it('refuses a validity that ends before it starts, and a non-mainland mobile with a resident ID', () => {
    const p = correctionProblems({ ...good, idValidTo: '2019-12-31', phone: '+852 9123 4567' })
    expect(p.idValidTo).toContain('早于')
    expect(p.phone).toContain('内地')
    expect(correctionProblems({ ...good, idType: 'taiwan_permit', idNumber: '12345678', phone: '0912-345-678' })).toEqual({})
  })
})

describe('correctionBody', () => {
  it('is the contract’s body, trimmed and upper-cased', () => {
    const captcha = { id: 'c'.repeat(22), x: 10, y: 20 }
    expect(correctionBody(good, captcha)).toEqual({
      kind: 'contact',
      idType: 'resident_id',
      idNumber: '11010519491231002X',
      name: '王老师',
      idValidFrom: '2020-01-01',
      idValidTo: 'long-term',
      phone: '13900001111',
      smsCode: '123456',
      email: '12345678@qq.com',
      photo: '/9j/4AAQ',
      captcha,
    })
  })
})
