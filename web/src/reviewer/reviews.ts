// The queue as both pages read it: one page of GET /v1/reviews, and the oldest pending review
// (the "next one" after a decision).
import { must, type Schemas } from '@/api/client'
import type { QueueFilters } from './lib/queueFilters'
import type { ReviewKind } from './lib/reviewText'
import { api } from './session'

export type QueuePage = Schemas['Queue']
export type PageReader = (f: QueueFilters, cursor: string | null) => Promise<QueuePage>

export const readPage: PageReader = (f, cursor) =>
  must(
    api.GET('/v1/reviews', {
      params: { query: { status: f.status, kind: f.kind ?? undefined, limit: f.limit, cursor: cursor ?? undefined } },
    }),
  )

/**
 * oldestPending is the first pending review (of kind, when given) this reviewer can decide,
 * or null when none is left: a correction this reviewer approved first waits on another
 * reviewer, so it is passed over (else the next one would be that review again and again,
 * with only 不通过 to press). A page of one kind may come back empty with a nextCursor (the
 * contract says so), so the pages are followed, a bounded number of them, until one has an
 * item.
 */
export async function oldestPending(kind: ReviewKind | null, read: PageReader = readPage, maxPages = 10): Promise<string | null> {
  let cursor: string | null = null
  for (let i = 0; i < maxPages; i += 1) {
    const page: QueuePage = await read({ status: 'pending', kind, limit: 20 }, cursor)
    const first = page.items.find((r) => !r.firstApproval?.byYou)
    if (first) return first.reviewId
    if (!page.nextCursor) return null
    cursor = page.nextCursor
  }
  return null
}
