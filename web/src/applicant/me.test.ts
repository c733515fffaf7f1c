import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Schemas } from '@/api/client'

// The API client takes fetch when it is made (session.ts, on import): the fake goes in first.
const server = vi.hoisted(() => {
  const state = { answers: [] as { status: number; body: unknown }[], asked: [] as string[] }
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost/'), init)
    state.asked.push(`${req.method} ${new URL(req.url).pathname}`)
    const a = state.answers.shift() ?? { status: 500, body: { error: { code: 'INTERNAL', message: 'no answer' } } }
    return new Response(a.status === 204 ? null : JSON.stringify(a.body), { status: a.status, headers: { 'Content-Type': 'application/json' } })
  }
  return state
})

vi.mock('./router', () => ({
  router: { currentRoute: { value: { meta: {}, fullPath: '/' } }, replace: vi.fn() },
}))

const { api, kept, session } = await import('./session')
const { askAgain, keep, useMe } = await import('./me')
const { logout } = await import('./logout')

const future = new Date(Date.now() + 3_600_000).toISOString()

function me(name: string, status: Schemas['Me']['verification']['status'] = 'unverified'): Schemas['Me'] {
  return {
    accountId: 'a1', idType: 'resident_id', idNumberMasked: '1101**********1234', name,
    emailMasked: null, phoneMasked: null, phoneVerified: true, wechatBound: false,
    profile: {}, profileComplete: true,
    verification: { status, remainingToday: 3, manualRemainingThisCycle: 3, rejectReason: null, reapplyRequired: false },
    nextStep: status === 'verified' ? 'none' : 'verify_identity',
  }
}

function answer(status: number, body: unknown = {}) {
  server.answers.push({ status, body })
}

const gets = () => server.asked.filter((a) => a === 'GET /v1/me').length

beforeEach(() => {
  sessionStorage.clear()
  localStorage.clear()
  server.answers.length = 0
  server.asked.length = 0
  session.save('t'.repeat(43), future) // a login: nothing kept from before
})

describe('the kept account', () => {
  it('is asked once and shared by every page of the session', async () => {
    answer(200, me('李老师'))
    const first = useMe()
    const second = useMe()
    expect((await first.load())?.name).toBe('李老师')
    expect((await second.load())?.name).toBe('李老师')
    expect(second.me.value?.name).toBe('李老师')
    expect(gets()).toBe(1)
  })

  it('is refreshed after a change: reload asks, and an answer that is an account is kept as it is', async () => {
    answer(200, me('李老师'))
    const { load, reload } = useMe()
    await load()
    answer(200, me('李老师', 'verified'))
    await reload()
    expect(kept.value?.verification.status).toBe('verified')
    expect((await load())?.verification.status).toBe('verified')
    keep(me('李新'))
    expect((await load())?.name).toBe('李新')
    expect(gets()).toBe(2)
  })

  it('is asked again when a change could not be read back', async () => {
    answer(200, me('李老师'))
    const { load, reload, failure } = useMe()
    await load()
    answer(503, { error: { code: 'SERVICE_UNAVAILABLE', message: '系统繁忙' } })
    expect(await reload()).toBeNull()
    expect(failure.value).toBe('系统繁忙')
    answer(200, me('李老师', 'verified'))
    expect((await load())?.verification.status).toBe('verified')
    expect(gets()).toBe(3)
  })

  it('is asked again while a manual review is pending, or when a page says the server may have changed it', async () => {
    answer(200, me('李老师', 'review_pending'))
    const { load } = useMe()
    await load()
    answer(200, me('李老师', 'review_approved'))
    expect((await load())?.verification.status).toBe('review_approved')
    askAgain()
    answer(200, me('李老师', 'review_approved'))
    await load()
    await load()
    expect(gets()).toBe(3)
  })

  it('is forgotten on logout', async () => {
    answer(200, me('李老师'))
    await useMe().load()
    answer(204)
    await logout(api, session)
    expect(kept.value).toBeNull()
    expect(session.token).toBeNull()
  })

  it('is forgotten on a 401, with the session', async () => {
    answer(200, me('李老师'))
    const { load, reload } = useMe()
    await load()
    answer(401, { error: { code: 'UNAUTHENTICATED', message: '请重新登录' } })
    expect(await reload()).toBeNull()
    expect(kept.value).toBeNull()
    expect(session.token).toBeNull()
  })

  it('is forgotten on a login, perhaps as someone else', async () => {
    answer(200, me('李老师'))
    const { load } = useMe()
    await load()
    session.save('u'.repeat(43), future)
    expect(kept.value).toBeNull()
    answer(200, me('王老师'))
    expect((await load())?.name).toBe('王老师')
  })

  it('does not keep an answer to a session that ended while it was asked', async () => {
    server.answers.push({ status: 200, body: me('李老师') })
    const asking = useMe().reload()
    session.clear()
    await asking
    expect(kept.value).toBeNull()
    keep(me('李老师')) // no session: nothing is kept
    expect(kept.value).toBeNull()
  })

  it('is held in memory only: storage has the session token and nothing of the account', async () => {
    answer(200, me('李老师'))
    await useMe().load()
    expect(localStorage.length).toBe(0)
    expect(sessionStorage.length).toBe(1)
    expect(sessionStorage.getItem('jszg.applicant.session')).not.toContain('李老师')
  })
})
