// The form rules of SPEC §1 as the pages show them while the applicant types. The server
// checks every one again and has the last word (its 422 lands at the field); these exist so
// that a person sees a mistake before pressing the button, in the same words.

export type IdType = 'resident_id' | 'hk_macau_permit' | 'taiwan_permit' | 'hmt_residence_permit'

export const idTypes: { value: IdType; text: string }[] = [
  { value: 'resident_id', text: '居民身份证' },
  { value: 'hk_macau_permit', text: '港澳居民来往内地通行证' },
  { value: 'taiwan_permit', text: '五年有效期台湾居民来往大陆通行证' },
  { value: 'hmt_residence_permit', text: '港澳台居民居住证' },
]

/** numberHint is what the number field says under it for each document, from the manual. */
export const numberHint: Record<IdType, string> = {
  resident_id: '18 位身份证号码，末位 X 请用大写',
  hk_macau_permit: '9 位：H 或 M 加 8 位数字；旧版通行证末尾的 2 位换证次数不要填写',
  taiwan_permit: '8 位数字，不要填写换证次数',
  hmt_residence_permit: '18 位，以 810000（香港）、820000（澳门）或 830000（台湾）开头',
}

export const passwordSpecials = '#%*-_!@$&'
export const passwordRuleText = `8 至 32 位，须同时包含数字、字母和特殊字符；特殊字符只能是 ${[...passwordSpecials].join(' ')}`

/** PasswordCheck is each part of the password rule, true when met. */
export type PasswordCheck = { length: boolean; digit: boolean; letter: boolean; special: boolean; onlyAllowed: boolean }

export function checkPassword(pw: string): PasswordCheck {
  return {
    length: pw.length >= 8 && pw.length <= 32,
    digit: /[0-9]/.test(pw),
    letter: /[A-Za-z]/.test(pw),
    special: [...pw].some((c) => passwordSpecials.includes(c)),
    onlyAllowed: [...pw].every((c) => /[0-9A-Za-z]/.test(c) || passwordSpecials.includes(c)),
  }
}

export function passwordProblem(pw: string): string {
  if (!pw) return '请输入密码'
  const c = checkPassword(pw)
  if (/[\uff01-\uff5e\u3000]/.test(pw)) return '密码请使用半角字符'
  if (!c.onlyAllowed) return `密码含有不允许的字符；特殊字符只能是 ${[...passwordSpecials].join(' ')}`
  if (!c.length) return '密码长度应为 8 至 32 位'
  if (!c.digit || !c.letter || !c.special) return '密码须同时包含数字、字母和特殊字符'
  return ''
}

const fullWidth = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/

/** normalizeNumber is the number as the server stores it: trimmed, letters upper-case. */
export function normalizeNumber(raw: string): string {
  return raw.trim().toUpperCase()
}

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

function eighteenOK(n: string): boolean {
  if (!/^[0-9]{17}[0-9X]$/.test(n)) return false
  const sum = [...n.slice(0, 17)].reduce((acc, d, i) => acc + Number(d) * (weights[i] ?? 0), 0)
  return '10X98765432'[sum % 11] === n[17]
}

/** numberProblem is what is wrong with a document number's form, or '' (the server checks dates and regions). */
export function numberProblem(type: IdType, raw: string): string {
  if (!raw.trim()) return '请输入证件号码'
  if (fullWidth.test(raw)) return '证件号码请使用半角数字和字母'
  const n = normalizeNumber(raw)
  switch (type) {
    case 'resident_id':
      if (!/^[0-9]{17}[0-9X]$/.test(n)) return '居民身份证号码应为 18 位'
      return eighteenOK(n) ? '' : '居民身份证号码校验位不正确，请核对'
    case 'hmt_residence_permit':
      if (!/^8[123]0000/.test(n)) return '港澳台居民居住证号码应以 810000、820000 或 830000 开头'
      return eighteenOK(n) ? '' : '居住证号码应为 18 位且校验位正确，请核对'
    case 'hk_macau_permit':
      if (/^[HM][0-9]{10,11}$/.test(n)) return '请不要填写末尾的换证次数：通行证号码为 H 或 M 加 8 位数字'
      return /^[HM][0-9]{8}$/.test(n) ? '' : '港澳居民来往内地通行证号码为 H 或 M 加 8 位数字，共 9 位'
    case 'taiwan_permit':
      if (/^[0-9]{10,11}$/.test(n)) return '请不要填写换证次数：台湾居民来往大陆通行证号码为 8 位数字'
      return /^[0-9]{8}$/.test(n) ? '' : '台湾居民来往大陆通行证号码为 8 位数字'
  }
}

/** emailProblem names the manual's e-mail mistakes: 。 for ., a QQ alias. */
export function emailProblem(raw: string): string {
  const e = raw.trim()
  if (!e) return '请输入电子邮箱'
  if (/[。．]/.test(e)) return '邮箱中的点请使用半角“.”，不要使用“。”'
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) return '电子邮箱格式不正确'
  const [local, domain] = e.split('@') as [string, string]
  if (domain.toLowerCase() === 'qq.com' && !/^[0-9]+$/.test(local)) return 'QQ 邮箱请使用数字 QQ 号作为邮箱名（如 12345678@qq.com）'
  return ''
}

/** phoneProblem checks a mobile's form; non-mainland mobiles only for non-mainland documents. */
export function phoneProblem(raw: string, type: IdType = 'resident_id'): string {
  const p = raw.replace(/[\s-]/g, '')
  if (!p) return '请输入手机号码'
  if (/^(\+?86)?1[3-9][0-9]{9}$/.test(p)) return ''
  const abroad = /^\+?(852[4-9][0-9]{7}|8536[0-9]{7}|8869[0-9]{8})$/.test(p) || /^09[0-9]{8}$/.test(p)
  if (abroad && type !== 'resident_id') return ''
  if (abroad) return '持居民身份证注册请填写内地手机号码'
  return '手机号码格式不正确（内地手机号为 11 位，以 13–19 开头）'
}
