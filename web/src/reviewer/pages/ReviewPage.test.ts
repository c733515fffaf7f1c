import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'

// Node cannot load Element Plus's style sheets, which the widgets' auto-import brings in.
vi.mock('element-plus/es/components/base/style/css', () => ({}))
vi.mock('element-plus/es/components/button/style/css', () => ({}))
vi.mock('element-plus/es/components/tag/style/css', () => ({}))
vi.mock('element-plus/es/components/dialog/style/css', () => ({}))
vi.mock('element-plus/es/components/input/style/css', () => ({}))

// The API as the page sees it: each GET answers the review as it stands now; each POST the
// next answer queued.
type Answer = { status: number; body: unknown }
const server = { review: {} as Record<string, unknown>, posts: [] as Answer[], gets: 0, sent: [] as unknown[] }
function answer(a: Answer) {
  const ok = a.status < 300
  return { data: ok ? a.body : undefined, error: ok ? undefined : a.body, response: { ok, status: a.status } }
}
vi.mock('../session', () => ({
  api: {
    GET: vi.fn(async () => {
      server.gets += 1
      return answer({ status: 200, body: structuredClone(server.review) })
    }),
    POST: vi.fn(async (_path: string, init: { body: unknown }) => {
      server.sent.push(init.body)
      return answer(server.posts.shift()!)
    }),
  },
}))
vi.mock('../reviews', () => ({ oldestPending: vi.fn(async () => null) }))

const { default: ReviewPage } = await import('./ReviewPage.vue')

function correction(more: Record<string, unknown> = {}) {
  return {
    reviewId: 'r1', kind: 'contact', accountId: 'acct-1', name: '张三', idType: 'resident_id', idNumber: '11010519900517001X',
    submittedAt: '2026-05-17T02:03:00Z', status: 'pending', dueAt: '2026-05-27T15:59:59Z', overdue: false,
    idValidFrom: '2020-01-01', idValidTo: 'long-term', nameOnAccount: '张三', reason: null, decidedAt: null, photo: null,
    changes: [{ field: 'phone', before: '139****0001', after: '139****0002' }],
    ...more,
  }
}

const firstBy = (byYou: boolean) => ({ firstApproval: { at: '2026-05-18T01:00:00Z', byYou } })

let wrapper: VueWrapper | null = null
beforeEach(() => {
  server.posts = []
  server.gets = 0
  server.sent = []
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  document.body.innerHTML = ''
})

async function show() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'queue', component: { template: '<p>queue</p>' } },
      { path: '/reviews/:reviewId', name: 'review', component: ReviewPage },
    ],
  })
  await router.push('/reviews/r1')
  wrapper = mount({ template: '<router-view />' }, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

const text = () => document.body.textContent ?? ''
const button = (name: string) => [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === name)

function press(key: string) {
  window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
}

async function confirmDialog(name: string) {
  await flushPromises()
  const confirm = button(name)
  expect(confirm, `the dialog's ${name}`).toBeDefined()
  confirm!.click()
  await flushPromises()
}

describe('ReviewPage, two reviewers’ approvals', () => {
  it('keeps a correction pending after the first approval, says so, and refuses this reviewer’s second', async () => {
    server.review = correction()
    await show()
    expect(text()).not.toContain('待复核')
    button('通过（Y）')!.click()
    await flushPromises()
    expect(text()).toContain('这是第一位审核员的通过（初审）')
    server.posts.push({ status: 200, body: { reviewId: 'r1', status: 'pending', firstApprovedAt: '2026-05-18T09:00:00+08:00' } })
    await confirmDialog('确认初审通过（Enter）')

    expect(server.sent).toEqual([{ decision: 'approve', approval: 'first' }])
    expect(text()).toContain('已初审通过。联系方式更正和账号申诉须由另一位审核员复核通过后才生效；申请人暂不会收到通知。')
    expect(text()).toContain('待审核')
    expect(text()).toContain('待复核')
    expect(text()).toContain('2026-05-18 09:00（您）')
    // The way on stays: the next review is one this reviewer can decide (reviews.ts).
    expect(button('审核下一条')).toBeDefined()
    const approve = button('通过（Y）')!
    expect(approve.disabled).toBe(true)
    expect(approve.getAttribute('aria-describedby')).toBe('approval-note')

    // Y is refused in words; nothing more is sent.
    press('y')
    await flushPromises()
    expect(document.body.querySelector('.decision [role="alert"]')?.textContent).toContain('您已初审通过本申请，须由另一位审核员复核通过')
    expect(server.sent).toHaveLength(1)

    // Rejecting is still this reviewer's to do.
    press('n')
    await flushPromises()
    expect(text()).toContain('不通过：请填写原因')
  })

  it('refuses the approval of a review this reviewer approved first, as the server answers it', async () => {
    server.review = correction(firstBy(true))
    await show()
    expect(text()).toContain('您已于 2026-05-18 09:00 初审通过')
    expect(text()).toContain('待复核')
    expect(button('通过（Y）')!.disabled).toBe(true)
    expect(text()).toContain('通过（您已初审，须另一位审核员复核）')
    expect(button('不通过（N）')!.disabled).toBe(false)
  })

  it('asks another reviewer to review it again, and the second approval decides', async () => {
    server.review = correction(firstBy(false))
    await show()
    expect(text()).toContain('已由另一位审核员初审通过（2026-05-18 09:00），请复核')
    expect(button('通过（Y）')).toBeUndefined()
    expect(button('复核通过（Y）')!.disabled).toBe(false)
    expect(text()).toContain('复核通过（先确认）')

    press('y')
    await flushPromises()
    expect(text()).toContain('这是第二位审核员的通过（复核）：另一位审核员已于 2026-05-18 09:00 初审通过')
    server.posts.push({ status: 200, body: { reviewId: 'r1', status: 'approved', decidedAt: '2026-05-18T02:00:00Z' } })
    await confirmDialog('确认复核通过（Enter）')
    expect(server.sent).toEqual([{ decision: 'approve', approval: 'second' }])
    expect(text()).toContain('已复核通过，结论已生效：已通过。申请人将收到短信和邮件通知。')
    expect(text()).toContain('2026-05-18 10:00')
    expect(text()).not.toContain('待复核')
    expect(button('审核下一条')).toBeDefined()
  })

  it('says the server’s 403 and shows the review again as it stands', async () => {
    // Approved first in another tab by this reviewer: this page still shows no first approval.
    server.review = correction()
    await show()
    button('通过（Y）')!.click()
    server.review = correction(firstBy(true))
    server.posts.push({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: '您已初审通过本申请：联系方式更正和账号申诉须由另一位审核员复核通过后才生效（您仍可驳回）' } },
    })
    await confirmDialog('确认初审通过（Enter）')
    expect(server.gets).toBe(2)
    const alert = document.body.querySelector('.banner-warning[role="alert"]')
    expect(alert?.textContent).toContain('您已初审通过本申请：联系方式更正和账号申诉须由另一位审核员复核通过后才生效（您仍可驳回）。页面已重新加载')
    expect(button('通过（Y）')!.disabled).toBe(true)
  })

  it('says the server’s 409 when another reviewer approved it first meanwhile, and offers the review again', async () => {
    server.review = correction()
    await show()
    press('y')
    server.review = correction(firstBy(false))
    server.posts.push({ status: 409, body: { error: { code: 'REVIEW_PENDING', message: '另一位审核员刚刚初审通过了本申请，您的通过没有生效：请刷新后复核' } } })
    await confirmDialog('确认初审通过（Enter）')
    expect(server.gets).toBe(2)
    expect(document.body.querySelector('.banner-warning[role="alert"]')?.textContent).toContain('另一位审核员刚刚初审通过了本申请，您的通过没有生效：请刷新后复核。')
    expect(text()).toContain('已由另一位审核员初审通过（2026-05-18 09:00），请复核')
    expect(button('复核通过（Y）')!.disabled).toBe(false)
  })

  it('warns when the photo is, byte for byte, one an earlier review keeps', async () => {
    server.review = correction({ photoKeptIn: 'r0' })
    await show()
    const alert = [...document.body.querySelectorAll('[role="alert"]')].find((e) => e.textContent?.includes('逐字节相同'))
    expect(alert?.textContent).toContain('可能取自审核台')
    expect(alert?.querySelector('a')?.textContent).toBe('r0')
  })

  it('approves an identity review at once, with no word of a second reviewer', async () => {
    server.review = correction({ kind: 'identity', changes: [] })
    await show()
    press('y')
    await flushPromises()
    expect(text()).not.toContain('初审')
    server.posts.push({ status: 200, body: { reviewId: 'r1', status: 'approved', decidedAt: '2026-05-18T02:00:00Z' } })
    await confirmDialog('确认通过（Enter）')
    expect(server.sent).toEqual([{ decision: 'approve' }])
    expect(text()).toContain('已通过。申请人将收到短信和邮件通知。')
    expect(text()).not.toContain('复核')
  })
})
