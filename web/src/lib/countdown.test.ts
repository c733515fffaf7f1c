import { afterEach, describe, expect, it, vi } from 'vitest'
import { useCountdown } from './countdown'

afterEach(() => vi.useRealTimers())

describe('useCountdown', () => {
  it('counts down a second at a time to 0 and restarts from the top', () => {
    vi.useFakeTimers()
    const c = useCountdown()
    c.start(3)
    expect(c.wait.value).toBe(3)
    vi.advanceTimersByTime(1000)
    expect(c.wait.value).toBe(2)
    c.start(3)
    vi.advanceTimersByTime(2000)
    expect(c.wait.value).toBe(1)
    vi.advanceTimersByTime(5000)
    expect(c.wait.value).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})
