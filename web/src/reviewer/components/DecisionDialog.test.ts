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

type Step = { step?: 'only' | 'first' | 'second'; firstApprovedAt?: string }

async function openDialog(
  decision: 'approve' | 'reject',
  changes: { field: string; before: string; after: string }[] = [],
  step: Step = {},
) {
  wrapper = mount(DecisionDialog, {
    props: { decision, changes, busy: false, reasonError: '', modelValue: false, ...step },
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

  it('says a correction’s first approval changes nothing yet and takes another reviewer', async () => {
    const phone = { field: 'phone', before: '139****0001', after: '139****0002' }
    const w = await openDialog('approve', [phone], { step: 'first' })
    const dialog = document.body.querySelector('[role="dialog"]')!
    expect(dialog.textContent).toContain('确认初审通过')
    expect(dialog.textContent).toContain('这是第一位审核员的通过（初审）')
    expect(dialog.textContent).toContain('申请人暂不会收到通知')
    expect(dialog.textContent).toContain('须由另一位审核员复核通过后才生效')
    expect(dialog.textContent).toContain('复核通过后将修改账号信息')
    expect(dialog.textContent).toContain('手机号码：139****0001 → 139****0002')
    expect(dialog.textContent).not.toContain('通过后结论不能更改')
    const confirm = [...document.body.querySelectorAll('button')].find((b) => b.textContent?.includes('确认初审通过（Enter）'))
    confirm!.click()
    expect(w.emitted('confirm')).toEqual([['']])
  })

  it('says the second approval decides, and when the first was given', async () => {
    await openDialog('approve', [{ field: 'email', before: '1****@qq.com', after: '2****@qq.com' }], {
      step: 'second',
      firstApprovedAt: '2026-05-17T02:03:00Z',
    })
    const text = document.body.textContent ?? ''
    expect(text).toContain('确认复核通过')
    expect(text).toContain('这是第二位审核员的通过（复核）：另一位审核员已于 2026-05-17 10:03 初审通过')
    expect(text).toContain('通过后结论不能更改，申请人将收到短信和邮件通知。')
    expect(text).toContain('通过后将修改账号信息')
    expect([...document.body.querySelectorAll('button')].some((b) => b.textContent?.includes('确认复核通过（Enter）'))).toBe(true)
  })

  it('says nothing of a second reviewer for a review that takes one approval', async () => {
    await openDialog('approve')
    const text = document.body.textContent ?? ''
    expect(text).toContain('确认通过（Enter）')
    expect(text).not.toContain('初审')
    expect(text).not.toContain('复核')
  })

  it('shows the server’s word on the reason', async () => {
    const w = await openDialog('reject')
    await w.setProps({ reasonError: '原因不能超过200字' })
    expect(document.body.querySelector('[role="alert"]')?.textContent).toBe('原因不能超过200字')
  })
})
