import { newApi, SessionHolder } from '@/api/client'
import { router } from './router'

/** The reviewer's session in this tab (kept apart from an applicant's). */
export const session = new SessionHolder('jszg.reviewer.session')

// A session that ended (expired, logged out elsewhere) sends the reviewer to log in again,
// and back to the page afterwards.
export const api = newApi(session, () => {
  const here = router.currentRoute.value
  if (here.name !== 'login') void router.replace({ name: 'login', query: { next: here.fullPath } })
})
