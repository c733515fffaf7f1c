// The pages' one road to the API: openapi-fetch typed by docs/openapi.yaml (src/api/schema.d.ts
// is generated from it; `make lint` fails when it is stale), so a page that sends a field the
// contract does not have, or reads one it does not answer, does not type-check.
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'

export type Schemas = components['schemas']
export type ErrorCode = Schemas['Error']['error']['code']

/** An answer in the contract's error shape, or a failure to reach the server at all. */
export class ApiError extends Error {
  readonly status: number
  readonly code: ErrorCode | 'NETWORK'
  readonly field?: string
  readonly retryAfter?: number

  constructor(status: number, body: Schemas['Error']['error'] | undefined) {
    super(body?.message ?? (status === 0 ? '网络连接失败，请检查网络后重试' : '系统繁忙，请稍后重试'))
    this.status = status
    this.code = body?.code ?? (status === 0 ? 'NETWORK' : 'INTERNAL')
    this.field = body?.field
    this.retryAfter = body?.retryAfter
  }
}

/**
 * Where a page keeps its session: the tab's sessionStorage, so closing the tab logs out. With
 * idleMs, a token that has not gone to the server for that long is forgotten as if it had
 * expired, and never sent again.
 */
export class SessionHolder {
  constructor(
    private readonly key: string,
    private readonly idleMs?: number,
  ) {}

  get token(): string | null {
    return this.read()?.token ?? null
  }

  /** usedAt is when the token last went to the server (ms since the epoch), or null. */
  get usedAt(): number | null {
    return this.read()?.usedAt ?? null
  }

  save(token: string, expiresAt: string): void {
    sessionStorage.setItem(this.key, JSON.stringify({ token, expiresAt, usedAt: Date.now() }))
  }

  /** touch notes a request sent with the token: the server's idle deadline slides from it. */
  touch(): void {
    const s = this.read()
    if (s) sessionStorage.setItem(this.key, JSON.stringify({ ...s, usedAt: Date.now() }))
  }

  private read(): { token: string; expiresAt: string; usedAt?: number } | null {
    const raw = sessionStorage.getItem(this.key)
    if (!raw) return null
    try {
      const s = JSON.parse(raw) as { token: string; expiresAt: string; usedAt?: number }
      const idle = this.idleMs !== undefined && s.usedAt !== undefined && Date.now() - s.usedAt >= this.idleMs
      if (Date.parse(s.expiresAt) <= Date.now() || idle) {
        this.clear()
        return null
      }
      return s
    } catch {
      this.clear()
      return null
    }
  }

  clear(): void {
    sessionStorage.removeItem(this.key)
  }
}

export type Api = ReturnType<typeof createClient<paths>>

/**
 * newApi is a client that sends the holder's token, and calls onUnauthenticated (after
 * forgetting the token) when the server says the session is gone.
 */
export function newApi(session: SessionHolder, onUnauthenticated: () => void): Api {
  const api = createClient<paths>({ baseUrl: '' })
  const auth: Middleware = {
    onRequest({ request }) {
      const token = session.token
      if (token) {
        request.headers.set('Authorization', `Bearer ${token}`)
        session.touch()
      }
      return request
    },
    async onResponse({ response }) {
      if (response.status === 401) {
        const body = (await response.clone().json().catch(() => null)) as Schemas['Error'] | null
        if (body?.error.code === 'UNAUTHENTICATED') {
          session.clear()
          onUnauthenticated()
        }
      }
      return response
    },
  }
  api.use(auth)
  return api
}

type Outcome<T> = { data?: T; error?: unknown; response: Response }

/**
 * must turns openapi-fetch's {data, error} into the data or a thrown ApiError, and a
 * network failure into ApiError(0). A 204 gives undefined.
 */
export async function must<T>(call: Promise<Outcome<T>>): Promise<T> {
  let out: Outcome<T>
  try {
    out = await call
  } catch {
    throw new ApiError(0, undefined)
  }
  if (out.response.ok) return out.data as T
  const body = out.error as Schemas['Error'] | undefined
  throw new ApiError(out.response.status, body?.error)
}
