import { describe, expect, it } from 'vitest'
import { cstDate, cstDateTime, todayCST } from './format'

describe('China Standard Time', () => {
  it('puts an instant on China’s calendar day, whatever the phone’s zone', () => {
    expect(cstDate('2026-03-01T16:30:00Z')).toBe('2026-03-02')
    expect(cstDateTime('2026-03-01T16:30:00Z')).toBe('2026-03-02 00:30')
    expect(cstDateTime('2026-03-01T03:05:00Z')).toBe('2026-03-01 11:05')
    expect(todayCST(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01')
  })
})
