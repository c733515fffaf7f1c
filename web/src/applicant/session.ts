import { newApi, SessionHolder } from '@/api/client'
import { router } from './router'

/** The applicant's session in this tab, and the API client that sends it. */
export const session = new SessionHolder('jszg.applicant.session')

export const api = newApi(session, () => {
  const here = router.currentRoute.value
  if (here.meta.auth) void router.replace({ name: 'login', query: { next: here.fullPath } })
})
