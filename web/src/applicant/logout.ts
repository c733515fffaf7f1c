import { type Api, type SessionHolder } from '@/api/client'

/**
 * logout ends the session on the server (DELETE /v1/sessions/current) and forgets it here.
 * The server's answer does not matter: an expired or unreachable session is forgotten all the
 * same, so the applicant is never left logged in on this device.
 */
export async function logout(api: Api, session: SessionHolder): Promise<void> {
  try {
    if (session.token) await api.DELETE('/v1/sessions/current')
  } catch {
    // ignored: the token is dropped below whatever happened
  } finally {
    session.clear()
  }
}
