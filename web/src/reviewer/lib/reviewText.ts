// How the desk names the contract's values. One table each, so the queue, the review and the
// filters say the same words.
import type { Schemas } from '@/api/client'
import { idTypes } from '@/lib/rules'

export type ReviewKind = Schemas['ReviewKind']
export type ReviewStatus = Schemas['ReviewStatus']
export type ChangeField = Schemas['ReviewDetail']['changes'][number]['field']

export const kindOptions: { value: ReviewKind; text: string }[] = [
  { value: 'identity', text: '实名人工审核' },
  { value: 'name_change', text: '姓名变更' },
  { value: 'contact', text: '联系方式更正' },
  { value: 'ownership', text: '账号申诉' },
]

export const statusOptions: { value: ReviewStatus; text: string }[] = [
  { value: 'pending', text: '待审核' },
  { value: 'approved', text: '已通过' },
  { value: 'rejected', text: '未通过' },
]

const fieldText: Record<ChangeField, string> = {
  name: '姓名',
  phone: '手机号码',
  email: '电子邮箱',
  password: '登录密码',
}

export function kindText(kind: string): string {
  return kindOptions.find((k) => k.value === kind)?.text ?? kind
}

export function statusText(status: string): string {
  return statusOptions.find((s) => s.value === status)?.text ?? status
}

export function idTypeText(type: string): string {
  return idTypes.find((t) => t.value === type)?.text ?? type
}

export function fieldLabel(field: string): string {
  return fieldText[field as ChangeField] ?? field
}

/** validityText is a document's validity as printed on it: 2020-01-01 至 长期. */
export function validityText(from: string, to: string): string {
  const end = to.trim() === 'long-term' || to.trim() === '长期' ? '长期' : to
  return `${from} 至 ${end}`
}

/** isKind and isStatus read a filter from the address bar, where anything can be typed. */
export function isKind(v: unknown): v is ReviewKind {
  return kindOptions.some((k) => k.value === v)
}

export function isStatus(v: unknown): v is ReviewStatus {
  return statusOptions.some((s) => s.value === v)
}
