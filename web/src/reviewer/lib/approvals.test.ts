import { describe, expect, it } from 'vitest'
import { approvalStep, firstApprovedText, secondText, takesTwoApprovals } from './approvals'

describe('two reviewers’ approvals', () => {
  it('takes two for a contact correction or an ownership claim, one for the other kinds', () => {
    expect(takesTwoApprovals('contact')).toBe(true)
    expect(takesTwoApprovals('ownership')).toBe(true)
    expect(takesTwoApprovals('identity')).toBe(false)
    expect(takesTwoApprovals('name_change')).toBe(false)
  })

  it('tells which approval 通过 would give', () => {
    expect(approvalStep({ kind: 'identity', status: 'pending' })).toBe('only')
    expect(approvalStep({ kind: 'name_change', status: 'pending' })).toBe('only')
    expect(approvalStep({ kind: 'contact', status: 'pending' })).toBe('first')
    expect(approvalStep({ kind: 'ownership', status: 'pending' })).toBe('first')
    const at = '2026-05-17T02:03:00Z'
    expect(approvalStep({ kind: 'contact', status: 'pending', firstApproval: { at, byYou: false } })).toBe('second')
    expect(approvalStep({ kind: 'ownership', status: 'pending', firstApproval: { at, byYou: true } })).toBe('mine')
    expect(approvalStep({ kind: 'contact', status: 'approved' })).toBeNull()
    expect(approvalStep({ kind: 'contact', status: 'rejected', firstApproval: { at, byYou: true } })).toBeNull()
  })

  it('says the first approval and asks for the second in plain words, in Beijing time', () => {
    expect(firstApprovedText).toBe('已初审通过。联系方式更正和账号申诉须由另一位审核员复核通过后才生效；申请人暂不会收到通知。')
    expect(secondText({ at: '2026-05-17T02:03:00Z', byYou: false })).toBe('已由另一位审核员初审通过（2026-05-17 10:03），请复核')
  })
})
