import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import PhotoPicker from './PhotoPicker.vue'
import { PHOTO_LIMIT } from '@/lib/photo'

// Vant's styles are CSS files that Node cannot import; the tests read text, not looks.
vi.mock('vant/es/button/style/index', () => ({}))
vi.mock('vant/es/cell-group/style/index', () => ({}))

const jpegBytes = (n: number) => {
  const b = new Uint8Array(n)
  b.set([0xff, 0xd8, 0xff, 0xe0])
  return b
}
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])

function mountPicker() {
  const emitted: string[] = []
  const wrapper = mount(PhotoPicker, {
    props: { modelValue: '', 'onUpdate:modelValue': (v: string) => emitted.push(v) },
  })
  return { wrapper, emitted }
}

async function choose(wrapper: ReturnType<typeof mount>, bytes: Uint8Array, name: string, input = 0) {
  const el = wrapper.findAll('input[type=file]')[input]!.element as HTMLInputElement
  const file = new File([bytes as BlobPart], name)
  Object.defineProperty(el, 'files', { value: [file], configurable: true })
  el.dispatchEvent(new Event('change'))
  await flushPromises()
  await flushPromises()
}

/** The browser's decoder: every picture decodes as w × h. */
function decodesAs(width: number, height: number) {
  vi.stubGlobal('createImageBitmap', vi.fn(async () => ({ width, height, close: vi.fn() })))
}

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('PhotoPicker', () => {
  it('offers the gallery and the camera, both for any image', () => {
    const { wrapper } = mountPicker()
    const inputs = wrapper.findAll('input[type=file]')
    expect(inputs).toHaveLength(2)
    expect(inputs.map((i) => i.attributes('accept'))).toEqual(['image/*', 'image/*'])
    expect(inputs[0]!.attributes('capture')).toBeUndefined()
    expect(inputs[1]!.attributes('capture')).toBe('environment')
    expect(wrapper.text()).toContain('从相册选择')
    expect(wrapper.text()).toContain('拍照')
  })

  it('gives a small JPEG as base64 at once and shows its size', async () => {
    decodesAs(600, 800)
    const { wrapper, emitted } = mountPicker()
    await choose(wrapper, jpegBytes(3000), 'photo.png')
    expect(emitted.at(-1)).toBe(btoa(String.fromCharCode(...jpegBytes(3000))))
    expect(wrapper.text()).toContain('JPG 格式，2.9 KB，600 × 800 像素')
    expect(wrapper.find('[role=status]').text()).toContain('照片符合要求')
    expect(wrapper.text()).not.toContain('压缩照片')
  })

  it('refuses a file named .jpg that is not a JPEG, and offers to convert it', async () => {
    decodesAs(600, 800)
    const { wrapper, emitted } = mountPicker()
    await choose(wrapper, png, 'photo.jpg', 1)
    expect(emitted.at(-1) ?? '').toBe('')
    expect(wrapper.find('[role=alert]').text()).toContain('照片须为 JPG 格式，这张是 PNG 格式')
    expect(wrapper.text()).toContain('压缩照片')
  })

  it('refuses a JPEG of 190 KB or more and compresses it into one that fits', async () => {
    decodesAs(3000, 2000)
    const made = jpegBytes(120_000)
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({
      fillRect: vi.fn(),
      drawImage: vi.fn(),
    } as unknown as CanvasRenderingContext2D)
    const toBlob = vi
      .spyOn(HTMLCanvasElement.prototype, 'toBlob')
      .mockImplementation((cb: BlobCallback, type?: string) => cb(new Blob([made as BlobPart], { type })))
    const { wrapper, emitted } = mountPicker()
    await choose(wrapper, jpegBytes(PHOTO_LIMIT), 'big.jpg')
    expect(emitted.at(-1) ?? '').toBe('')
    expect(wrapper.find('[role=alert]').text()).toContain('照片大小为 190.0 KB，须小于 190 KB')

    const button = wrapper.findAll('button').find((b) => b.text().includes('压缩照片'))!
    await button.trigger('click')
    await flushPromises()
    await flushPromises()
    expect(toBlob).toHaveBeenCalledWith(expect.any(Function), 'image/jpeg', 0.92)
    expect(emitted.at(-1)!.length).toBeGreaterThan(0)
    expect(atob(emitted.at(-1)!).length).toBe(120_000)
    expect(wrapper.text()).toContain('已压缩为 JPG：117.2 KB（原照片 190.0 KB）')
    expect(wrapper.find('[role=status]').text()).toContain('照片符合要求')
  })

  it('says so when the browser cannot read a picture that is not a JPEG', async () => {
    vi.stubGlobal('createImageBitmap', vi.fn(async () => Promise.reject(new Error('cannot'))))
    vi.spyOn(HTMLImageElement.prototype, 'decode').mockRejectedValue(new Error('cannot'))
    const { wrapper } = mountPicker()
    await choose(wrapper, new Uint8Array([0x25, 0x50, 0x44, 0x46, 1, 2, 3]), 'scan.pdf')
    expect(wrapper.text()).toContain('照片须为 JPG 格式，这张是其他格式')
    expect(wrapper.text()).toContain('无法在本机读取')
    expect(wrapper.text()).not.toContain('压缩照片')
  })

  it('shows the server error it is given', () => {
    const wrapper = mount(PhotoPicker, { props: { modelValue: '', error: '照片无法识别为 JPEG' } })
    expect(wrapper.find('[role=alert]').text()).toBe('照片无法识别为 JPEG')
  })
})
