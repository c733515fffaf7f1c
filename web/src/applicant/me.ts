import { ref } from 'vue'
import { must, type Schemas } from '@/api/client'
import { messageOf } from '@/lib/errors'
import { api } from './session'

/**
 * useMe is GET /v1/me for a page that shows or depends on the account: me once loaded,
 * failure (in words) if it could not be, and reload() after a change.
 */
export function useMe() {
  const me = ref<Schemas['Me'] | null>(null)
  const failure = ref('')
  const loading = ref(false)

  async function reload(): Promise<Schemas['Me'] | null> {
    loading.value = true
    failure.value = ''
    try {
      me.value = await must(api.GET('/v1/me'))
    } catch (err) {
      failure.value = messageOf(err)
    } finally {
      loading.value = false
    }
    return me.value
  }

  return { me, failure, loading, reload }
}
