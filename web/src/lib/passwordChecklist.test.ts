import { describe, expect, it } from 'vitest'
import { passwordChecklist } from './passwordChecklist'

const ticked = (pw: string) => passwordChecklist(pw).filter((i) => i.ok).map((i) => i.key)

describe('passwordChecklist', () => {
  it('ticks each part as it is met, and nothing for an empty password', () => {
    expect(ticked('')).toEqual([])
    expect(ticked('abc')).toEqual(['letter', 'onlyAllowed'])
    expect(ticked('abc1')).toEqual(['digit', 'letter', 'onlyAllowed'])
    expect(ticked('Teach#2026')).toEqual(['length', 'digit', 'letter', 'special', 'onlyAllowed'])
  })

  it('unticks the allowed-characters part for a space, ^ or a full-width character, and names the special set', () => {
    expect(ticked('Teach 2026#')).not.toContain('onlyAllowed')
    expect(ticked('Teach^2026#')).not.toContain('onlyAllowed')
    expect(ticked('Ｔeach#2026')).not.toContain('onlyAllowed')
    expect(passwordChecklist('').find((i) => i.key === 'special')?.text).toContain('# % * - _ ! @ $ &')
  })
})
