// What the account pages (账号信息 and its changes, 微信绑定, 账号申诉) share: the words for the
// server's states, the optional current password, the lock a wrong one can cause, and which
// QR-code addresses a page may show as an image.
import { ApiError, type Schemas } from '@/api/client'
import { idTypes } from './rules'

export type VerificationStatus = Schemas['Me']['verification']['status']

/** verificationText is the verification status in the applicant's words. */
export function verificationText(status: VerificationStatus): string {
  switch (status) {
    case 'verified':
      return '已通过实名核验'
    case 'review_pending':
      return '人工审核中'
    case 'review_approved':
      return '人工审核已通过'
    case 'review_rejected':
      return '人工审核未通过'
    default:
      return '未实名核验'
  }
}

/** idTypeText is the document type's name as the manual writes it. */
export function idTypeText(type: Schemas['IDType']): string {
  return idTypes.find((t) => t.value === type)?.text ?? type
}

/**
 * withCurrentPassword is the currentPassword part of a change's body. An account without a
 * password (made by a first 教育部 login) sends none and is let through by a recent login, so
 * an empty field is left out and the server says whether the account needed one.
 */
export function withCurrentPassword(pw: string): { currentPassword?: string } {
  return pw ? { currentPassword: pw } : {}
}

/**
 * lockedText explains a 423 from a change of credentials: the current password typed there
 * counts as a login attempt, so five wrong ones lock the login too. null for other errors.
 */
export function lockedText(err: unknown): string | null {
  if (!(err instanceof ApiError) || err.code !== 'ACCOUNT_LOCKED') return null
  return `${err.message}。在此输入的当前密码与登录密码一样计入错误次数，锁定期间也无法登录。`
}

/** clockTime is an instant as CST hours and minutes (the site's time, whatever the phone's zone). */
export function clockTime(at: Date): string {
  return at.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' })
}

/** dateTimeText is an RFC 3339 instant as a CST date and time: 2026年5月12日 17:00. */
export function dateTimeText(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const day = d.toLocaleDateString('zh-CN', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'Asia/Shanghai' })
  return `${day} ${clockTime(d)}`
}
