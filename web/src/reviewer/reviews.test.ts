import { describe, expect, it, vi } from 'vitest'

// The session module builds the router; the pages are not what this tests.
vi.mock('./session', () => ({ api: {} }))

const { oldestPending } = await import('./reviews')

type Item = { reviewId: string; firstApproval?: { at: string; byYou: boolean } }
function pages(...list: { items: Item[]; nextCursor: string | null }[]) {
  const seen: (string | null)[] = []
  const read = vi.fn(async (_f: unknown, cursor: string | null) => {
    seen.push(cursor)
    return list[seen.length - 1] as never
  })
  return { read, seen }
}

describe('oldestPending', () => {
  it('is the first item of the first page', async () => {
    const { read, seen } = pages({ items: [{ reviewId: 'r1' }, { reviewId: 'r2' }], nextCursor: 'c' })
    expect(await oldestPending(null, read)).toBe('r1')
    expect(seen).toEqual([null])
    expect(read.mock.calls[0]?.[0]).toEqual({ status: 'pending', kind: null, limit: 20 })
  })

  it('passes over a correction this reviewer approved first, which waits on another reviewer', async () => {
    const at = '2026-05-18T09:00:00+08:00'
    const { read } = pages({
      items: [
        { reviewId: 'mine', firstApproval: { at, byYou: true } },
        { reviewId: 'theirs', firstApproval: { at, byYou: false } },
      ],
      nextCursor: null,
    })
    expect(await oldestPending(null, read)).toBe('theirs')
    const { read: onlyMine } = pages(
      { items: [{ reviewId: 'mine', firstApproval: { at, byYou: true } }], nextCursor: 'c2' },
      { items: [{ reviewId: 'r7' }], nextCursor: null },
    )
    expect(await oldestPending(null, onlyMine)).toBe('r7')
  })

  it('follows the cursors past pages a kind left empty', async () => {
    const { read, seen } = pages(
      { items: [], nextCursor: 'c2' },
      { items: [], nextCursor: 'c3' },
      { items: [{ reviewId: 'r9' }], nextCursor: null },
    )
    expect(await oldestPending('contact', read)).toBe('r9')
    expect(seen).toEqual([null, 'c2', 'c3'])
  })

  it('is null when the queue is empty, or after a bounded number of empty pages', async () => {
    expect(await oldestPending(null, pages({ items: [], nextCursor: null }).read)).toBeNull()
    const endless = vi.fn(async () => ({ items: [], nextCursor: 'again' }))
    expect(await oldestPending(null, endless as never, 3)).toBeNull()
    expect(endless).toHaveBeenCalledTimes(3)
  })
})
