import { ref } from 'vue'
import { newApi, SessionHolder, type Schemas } from '@/api/client'
import { router } from './router'

/**
 * kept is the account as the server last answered it in this session (GET /v1/me, or
 * PUT /v1/me/profile, which answers the same), shared by every page: useMe (me.ts) reads and
 * refreshes it. Memory only, so it ends with the tab; forgotten whenever the session is saved
 * (a login, perhaps as someone else) or cleared (a logout, a 401, an expired token).
 */
export const kept = ref<Schemas['Me'] | null>(null)

class ApplicantSession extends SessionHolder {
  override save(token: string, expiresAt: string): void {
    kept.value = null
    super.save(token, expiresAt)
  }

  override clear(): void {
    kept.value = null
    super.clear()
  }
}

/** The applicant's session in this tab, and the API client that sends it. */
export const session: SessionHolder = new ApplicantSession('jszg.applicant.session')

export const api = newApi(session, () => {
  const here = router.currentRoute.value
  if (here.meta.auth) void router.replace({ name: 'login', query: { next: here.fullPath } })
})
