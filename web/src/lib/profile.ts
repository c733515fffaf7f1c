// The first-login profile (完善个人信息, SPEC "First login") as the page builds it: which fields a
// document type asks for, whose local identity card a permit holder has, and the checks of
// those numbers while the applicant types. The server checks all of it again (422 at the field).
import { numberProblem, type IdType } from './rules'

export type Region = 'hk' | 'macau' | 'taiwan'
export type Gender = 'male' | 'female'

export const genders: { value: Gender; text: string }[] = [
  { value: 'male', text: '男' },
  { value: 'female', text: '女' },
]

export function genderText(g: string | undefined): string {
  return genders.find((x) => x.value === g)?.text ?? ''
}

/** needsPersonal: the three non-mainland documents also give gender, birth date and local card. */
export function needsPersonal(t: IdType): boolean {
  return t !== 'resident_id'
}

/**
 * regionOf says whose local card the applicant has, from the document type and the account
 * number as GET /v1/me shows it (masked, but its first characters are kept): H → Hong Kong,
 * M → Macau, a Taiwan permit → Taiwan, 810000/820000/830000 likewise. null for a resident ID.
 */
export function regionOf(t: IdType, numberMasked: string): Region | null {
  const n = numberMasked.trim().toUpperCase()
  switch (t) {
    case 'hk_macau_permit':
      return n.startsWith('H') ? 'hk' : n.startsWith('M') ? 'macau' : null
    case 'taiwan_permit':
      return 'taiwan'
    case 'hmt_residence_permit':
      return n.startsWith('81') ? 'hk' : n.startsWith('82') ? 'macau' : n.startsWith('83') ? 'taiwan' : null
    default:
      return null
  }
}

/** localCard is what the page says about each region's identity card. */
export const localCard: Record<Region, { label: string; hint: string }> = {
  hk: { label: '香港身份证号码', hint: '1 至 2 个英文字母、6 位数字和括号内的 1 位校验码，例如 A123456(3)' },
  macau: { label: '澳门身份证号码', hint: '8 位数字，首位为 1、5 或 7，例如 1234567(8)' },
  taiwan: { label: '台湾身份证号码', hint: '1 个英文字母加 9 位数字，第二位为 1 或 2，例如 A123456789' },
}

/** permitFor is the 通行证 that goes with a residence permit of that region. */
export const permitFor: Record<Region, { label: string; hint: string; type: IdType; lead: string }> = {
  hk: { label: '港澳居民来往内地通行证号码', hint: 'H 加 8 位数字，共 9 位；不要填写末尾的换证次数', type: 'hk_macau_permit', lead: 'H' },
  macau: { label: '港澳居民来往内地通行证号码', hint: 'M 加 8 位数字，共 9 位；不要填写末尾的换证次数', type: 'hk_macau_permit', lead: 'M' },
  taiwan: { label: '台湾居民来往大陆通行证号码', hint: '8 位数字，不要填写换证次数', type: 'taiwan_permit', lead: '' },
}

const fullWidth = /[\uff01-\uff5e\u3000]/

/** Splits "A123456(3)" into "A123456" and "3"; without parentheses the last character is the check. */
function splitCheck(s: string): [string, string] | null {
  if (s.endsWith(')')) {
    const open = s.lastIndexOf('(')
    if (open < 0 || open !== s.length - 3) return null
    return [s.slice(0, open), s.charAt(open + 1)]
  }
  if (s.length < 2) return null
  return [s.slice(0, -1), s.slice(-1)]
}

function hongKongCheck(letters: string, digits: string): string {
  const padded = letters.length === 1 ? ` ${letters}` : letters
  let sum = 0
  ;[...(padded + digits)].forEach((c, i) => {
    const v = c === ' ' ? 36 : /[A-Z]/.test(c) ? c.charCodeAt(0) - 55 : Number(c)
    sum += v * (9 - i)
  })
  const r = (11 - (sum % 11)) % 11
  return r === 10 ? 'A' : String(r)
}

// Taiwan assigns the letters by when places were added, not alphabetically (I, O, W–Z came later).
const taiwanLetters: Record<string, number> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
}

/** localCardProblem is what is wrong with a local identity card number, or ''. */
export function localCardProblem(region: Region, raw: string): string {
  const s = raw.trim().toUpperCase()
  if (!s) return `请输入${localCard[region].label}`
  if (fullWidth.test(s)) return '号码请使用半角数字和字母'
  switch (region) {
    case 'hk': {
      const parts = splitCheck(s)
      const m = parts && /^([A-Z]{1,2})([0-9]{6})$/.exec(parts[0])
      if (!parts || !m || !/^[0-9A]$/.test(parts[1])) return '香港身份证号码应为 1 至 2 个英文字母、6 位数字和 1 位校验码（0 至 9 或 A），例如 A123456(3)'
      return hongKongCheck(m[1]!, m[2]!) === parts[1] ? '' : '香港身份证号码校验码不正确，请核对'
    }
    case 'macau': {
      const parts = splitCheck(s)
      if (!parts || !/^[157][0-9]{6}$/.test(parts[0]) || !/^[0-9]$/.test(parts[1])) return '澳门身份证号码应为 8 位数字，首位为 1、5 或 7，例如 1234567(8)'
      return ''
    }
    case 'taiwan': {
      if (!/^[A-Z][12][0-9]{8}$/.test(s)) return '台湾身份证号码应为 1 个英文字母加 9 位数字，第二位为 1 或 2，例如 A123456789'
      const v = taiwanLetters[s.charAt(0)]!
      let sum = Math.floor(v / 10) + (v % 10) * 9
      for (let i = 1; i <= 8; i += 1) sum += Number(s.charAt(i)) * (9 - i)
      sum += Number(s.charAt(9))
      return sum % 10 === 0 ? '' : '台湾身份证号码校验码不正确，请核对'
    }
  }
}

/** permitProblem checks the 通行证 number a residence permit holder adds. */
export function permitProblem(region: Region, raw: string): string {
  const p = permitFor[region]
  const problem = numberProblem(p.type, raw)
  if (problem) return problem.replace('请输入证件号码', `请输入${p.label}`)
  if (p.lead && !raw.trim().toUpperCase().startsWith(p.lead)) return `请填写与居住证对应的${p.label}（${p.lead} 开头）`
  return ''
}

/** birthDateProblem: a real date, from 1900 and not after today (the applicant's calendar day). */
export function birthDateProblem(raw: string, today: string): string {
  if (!raw) return '请选择出生日期'
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(raw) || Number.isNaN(Date.parse(raw))) return '出生日期应按“年-月-日”填写，如 1990-01-31'
  if (raw < '1900-01-01' || raw > today) return '出生日期应在 1900 年之后且不晚于今天'
  return ''
}

export type ProfileFields = { ethnicity: string; gender: Gender | ''; birthDate: string; localIdNumber: string; permitNumber: string }

export type ProfileBody = { ethnicity: string; gender?: Gender; birthDate?: string; localIdNumber?: string; permitNumber?: string }

/** profileBody is PUT /v1/me/profile's body: only what the document type asks for (a resident ID sends its ethnicity alone). */
export function profileBody(t: IdType, f: ProfileFields): ProfileBody {
  const body: ProfileBody = { ethnicity: f.ethnicity }
  if (!needsPersonal(t)) return body
  if (f.gender) body.gender = f.gender
  body.birthDate = f.birthDate
  body.localIdNumber = f.localIdNumber.trim().toUpperCase()
  if (t === 'hmt_residence_permit') body.permitNumber = f.permitNumber.trim().toUpperCase()
  return body
}

/** profileProblems is each field's problem, by the contract's names; empty when the form may be sent. */
export function profileProblems(t: IdType, region: Region | null, f: ProfileFields, today: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!f.ethnicity) out.ethnicity = '请选择民族'
  if (!needsPersonal(t)) return out
  if (!f.gender) out.gender = '请选择性别'
  const birth = birthDateProblem(f.birthDate, today)
  if (birth) out.birthDate = birth
  // Without a known region the server decides (the masked number did not tell).
  if (region) {
    const local = localCardProblem(region, f.localIdNumber)
    if (local) out.localIdNumber = local
    if (t === 'hmt_residence_permit') {
      const permit = permitProblem(region, f.permitNumber)
      if (permit) out.permitNumber = permit
    }
  } else {
    if (!f.localIdNumber.trim()) out.localIdNumber = '请输入当地有效身份证件号码'
    if (t === 'hmt_residence_permit' && !f.permitNumber.trim()) out.permitNumber = '请输入通行证号码'
  }
  return out
}
