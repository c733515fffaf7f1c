// The queue's pages are reached by the server's signed cursors, which only go forward. To go
// back, the desk keeps the cursor that opened each page it has shown: the trail. Page 1 was
// opened by no cursor.

export type Trail = readonly (string | null)[]

export const firstPage: Trail = [null]

/** cursorOf is the cursor that opens the trail's current page (null: the first page). */
export function cursorOf(trail: Trail): string | null {
  return trail[trail.length - 1] ?? null
}

/** forward is the trail after following next to the following page. */
export function forward(trail: Trail, next: string): Trail {
  return [...trail, next]
}

/** back is the trail of the page before; the first page has none before it. */
export function back(trail: Trail): Trail {
  return trail.length > 1 ? trail.slice(0, -1) : trail
}

/** pageNumber is the current page, from 1. */
export function pageNumber(trail: Trail): number {
  return trail.length
}
