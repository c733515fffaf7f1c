// Two reviewers' approvals: a contact correction or an ownership claim hands an account's
// recovery, or the account itself, to whoever filed it, so its approval takes two reviewers
// (the server's casework.NeedsSecondReviewer). The first approval changes nothing and tells
// no one; another reviewer's approval decides; a rejection, by either, is final. Identity and
// name-change reviews take one approval, as before.
import type { Schemas } from '@/api/client'
import { cstDateTime } from '@/lib/cstTime'

export type FirstApproval = NonNullable<Schemas['QueueItem']['firstApproval']>

/**
 * ApprovalStep is what 通过 would be on a pending review: the only approval it takes, the
 * first of two, the second (another reviewer gave the first), or none (this reviewer gave the
 * first: only another may approve, and this one may still reject).
 */
export type ApprovalStep = 'only' | 'first' | 'second' | 'mine'

/** takesTwoApprovals reports a kind whose approval takes two reviewers. */
export function takesTwoApprovals(kind: string): boolean {
  return kind === 'contact' || kind === 'ownership'
}

/** approvalStep is the step 通过 would be, or null for a decided review. */
export function approvalStep(r: { kind: string; status: string; firstApproval?: FirstApproval }): ApprovalStep | null {
  if (r.status !== 'pending') return null
  if (r.firstApproval) return r.firstApproval.byYou ? 'mine' : 'second'
  return takesTwoApprovals(r.kind) ? 'first' : 'only'
}

/** What the page says once its first approval is taken (the server answered status pending). */
export const firstApprovedText =
  '已初审通过。联系方式更正和账号申诉须由另一位审核员复核通过后才生效；申请人暂不会收到通知。'

/** Why this reviewer's 通过 is refused on a review they approved first. */
export const mineRefusedText = '您已初审通过本申请，须由另一位审核员复核通过；您仍可选择“不通过”（N）。'

/** secondText asks for the second approval of a review another reviewer approved first. */
export function secondText(first: FirstApproval): string {
  return `已由另一位审核员初审通过（${cstDateTime(first.at)}），请复核`
}
