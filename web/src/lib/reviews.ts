// The applicant's manual reviews (GET /v1/me/manual-reviews) and what the manual-review page
// shows from them and from GET /v1/me: the review waiting for an answer, the form, or neither.
import type { Schemas } from '@/api/client'
import { numberProblem, type IdType } from './rules'

export type MyReview = Schemas['MyReviews']['items'][number]
type Me = Pick<Schemas['Me'], 'verification'>

/** The promised answer time (SPEC "Manual review"): weekends and official holidays excluded. */
export const answerWorkingDays = 7

export const kindText: Record<MyReview['kind'], string> = {
  identity: '实名信息人工审核',
  name_change: '姓名变更',
  contact: '联系方式更正',
  ownership: '账号申诉',
}

/** statusText says it in words, so that no colour has to carry it. */
export const statusText: Record<MyReview['status'], string> = {
  pending: '审核中',
  approved: '审核通过',
  rejected: '审核未通过',
}

/** statusIcon is Vant's icon beside the words. */
export const statusIcon: Record<MyReview['status'], string> = {
  pending: 'clock-o',
  approved: 'passed',
  rejected: 'close',
}

export type ReviewPage =
  /** a review waits for its answer: show it, not the form */
  | { show: 'pending'; review: MyReview | null }
  /** verified online or approved: no identity review is needed; a name change may be asked */
  | { show: 'cleared'; approved: MyReview | null; nameChangePending: MyReview | null }
  /** the form, after the last rejection's reason when there is one */
  | { show: 'form'; rejectedReason: string | null }

/** reviewPage decides what the manual-review page shows. items are newest first. */
export function reviewPage(me: Me, items: readonly MyReview[]): ReviewPage {
  const identity = items.filter((r) => r.kind === 'identity')
  const pending = identity.find((r) => r.status === 'pending') ?? null
  const status = me.verification.status
  if (status === 'review_pending' || pending) return { show: 'pending', review: pending }
  if (status === 'verified' || status === 'review_approved') {
    const nameChangePending = items.find((r) => r.kind === 'name_change' && r.status === 'pending') ?? null
    return { show: 'cleared', approved: identity.find((r) => r.status === 'approved') ?? null, nameChangePending }
  }
  const newest = identity[0]
  const reason = status === 'review_rejected' ? me.verification.rejectReason ?? (newest?.status === 'rejected' ? newest.reason : null) : null
  return { show: 'form', rejectedReason: reason }
}

export type ReviewFields = { name: string; idType: IdType; idNumber: string; idValidFrom?: string; idValidTo?: string; photo: string }

/** reviewFormProblems is each field's problem before POST /v1/me/manual-reviews, by the contract's names. */
export function reviewFormProblems(f: ReviewFields, today: string): Record<string, string> {
  const out: Record<string, string> = {}
  const name = f.name.trim()
  if (!name) out.name = '请输入姓名（与证件上的一致）'
  else if ([...name].length < 2 || [...name].length > 50) out.name = '姓名应为 2 至 50 个字'
  const number = numberProblem(f.idType, f.idNumber)
  if (number) out.idNumber = number
  if (!f.idValidFrom) out.idValidFrom = '请选择证件有效期的开始日期'
  else if (f.idValidFrom > today) out.idValidFrom = '证件有效期的开始日期不能晚于今天'
  if (!f.idValidTo) out.idValidTo = '请选择证件有效期的结束日期，或选择“长期”'
  else if (f.idValidTo !== 'long-term' && f.idValidTo < today) out.idValidTo = '证件已过期，请使用有效期内的证件'
  else if (f.idValidTo !== 'long-term' && f.idValidFrom && f.idValidTo <= f.idValidFrom) out.idValidTo = '结束日期应晚于开始日期'
  if (!f.photo) out.photo = '请上传一张符合要求的证件照片'
  return out
}
