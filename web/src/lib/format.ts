// Times as the site states them: China Standard Time (the quotas, cycles and review deadlines
// all count in it), whatever the phone's own zone is.

const zone = 'Asia/Shanghai'

function parts(d: Date): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d)) {
    out[p.type] = p.value
  }
  return out
}

/** cstDate is the calendar day of an instant in China: 2026-03-05. */
export function cstDate(at: string | Date): string {
  const p = parts(typeof at === 'string' ? new Date(at) : at)
  return `${p.year}-${p.month}-${p.day}`
}

/** cstDateTime is an instant to the minute in China: 2026-03-05 14:07. */
export function cstDateTime(at: string | Date): string {
  const p = parts(typeof at === 'string' ? new Date(at) : at)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** todayCST is today's date in China, as a date field holds it. */
export function todayCST(now: Date = new Date()): string {
  return cstDate(now)
}
