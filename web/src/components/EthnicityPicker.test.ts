import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import EthnicityPicker from './EthnicityPicker.vue'

// Vant's styles are CSS files that Node cannot import; the tests read text, not looks.
vi.mock('vant/es/field/style/index', () => ({}))
vi.mock('vant/es/popup/style/index', () => ({}))
vi.mock('vant/es/button/style/index', () => ({}))
vi.mock('vant/es/cell/style/index', () => ({}))

const items = [
  { code: '01', name: '汉族' },
  { code: '05', name: '维吾尔族' },
  { code: '03', name: '回族' },
  { code: '97', name: '其他' },
  { code: '98', name: '外国血统中国籍人士' },
]

async function opened(modelValue = '') {
  const picked: string[] = []
  const wrapper = mount(EthnicityPicker, {
    props: { modelValue, items, 'onUpdate:modelValue': (v: string) => picked.push(v) },
    attachTo: document.body,
  })
  await wrapper.find('input[name=ethnicity]').trigger('click')
  await flushPromises()
  return { wrapper, picked }
}

const names = (w: ReturnType<typeof mount>) => w.findAll('.eth-list .van-cell').map((c) => c.find('.van-cell__title').text())

describe('EthnicityPicker', () => {
  it('opens the list of every group', async () => {
    const { wrapper } = await opened()
    expect(wrapper.find('[role=dialog]').attributes('aria-labelledby')).toBeTruthy()
    expect(names(wrapper)).toEqual(items.map((e) => e.name))
    wrapper.unmount()
  })

  it('narrows the list by a character of the name, or by the two-digit code', async () => {
    const { wrapper } = await opened()
    const search = wrapper.find('.eth-sheet input')
    await search.setValue('维')
    expect(names(wrapper)).toEqual(['维吾尔族'])
    await search.setValue('回族')
    expect(names(wrapper)).toEqual(['回族'])
    await search.setValue('1')
    expect(names(wrapper)).toEqual(['汉族'])
    await search.setValue('满')
    expect(names(wrapper)).toEqual([])
    expect(wrapper.text()).toContain('没有找到“满”')
    wrapper.unmount()
  })

  it('gives the chosen name and marks it in words', async () => {
    const { wrapper, picked } = await opened('汉族')
    expect(wrapper.find('[aria-current=true]').text()).toContain('已选')
    const other = wrapper.findAll('.eth-list .van-cell').find((c) => c.text().includes('其他'))!
    await other.trigger('click')
    expect(picked).toEqual(['其他'])
    wrapper.unmount()
  })
})
