import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SessionHolder } from './client'

const holder = new SessionHolder('test.session')

beforeEach(() => {
  sessionStorage.clear()
  vi.useFakeTimers({ now: Date.parse('2026-11-28T10:00:00Z') })
})
afterEach(() => vi.useRealTimers())

describe('the session holder', () => {
  it('knows when the token last went to the server, from the login on', () => {
    expect(holder.usedAt).toBeNull()
    holder.save('t0k', '2026-11-28T22:00:00Z')
    expect(holder.usedAt).toBe(Date.parse('2026-11-28T10:00:00Z'))
    vi.advanceTimersByTime(60_000)
    holder.touch()
    expect(holder.usedAt).toBe(Date.parse('2026-11-28T10:01:00Z'))
    expect(holder.token).toBe('t0k')
  })

  it('forgets a token past its end, and touches nothing without one', () => {
    holder.touch()
    expect(sessionStorage.length).toBe(0)
    holder.save('t0k', '2026-11-28T10:30:00Z')
    vi.advanceTimersByTime(30 * 60_000)
    expect(holder.token).toBeNull()
    expect(holder.usedAt).toBeNull()
  })

  it('with an idle limit, forgets a token left unused that long, and keeps one in use', () => {
    const desk = new SessionHolder('test.desk', 25 * 60_000)
    desk.save('d3sk', '2026-11-28T22:00:00Z')
    vi.advanceTimersByTime(20 * 60_000)
    expect(desk.token).toBe('d3sk')
    desk.touch()
    vi.advanceTimersByTime(20 * 60_000)
    expect(desk.token).toBe('d3sk')
    vi.advanceTimersByTime(5 * 60_000)
    expect(desk.token).toBeNull()
    expect(sessionStorage.getItem('test.desk')).toBeNull()
  })
})
