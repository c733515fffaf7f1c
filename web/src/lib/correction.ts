// 账号申诉 (POST /v1/account-corrections) as a form: the two kinds in words, the checks made
// before a slider or an SMS code is spent, and the body in the contract's shape.
import type { Schemas } from '@/api/client'
import { emailProblem, normalizeNumber, numberProblem, phoneProblem, type IdType } from './rules'

export type CorrectionKind = Schemas['CorrectionForm']['kind']

export const correctionKinds: { value: CorrectionKind; title: string; text: string }[] = [
  {
    value: 'contact',
    title: '更正联系方式',
    text: '注册的手机号码已停用或不再使用、邮箱无法收信，因而无法找回密码。证件类型、证件号码和姓名须与注册时填写的一致。',
  },
  {
    value: 'ownership',
    title: '证件号码被他人注册',
    text: '您的证件号码已被他人注册。请填写您本人证件上的信息；审核通过后，账号归您使用，原密码作废，请通过“忘记密码”设置新密码。',
  },
]

export type CorrectionInput = {
  kind: CorrectionKind
  idType: IdType
  idNumber: string
  idValidFrom?: string
  idValidTo?: string
  name: string
  phone: string
  smsCode: string
  email: string
  photo: string
}

/** The form's fields in the order the page shows them (and the server checks them). */
export const correctionFields = ['kind', 'idType', 'idNumber', 'idValidFrom', 'idValidTo', 'name', 'phone', 'smsCode', 'email', 'photo'] as const

/**
 * correctionProblems is what the page can tell before anything is sent, by field; the server
 * checks all of it again (dates against today, names, the photo's pixels) and has the last word.
 */
export function correctionProblems(f: CorrectionInput): Record<string, string> {
  const out: Record<string, string> = {}
  const number = numberProblem(f.idType, f.idNumber)
  if (number) out.idNumber = number
  if (!f.idValidFrom) out.idValidFrom = '请选择证件有效期的开始日期'
  if (!f.idValidTo) out.idValidTo = '请选择证件有效期的结束日期，或选择“长期”'
  else if (f.idValidFrom && f.idValidTo !== 'long-term' && f.idValidTo < f.idValidFrom) out.idValidTo = '结束日期不能早于开始日期'
  if (!f.name.trim()) out.name = '请输入证件上的姓名'
  const phone = phoneProblem(f.phone, f.idType)
  if (phone) out.phone = phone
  if (!/^[0-9]{6}$/.test(f.smsCode.trim())) out.smsCode = '请输入 6 位短信验证码'
  const email = emailProblem(f.email)
  if (email) out.email = email
  if (!f.photo) out.photo = '请上传证件照片（JPG 格式，小于 190 KB）'
  return out
}

/** correctionBody is the request's body, trimmed and upper-cased as the server stores it. */
export function correctionBody(f: CorrectionInput, captcha: Schemas['CaptchaAnswer']): Schemas['CorrectionForm'] {
  return {
    kind: f.kind,
    idType: f.idType,
    idNumber: normalizeNumber(f.idNumber),
    name: f.name.trim(),
    idValidFrom: f.idValidFrom ?? '',
    idValidTo: f.idValidTo ?? '',
    phone: f.phone.trim(),
    smsCode: f.smsCode.trim(),
    email: f.email.trim(),
    photo: f.photo,
    captcha,
  }
}
