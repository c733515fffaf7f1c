// The name rule of registration and recovery, as the server applies it (shared/identity
// NormalizeName), so that a mistake shows before the button is pressed, in the same words.

import { hanRanges } from './hanRanges'

const dotLookalikes = /[•・‧●]/g

/** isIdeograph is a Chinese character of a name: Han without the radicals and CJK symbols
 * (U+2E80 to U+303F: ⻢ looks as 马; the old marks of U+16FE0…) but for 〇, as the server reads
 * it. The table is written from the server's (Go's Unicode, not the browser's newer one, which
 * has characters the server refuses). */
function isIdeograph(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0
  let lo = 0
  let hi = hanRanges.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const [first, last] = hanRanges[mid]!
    if (cp < first) hi = mid - 1
    else if (cp > last) lo = mid + 1
    else return true
  }
  return false
}

/** normalizeName is the name as the server reads it: trimmed, input methods' dots as “·”. */
export function normalizeName(raw: string): string {
  return raw.trim().replace(dotLookalikes, '·')
}

/** nameProblem is what is wrong with a name as on the document, or ''. */
export function nameProblem(raw: string): string {
  const s = normalizeName(raw)
  if (!s) return '请输入姓名'
  if (/[\uff01-\uff5e\u3000]/.test(s)) return '姓名中的字母请使用半角字符；间隔号请使用“·”'
  const chars = [...s.normalize('NFKC')]
  if (chars.length < 2 || chars.length > 50) return '姓名应为 2 至 50 个字符，请按证件上的姓名填写'
  let prev = ''
  for (const [i, c] of chars.entries()) {
    if (c === '·') {
      if (i === 0 || prev === '·' || prev === ' ') return '姓名中的间隔号“·”只能用在两个字之间'
    } else if (c === ' ') {
      if (prev === ' ' || prev === '·') return '姓名中不能有连续的空格'
    } else if (!isIdeograph(c) && !/^[A-Za-z]$/.test(c)) {
      return '姓名只能包含汉字、英文字母、间隔号“·”和空格，请按证件上的姓名填写'
    }
    prev = c
  }
  if (prev === '·') return '姓名中的间隔号“·”只能用在两个字之间'
  return ''
}
