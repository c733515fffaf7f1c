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

  it('takes the Chinese characters of the server’s Unicode, not those the browser’s newer one adds', () => {
    // CJK Extension I (Unicode 15.1) and J (17.0), and 15.1’s additions to Extension C: the
    // browser’s \p{Script=Han} has them, Go’s unicode.Han (15.0) does not, and the server says 422.
    expect(nameProblem('王\u{2ebf0}')).toContain('只能包含')
    expect(nameProblem('王\u{2ee5d}')).toContain('只能包含')
    expect(nameProblem('王\u{323b0}')).toContain('只能包含')
    expect(nameProblem('王\u{2b73a}')).toContain('只能包含')
    expect(nameProblem('王〇')).toBe('')
    expect(nameProblem('王马')).toBe('')
    expect(nameProblem('王\u{20000}')).toBe('') // 𠀀, the first of Extension B
    expect(nameProblem('王\u{31350}')).toBe('') // the first of Extension H (15.0)
    expect(nameProblem('王\u{323af}')).toBe('') // and its last
    expect(nameProblem('王\u2ee2')).toContain('只能包含') // ⻢
    expect(nameProblem('王々')).toContain('只能包含')
  })
})
