import { describe, expect, it } from 'vitest'
import { back, cursorOf, firstPage, forward, pageNumber } from './pager'

describe('the queue trail', () => {
  it('goes forward by the server’s cursors and back by the ones it kept', () => {
    let t = firstPage
    expect(cursorOf(t)).toBeNull()
    expect(pageNumber(t)).toBe(1)
    t = forward(t, 'c2')
    t = forward(t, 'c3')
    expect(cursorOf(t)).toBe('c3')
    expect(pageNumber(t)).toBe(3)
    t = back(t)
    expect(cursorOf(t)).toBe('c2')
    t = back(t)
    expect(cursorOf(t)).toBeNull()
    expect(back(t)).toBe(t)
  })

  it('never changes a trail in place', () => {
    const t = forward(firstPage, 'c2')
    forward(t, 'c3')
    back(t)
    expect(t).toEqual([null, 'c2'])
  })
})
