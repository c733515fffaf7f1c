import { describe, expect, it } from 'vitest'
import { shortcutFor, type Shortcut } from './shortcuts'

const table: Shortcut<'in' | 'turn' | 'back'>[] = [
  { action: 'in', keys: ['+', '='], shown: '+', label: '放大' },
  { action: 'turn', keys: ['r'], shown: 'R', label: '旋转' },
  { action: 'back', keys: ['Escape'], shown: 'Esc', label: '返回' },
]

describe('shortcutFor', () => {
  it('finds the action of a key, letters in either case', () => {
    expect(shortcutFor({ key: '+' }, table)).toBe('in')
    expect(shortcutFor({ key: '=' }, table)).toBe('in')
    expect(shortcutFor({ key: 'R' }, table)).toBe('turn')
    expect(shortcutFor({ key: 'r' }, table)).toBe('turn')
    expect(shortcutFor({ key: 'Escape' }, table)).toBe('back')
    expect(shortcutFor({ key: 'x' }, table)).toBeNull()
  })

  it('leaves the browser’s own shortcuts alone', () => {
    expect(shortcutFor({ key: 'r', ctrlKey: true }, table)).toBeNull()
    expect(shortcutFor({ key: 'r', metaKey: true }, table)).toBeNull()
    expect(shortcutFor({ key: 'r', altKey: true }, table)).toBeNull()
  })

  it('does nothing while the reviewer types in a field', () => {
    const box = document.createElement('textarea')
    const input = document.createElement('input')
    const button = document.createElement('button')
    document.body.append(box, input, button)
    expect(shortcutFor({ key: 'r', target: box }, table)).toBeNull()
    expect(shortcutFor({ key: '+', target: input }, table)).toBeNull()
    expect(shortcutFor({ key: 'r', target: button }, table)).toBe('turn')
  })
})
