import { SessionHolder } from '@/api/client'

/**
 * deskIdleMs: the server ends a session between 25 and 30 minutes after its last request
 * (shared/authn IdleTimeout less SlideEvery); the desk lets go at the first of those.
 */
export const deskIdleMs = 25 * 60 * 1000

/**
 * The reviewer's session in this tab (kept apart from an applicant's), one holder for the
 * router and the API client: idle past deskIdleMs, it is forgotten and never sent again.
 */
export const session = new SessionHolder('jszg.reviewer.session', deskIdleMs)
