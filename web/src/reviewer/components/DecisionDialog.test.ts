import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { nextTick } from 'vue'
import DecisionDialog from './DecisionDialog.vue'

// Node cannot load Element Plus's style sheets, which the widgets' auto-import brings in;
// what is tested here is behaviour, not looks.
vi.mock('element-plus/es/components/base/style/css', () => ({}))
vi.mock('element-plus/es/components/dialog/style/css', () => ({}))
vi.mock('element-plus/es/components/input/style/css', () => ({}))
vi.mock('element-plus/es/components/button/style/css', () => ({}))

let wrapper: VueWrapper | null = null
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  document.body.innerHTML = ''
})

async function openDialog(decision: 'approve' | 'reject', changes: { field: string; before: string; after: string }[] = []) {
  wrapper = mount(DecisionDialog, {
    props: { decision, changes, busy: false, reasonError: '', modelValue: false },
    attachTo: document.body,
  })
  await wrapper.setProps({ modelValue: true })
  await flushPromises()
  await nextTick()
  return wrapper
}

function reasonBox(): HTMLTextAreaElement {
  return document.body.querySelector('#reject-reason') as HTMLTextAreaElement
}

function press(el: Element, init: KeyboardEventInit) {
  el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true, ...init }))
}

describe('DecisionDialog', () => {
  it('refuses to reject without a reason, and sends the reason on Enter', async () => {
    const w = await openDialog('reject')
    press(reasonBox(), {})
    await nextTick()
    expect(w.emitted('confirm')).toBeUndefined()
    expect(document.body.textContent).toContain('请填写不通过的原因')

    reasonBox().value = '  照片不清晰  '
    reasonBox().dispatchEvent(new Event('input'))
    await nextTick()
    expect(document.body.textContent).not.toContain('请填写不通过的原因')
    press(reasonBox(), {})
    expect(w.emitted('confirm')).toEqual([['照片不清晰']])
  })

  it('leaves Shift+Enter to the text and an input method’s Enter to the method', async () => {
    const w = await openDialog('reject')
    reasonBox().value = '第一行'
    reasonBox().dispatchEvent(new Event('input'))
    press(reasonBox(), { shiftKey: true })
    press(reasonBox(), { isComposing: true })
    expect(w.emitted('confirm')).toBeUndefined()
  })

  it('shows what an approval changes, and confirms it with no reason', async () => {
    const w = await openDialog('approve', [{ field: 'name', before: '乙核验失败', after: '乙明' }])
    expect(document.body.textContent).toContain('姓名：乙核验失败 → 乙明')
    const confirm = [...document.body.querySelectorAll('button')].find((b) => b.textContent?.includes('确认通过'))
    confirm!.click()
    expect(w.emitted('confirm')).toEqual([['']])
  })

  it('shows the server’s word on the reason', async () => {
    const w = await openDialog('reject')
    await w.setProps({ reasonError: '原因不能超过200字' })
    expect(document.body.querySelector('[role="alert"]')?.textContent).toBe('原因不能超过200字')
  })
})
