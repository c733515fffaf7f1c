// Single-key shortcuts of the desk. A key does nothing while the reviewer types (a field has
// the focus) or holds Ctrl, Alt or ⌘, so the browser's own shortcuts and typing are untouched.

export type KeyPress = {
  key: string
  ctrlKey?: boolean
  altKey?: boolean
  metaKey?: boolean
  repeat?: boolean
  target?: EventTarget | null
}

export type Shortcut<A extends string> = {
  action: A
  /** keys are KeyboardEvent.key values, matched without regard to case. */
  keys: readonly string[]
  /** shown is how the page writes the key. */
  shown: string
  label: string
}

function typing(target: EventTarget | null | undefined): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false
  const el = target as HTMLElement
  return el.isContentEditable || el.closest('input, textarea, select, [contenteditable="true"]') !== null
}

/** shortcutFor is the action a key press asks for, or null. */
export function shortcutFor<A extends string>(e: KeyPress, table: readonly Shortcut<A>[]): A | null {
  if (e.ctrlKey || e.altKey || e.metaKey || typing(e.target)) return null
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key
  return table.find((s) => s.keys.some((k) => (k.length === 1 ? k.toLowerCase() : k) === key))?.action ?? null
}
