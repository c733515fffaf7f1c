import { newApi } from '@/api/client'
import { session } from './holder'
import { router } from './router'

export { deskIdleMs, session } from './holder'

/** toLogin sends the reviewer to log in again, and back to the page afterwards. */
function toLogin(): void {
  const here = router.currentRoute.value
  if (here.name !== 'login') void router.replace({ name: 'login', query: { next: here.fullPath } })
}

// A session that ended (expired, logged out elsewhere) sends the reviewer to log in again.
export const api = newApi(session, toLogin)

/**
 * checkIdle sends the reviewer to log in once the session can have ended without a request
 * saying so — idle past deskIdleMs, or past its end — which unmounts the review: an
 * unattended screen does not keep showing an applicant's photo and full document number.
 */
export function checkIdle(): void {
  if (session.token === null) toLogin()
}

/** watchIdle checks every 15 s, and when the tab is shown again (background timers slow). */
export function watchIdle(): void {
  window.setInterval(checkIdle, 15_000)
  document.addEventListener('visibilitychange', checkIdle)
}
