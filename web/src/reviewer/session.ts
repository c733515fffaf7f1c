import { newApi, SessionHolder } from '@/api/client'
import { router } from './router'

/** The reviewer's session in this tab (kept apart from an applicant's). */
export const session = new SessionHolder('jszg.reviewer.session')

export const api = newApi(session, () => {
  if (router.currentRoute.value.name !== 'login') void router.replace({ name: 'login' })
})
