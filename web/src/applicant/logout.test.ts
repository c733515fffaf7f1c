import { beforeEach, describe, expect, it, vi } from 'vitest'
import { SessionHolder, type Api } from '@/api/client'
import { logout } from './logout'
import { handAccount, takeAccount } from './handoff'

const holder = new SessionHolder('test.session')
const future = new Date(Date.now() + 3_600_000).toISOString()

beforeEach(() => sessionStorage.clear())

describe('logout', () => {
  it('ends the session on the server and forgets the token', async () => {
    holder.save('t'.repeat(43), future)
    const DELETE = vi.fn().mockResolvedValue({ response: new Response(null, { status: 204 }) })
    await logout({ DELETE } as unknown as Api, holder)
    expect(DELETE).toHaveBeenCalledWith('/v1/sessions/current')
    expect(holder.token).toBeNull()
  })

  it('forgets the token even when the server cannot be reached', async () => {
    holder.save('t'.repeat(43), future)
    const DELETE = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'))
    await logout({ DELETE } as unknown as Api, holder)
    expect(holder.token).toBeNull()
    expect(sessionStorage.length).toBe(0)
  })
})

describe('handoff', () => {
  it('hands an account over once', () => {
    handAccount('11010519491231002X')
    expect(takeAccount()).toBe('11010519491231002X')
    expect(takeAccount()).toBe('')
  })
})
