// The queue's filters live in the address bar (?status=&kind=&limit=), so that the way back
// from a review, a reload or a shared link shows the same list. Anything else typed there
// falls back to the default: pending reviews of every kind, 20 a page.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import { isKind, isStatus, type ReviewKind, type ReviewStatus } from './reviewText'

export type QueueFilters = { status: ReviewStatus; kind: ReviewKind | null; limit: number }

export const defaultLimit = 20
export const limitOptions = [10, 20, 50, 100] as const

function one(v: LocationQuery[string] | undefined): string | null {
  return (Array.isArray(v) ? v[0] : v) ?? null
}

export function filtersFrom(query: LocationQuery): QueueFilters {
  const status = one(query.status)
  const kind = one(query.kind)
  const limit = Number(one(query.limit) ?? defaultLimit)
  return {
    status: isStatus(status) ? status : 'pending',
    kind: isKind(kind) ? kind : null,
    limit: Number.isInteger(limit) && limit >= 1 && limit <= 100 ? limit : defaultLimit,
  }
}

/** queryOf is the address bar's query for filters, without the defaults. */
export function queryOf(f: QueueFilters): LocationQueryRaw {
  const q: LocationQueryRaw = {}
  if (f.status !== 'pending') q.status = f.status
  if (f.kind) q.kind = f.kind
  if (f.limit !== defaultLimit) q.limit = String(f.limit)
  return q
}
