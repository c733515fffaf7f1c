import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { QueueFilters } from '../lib/queueFilters'

// Node cannot load Element Plus's style sheets, which the widgets' auto-import brings in.
vi.mock('element-plus/es/components/base/style/css', () => ({}))
vi.mock('element-plus/es/components/radio-group/style/css', () => ({}))
vi.mock('element-plus/es/components/radio-button/style/css', () => ({}))
vi.mock('element-plus/es/components/button/style/css', () => ({}))
vi.mock('element-plus/es/components/tag/style/css', () => ({}))

const calls: { filters: QueueFilters; cursor: string | null }[] = []
const pages: Record<string, unknown> = {}
vi.mock('../reviews', () => ({
  readPage: vi.fn(async (filters: QueueFilters, cursor: string | null) => {
    calls.push({ filters, cursor })
    return pages[cursor ?? 'first']
  }),
}))

const { default: QueuePage } = await import('./QueuePage.vue')

function item(id: string, name: string, overdue: boolean, more: Record<string, unknown> = {}) {
  return {
    reviewId: id, kind: 'identity', accountId: `acct-${id}`, name, idType: 'resident_id', idNumber: '11010519900517001X',
    submittedAt: '2026-05-17T02:03:00Z', status: 'pending', dueAt: '2026-05-27T15:59:59Z', overdue, ...more,
  }
}

let wrapper: VueWrapper | null = null
afterEach(() => {
  wrapper?.unmount()
  calls.length = 0
})

async function show(path = '/') {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'queue', component: QueuePage },
      { path: '/reviews/:reviewId', name: 'review', component: { template: '<p>review</p>' } },
    ],
  })
  await router.push(path)
  wrapper = mount({ template: '<router-view />' }, { global: { plugins: [router] } })
  await flushPromises()
  return { w: wrapper, router }
}

describe('QueuePage', () => {
  it('shows times in Beijing time and marks an overdue review in words', async () => {
    pages.first = { items: [item('r1', '张三', true), item('r2', '李四', false)], nextCursor: null }
    const { w } = await show()
    const rows = w.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.text()).toContain('2026-05-17 10:03')
    expect(rows[0]!.text()).toContain('2026-05-27 23:59')
    expect(rows[0]!.text()).toContain('已超期')
    expect(rows[1]!.text()).not.toContain('已超期')
    expect(calls[0]).toEqual({ filters: { status: 'pending', kind: null, limit: 20 }, cursor: null })
  })

  it('goes forward by the next cursor and back by the one it kept', async () => {
    pages.first = { items: [item('r1', '张三', false)], nextCursor: 'c2' }
    pages.c2 = { items: [item('r2', '李四', false)], nextCursor: null }
    const { w } = await show('/?limit=1&kind=identity')
    const button = (text: string) => w.findAll('button').find((b) => b.text() === text)!
    await button('下一页').trigger('click')
    await flushPromises()
    expect(w.text()).toContain('李四')
    expect(w.text()).toContain('第 2 页')
    expect(button('下一页').attributes('disabled')).toBeDefined()
    await button('上一页').trigger('click')
    await flushPromises()
    expect(w.text()).toContain('张三')
    expect(calls.map((c) => c.cursor)).toEqual([null, 'c2', null])
    expect(calls[1]!.filters).toEqual({ status: 'pending', kind: 'identity', limit: 1 })
  })

  it('opens a review from its row, keeping the filters for the way back', async () => {
    pages.first = { items: [item('r1', '张三', false)], nextCursor: null }
    const { w, router } = await show('/?status=approved')
    await w.find('tbody tr td').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/reviews/r1?status=approved')
  })

  it('tags a correction approved once 待复核, and 您已初审 when this reviewer approved it', async () => {
    const at = '2026-05-18T01:00:00Z'
    pages.first = {
      items: [
        item('r1', '张三', false, { kind: 'contact' }),
        item('r2', '李四', false, { kind: 'contact', firstApproval: { at, byYou: false } }),
        item('r3', '王五', false, { kind: 'ownership', firstApproval: { at, byYou: true } }),
      ],
      nextCursor: null,
    }
    const { w } = await show()
    const rows = w.findAll('tbody tr')
    expect(rows[0]!.text()).not.toContain('待复核')
    expect(rows[1]!.text()).toContain('待复核')
    expect(rows[1]!.text()).not.toContain('您已初审')
    expect(rows[2]!.text()).toContain('待复核')
    expect(rows[2]!.text()).toContain('您已初审')
  })

  it('says when nothing matches', async () => {
    pages.first = { items: [], nextCursor: null }
    const { w } = await show()
    expect(w.text()).toContain('没有符合条件的申请。')
  })
})
