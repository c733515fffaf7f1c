// Times as the site states them: China Standard Time (UTC+8, no daylight saving), whatever
// the reviewer's or applicant's computer is set to. The API's times are RFC 3339 with any
// offset; the pages show them as 2026-05-17 14:03.

const cstOffsetMs = 8 * 3600 * 1000

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

function parts(at: string | number | Date): Date | null {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at)
  if (Number.isNaN(ms)) return null
  // Shifted by eight hours, the UTC fields of the date are the wall clock in Beijing.
  return new Date(ms + cstOffsetMs)
}

/** cstDate is the CST calendar date, 2026-05-17 ('' for an unreadable time). */
export function cstDate(at: string | number | Date): string {
  const d = parts(at)
  if (!d) return ''
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** cstDateTime is the CST date and minute, 2026-05-17 14:03 ('' for an unreadable time). */
export function cstDateTime(at: string | number | Date): string {
  const d = parts(at)
  if (!d) return ''
  return `${cstDate(at)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

/** cstClockAfter is the CST time of day seconds after now, 14:03:09, for "locked until". */
export function cstClockAfter(seconds: number, now: number = Date.now()): string {
  const d = parts(now + seconds * 1000)
  if (!d) return ''
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}
