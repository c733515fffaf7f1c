import { describe, expect, it } from 'vitest'
import { nameProblem, normalizeName } from './name'

describe('names', () => {
  it('takes Chinese names with “·”, Latin names with single spaces, and the dots input methods type', () => {
    expect(nameProblem('张明')).toBe('')
    expect(nameProblem('阿依古丽·买买提')).toBe('')
    expect(nameProblem('CHAN Tai Man')).toBe('')
    expect(nameProblem('阿依古丽•买买提')).toBe('')
    expect(normalizeName(' 阿依古丽・买买提 ')).toBe('阿依古丽·买买提')
  })

  it('refuses what the server refuses, in its words', () => {
    expect(nameProblem('  ')).toBe('请输入姓名')
    expect(nameProblem('张')).toContain('2 至 50')
    expect(nameProblem('·张明')).toContain('两个字之间')
    expect(nameProblem('张明·')).toContain('两个字之间')
    expect(nameProblem('CHAN  Tai')).toContain('连续的空格')
    expect(nameProblem('张明1')).toContain('只能包含')
    expect(nameProblem('ＣＨＡＮ')).toContain('半角')
  })

  it('refuses the radicals and CJK symbols that look like characters, and keeps 〇', () => {
    expect(nameProblem('王\u2ee2')).toContain('只能包含') // ⻢, which looks as 马
    expect(nameProblem('佐々木')).toContain('只能包含')
    expect(nameProblem('王〢')).toContain('只能包含')
    expect(nameProblem('王\u{16fe3}')).toContain('只能包含')
    expect(nameProblem('王〇')).toBe('')
    expect(nameProblem('\u2f08民')).toBe('') // a Kangxi radical NFKC makes 人
    expect(nameProblem('𠮷野家')).toBe('')
  })
})
