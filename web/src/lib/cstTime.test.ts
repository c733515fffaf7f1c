import { describe, expect, it } from 'vitest'
import { cstClockAfter, cstDate, cstDateTime } from './cstTime'

describe('CST times', () => {
  it('shows an instant on Beijing time, whatever offset it was written with', () => {
    expect(cstDateTime('2026-05-17T16:03:00Z')).toBe('2026-05-18 00:03')
    expect(cstDateTime('2026-05-18T00:03:59+08:00')).toBe('2026-05-18 00:03')
    expect(cstDate('2026-12-31T16:00:00Z')).toBe('2027-01-01')
    expect(cstDate('2026-12-31T15:59:59Z')).toBe('2026-12-31')
  })

  it('gives nothing for a time it cannot read', () => {
    expect(cstDateTime('soon')).toBe('')
    expect(cstDate('')).toBe('')
  })

  it('says the time of day a wait ends', () => {
    const now = Date.parse('2026-05-17T06:00:00Z') // 14:00 in Beijing
    expect(cstClockAfter(900, now)).toBe('14:15:00')
    expect(cstClockAfter(59, now)).toBe('14:00:59')
  })
})
