import { checkPassword, passwordSpecials } from './rules'

export type ChecklistItem = { key: string; text: string; ok: boolean }

/**
 * passwordChecklist is the password rule split into the parts a person ticks off while typing
 * (the same parts as rules.ts checks and the server enforces). Nothing is ticked for an empty
 * password, so an untouched form does not look half done.
 */
export function passwordChecklist(pw: string): ChecklistItem[] {
  const c = checkPassword(pw)
  const any = pw !== ''
  const fullWidth = /[\uff01-\uff5e\u3000]/.test(pw)
  return [
    { key: 'length', text: '8 至 32 位', ok: c.length },
    { key: 'digit', text: '含数字', ok: c.digit },
    { key: 'letter', text: '含英文字母', ok: c.letter },
    { key: 'special', text: `含特殊字符（${[...passwordSpecials].join(' ')} 之一）`, ok: c.special },
    { key: 'onlyAllowed', text: '不含空格、全角字符或其他符号', ok: any && c.onlyAllowed && !fullWidth },
  ]
}
