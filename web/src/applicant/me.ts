import { ref } from 'vue'
import { must, type Schemas } from '@/api/client'
import { messageOf } from '@/lib/errors'
import { api, kept, session } from './session'

/** stale: a change was made and reading it back failed, so what is kept is not to be trusted */
let stale = false

/**
 * useMe is the account for a page that shows or depends on it: me, the one kept for the whole
 * session (session.ts), failure (in words) if it could not be had, load() when the page opens
 * and reload() after a change.
 */
export function useMe() {
  const failure = ref('')
  const loading = ref(false)

  /**
   * reload asks GET /v1/me and keeps the answer; null when it could not be had (failure says
   * why, and the next load asks again). An answer to a session since ended is not kept.
   */
  async function reload(): Promise<Schemas['Me'] | null> {
    loading.value = true
    failure.value = ''
    const asked = session.token
    try {
      const m = await must(api.GET('/v1/me'))
      keep(m, asked)
      return m
    } catch (err) {
      failure.value = messageOf(err)
      stale = true
      return null
    } finally {
      loading.value = false
    }
  }

  /**
   * load gives the kept account, and asks only when there is none, when a change could not be
   * read back, or when a manual review is pending: its decision comes from a reviewer, not
   * from this tab (askAgain).
   */
  async function load(): Promise<Schemas['Me'] | null> {
    const m = kept.value
    if (m && !stale && m.verification.status !== 'review_pending') return m
    return reload()
  }

  return { me: kept, failure, loading, load, reload }
}

/** keep keeps an account the server answered (GET /v1/me, PUT /v1/me/profile) to the session that asked it. */
export function keep(m: Schemas['Me'], asked: string | null = session.token): void {
  if (asked === null || asked !== session.token) return
  kept.value = m
  stale = false
}

/**
 * askAgain has the next page that opens ask the server, not the kept account: the manual-review
 * page calls it when a review of another kind (a change of name) waits for a reviewer.
 */
export function askAgain(): void {
  stale = true
}
