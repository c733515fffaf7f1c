// The registration form (账号注册) as the page holds it, its checks before sending, and the
// request the contract takes. The server checks everything again; these give early feedback.
import type { Schemas } from '@/api/client'
import { nameProblem, normalizeName } from './name'
import { emailProblem, normalizeNumber, numberProblem, passwordProblem, phoneProblem, type IdType } from './rules'

/** How the code was got: by SMS to the mobile, or in the WeChat service account (取验证码). */
export type CodeWay = 'sms' | 'wechat'

export type RegistrationForm = {
  doc: { idType: IdType; idNumber: string; idValidFrom?: string; idValidTo?: string }
  name: string
  password: string
  passwordConfirm: string
  email: string
  phone: string
  codeWay: CodeWay
  code: string
  agreed: boolean
}

/** codeField is the request's field for the code of that way. */
export function codeField(way: CodeWay): 'smsCode' | 'wechatCode' {
  return way === 'sms' ? 'smsCode' : 'wechatCode'
}

/** The form's fields by the contract's names, in the order of the form. */
export const registrationFields = [
  'idType', 'idNumber', 'idValidFrom', 'idValidTo', 'name', 'password', 'passwordConfirm',
  'email', 'phone', 'smsCode', 'wechatCode', 'agreementAccepted',
] as const

export function newRegistrationForm(): RegistrationForm {
  return {
    doc: { idType: 'resident_id', idNumber: '', idValidFrom: '', idValidTo: '' },
    name: '',
    password: '',
    passwordConfirm: '',
    email: '',
    phone: '',
    codeWay: 'sms',
    code: '',
    agreed: true,
  }
}

/** codeProblem checks a 6-digit code (SMS or WeChat). */
export function codeProblem(raw: string): string {
  const c = raw.trim()
  if (!c) return '请输入验证码'
  return /^[0-9]{6}$/.test(c) ? '' : '验证码为 6 位数字'
}

/** registrationProblems is every mistake the page can see, by field, in the order of the form. */
export function registrationProblems(f: RegistrationForm): Record<string, string> {
  const out: Record<string, string> = {}
  const add = (field: string, problem: string) => {
    if (problem) out[field] = problem
  }
  add('idNumber', numberProblem(f.doc.idType, f.doc.idNumber))
  add('idValidFrom', f.doc.idValidFrom ? '' : '请选择证件有效期的开始日期')
  add('idValidTo', f.doc.idValidTo ? '' : '请选择证件有效期的结束日期，或选择“长期”')
  if (f.doc.idValidFrom && f.doc.idValidTo && f.doc.idValidTo !== 'long-term' && f.doc.idValidTo < f.doc.idValidFrom) {
    add('idValidTo', '结束日期不能早于开始日期')
  }
  add('name', nameProblem(f.name))
  add('password', passwordProblem(f.password))
  add('passwordConfirm', !f.passwordConfirm ? '请再次输入密码' : f.passwordConfirm !== f.password ? '两次输入的密码不一致' : '')
  add('email', emailProblem(f.email))
  add('phone', phoneProblem(f.phone, f.doc.idType))
  add(codeField(f.codeWay), codeProblem(f.code))
  add('agreementAccepted', f.agreed ? '' : '请阅读并同意《中国教师资格网用户账号注册协议》')
  return out
}

/** registrationBody is the POST /v1/accounts request: exactly one of smsCode and wechatCode. */
export function registrationBody(f: RegistrationForm): Schemas['Registration'] {
  const code = f.code.trim()
  return {
    idType: f.doc.idType,
    idNumber: normalizeNumber(f.doc.idNumber),
    name: normalizeName(f.name),
    idValidFrom: f.doc.idValidFrom ?? '',
    idValidTo: f.doc.idValidTo ?? '',
    password: f.password,
    passwordConfirm: f.passwordConfirm,
    email: f.email.trim(),
    phone: f.phone.trim(),
    ...(f.codeWay === 'sms' ? { smsCode: code } : { wechatCode: code }),
    agreementAccepted: true,
  }
}
