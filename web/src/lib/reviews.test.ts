import { describe, expect, it } from 'vitest'
import { reviewFormProblems, reviewPage, type MyReview } from './reviews'

type Status = 'unverified' | 'verified' | 'review_pending' | 'review_approved' | 'review_rejected'
const me = (status: Status, rejectReason: string | null = null) => ({
  verification: { status, remainingToday: 3, manualRemainingThisCycle: 3, rejectReason, reapplyRequired: false },
})
const review = (status: MyReview['status'], kind: MyReview['kind'] = 'identity', reason: string | null = null): MyReview => ({
  reviewId: `r-${status}-${kind}`,
  kind,
  status,
  reason,
  submittedAt: '2026-03-02T02:00:00Z',
  dueAt: '2026-03-11T15:59:59Z',
  decidedAt: status === 'pending' ? null : '2026-03-03T02:00:00Z',
})

describe('reviewPage', () => {
  it('shows a pending review instead of the form', () => {
    const pending = review('pending')
    expect(reviewPage(me('review_pending'), [pending, review('rejected')])).toEqual({ show: 'pending', review: pending })
    // The account may say so before the list has it, or the other way round.
    expect(reviewPage(me('review_pending'), [])).toEqual({ show: 'pending', review: null })
    expect(reviewPage(me('unverified'), [pending])).toEqual({ show: 'pending', review: pending })
  })

  it('shows no identity form to an applicant verified or approved, and a name change that waits', () => {
    const approved = review('approved')
    expect(reviewPage(me('review_approved'), [approved])).toEqual({ show: 'cleared', approved, nameChangePending: null })
    expect(reviewPage(me('verified'), [])).toEqual({ show: 'cleared', approved: null, nameChangePending: null })
    const renaming = review('pending', 'name_change')
    expect(reviewPage(me('verified'), [renaming, review('rejected', 'name_change')])).toEqual({ show: 'cleared', approved: null, nameChangePending: renaming })
  })

  it('shows a rejection reason above the form again', () => {
    expect(reviewPage(me('review_rejected', '照片不清晰'), [review('rejected', 'identity', '照片不清晰')])).toEqual({ show: 'form', rejectedReason: '照片不清晰' })
    expect(reviewPage(me('review_rejected'), [review('rejected', 'identity', '姓名与证件不符')])).toEqual({ show: 'form', rejectedReason: '姓名与证件不符' })
    expect(reviewPage(me('unverified'), [])).toEqual({ show: 'form', rejectedReason: null })
  })

  it('is about identity reviews only: a contact correction pending does not hide the form', () => {
    expect(reviewPage(me('unverified'), [review('pending', 'contact')])).toEqual({ show: 'form', rejectedReason: null })
  })
})

describe('reviewFormProblems', () => {
  const ok = { name: '王老师', idType: 'resident_id' as const, idNumber: '11010519491231002X', idValidFrom: '2020-01-01', idValidTo: 'long-term', photo: '/9j/' }

  it('passes a complete form', () => {
    expect(reviewFormProblems(ok, '2026-03-01')).toEqual({})
  })

  it('names each missing or wrong field by the contract names', () => {
    expect(Object.keys(reviewFormProblems({ ...ok, name: ' ', idNumber: '123', idValidFrom: '', idValidTo: '', photo: '' }, '2026-03-01')).sort()).toEqual(
      ['idNumber', 'idValidFrom', 'idValidTo', 'name', 'photo'],
    )
  })

  it('refuses an expired document and dates in the wrong order', () => {
    expect(reviewFormProblems({ ...ok, idValidTo: '2026-02-28' }, '2026-03-01').idValidTo).toContain('已过期')
    expect(reviewFormProblems({ ...ok, idValidFrom: '2026-03-02' }, '2026-03-01').idValidFrom).toContain('不能晚于今天')
    expect(reviewFormProblems({ ...ok, idValidFrom: '2026-01-01', idValidTo: '2026-03-01' }, '2026-03-01')).toEqual({})
  })
})
