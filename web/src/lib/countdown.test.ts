import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useCountdown } from './countdown'

describe('useCountdown', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('counts whole seconds to zero and can be restarted', () => {
    const c = useCountdown()
    c.start(3)
    expect(c.left.value).toBe(3)
    vi.advanceTimersByTime(1000)
    expect(c.left.value).toBe(2)
    c.start(60)
    vi.advanceTimersByTime(2000)
    expect(c.left.value).toBe(58)
    vi.advanceTimersByTime(60_000)
    expect(c.left.value).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stops with the component (scope) that made it', () => {
    const scope = effectScope()
    const c = scope.run(() => useCountdown())!
    c.start(10)
    scope.stop()
    expect(c.left.value).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})
