import { newApi, SessionHolder } from '@/api/client'
import { router } from './router'

/** The reviewer's session in this tab (kept apart from an applicant's). */
export const session = new SessionHolder('jszg.reviewer.session')

/** toLogin sends the reviewer to log in again, and back to the page afterwards. */
function toLogin(): void {
  const here = router.currentRoute.value
  if (here.name !== 'login') void router.replace({ name: 'login', query: { next: here.fullPath } })
}

// A session that ended (expired, logged out elsewhere) sends the reviewer to log in again.
export const api = newApi(session, toLogin)

/**
 * deskIdleMs: the server ends a session between 25 and 30 minutes after its last request
 * (shared/authn IdleTimeout less SlideEvery); the desk lets go at the first of those.
 */
export const deskIdleMs = 25 * 60 * 1000

/**
 * checkIdle sends the reviewer to log in once the session can have ended without a request
 * saying so, which unmounts the review: an unattended screen does not keep showing an
 * applicant's photo and full document number.
 */
export function checkIdle(): void {
  const usedAt = session.usedAt
  if (usedAt !== null && Date.now() - usedAt >= deskIdleMs) {
    session.clear()
    toLogin()
  }
}

/** watchIdle checks every 15 s, and when the tab is shown again (background timers slow). */
export function watchIdle(): void {
  window.setInterval(checkIdle, 15_000)
  document.addEventListener('visibilitychange', checkIdle)
}
