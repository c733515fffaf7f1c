import type { Schemas } from '@/api/client'

/** pageOf is where the applicant goes after a login or a change, from the server's nextStep. */
export function pageOf(step: Schemas['NextStep']): string {
  switch (step) {
    case 'complete_profile':
      return 'profile'
    case 'verify_identity':
      return 'verification'
    case 'review_pending':
      return 'manual-review'
    default:
      return 'account'
  }
}
