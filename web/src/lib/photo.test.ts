import { describe, expect, it } from 'vitest'
import {
  bytesToBase64,
  fitUnderLimit,
  formatOf,
  isJpeg,
  MAX_PIXELS,
  MAX_SIDE,
  MIN_SIDE,
  PHOTO_LIMIT,
  photoProblem,
  problemText,
  QUALITIES,
  sizeText,
  startScale,
  type Encode,
} from './photo'

const bytes = (...b: number[]) => new Uint8Array(b)
const ascii = (s: string, pad = 16) => new Uint8Array([...s].map((c) => c.charCodeAt(0)).concat(Array(pad).fill(0)))

describe('isJpeg and formatOf', () => {
  it('know a JPEG by its first three bytes, whatever the name says', () => {
    expect(isJpeg(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe(true)
    expect(isJpeg(bytes(0xff, 0xd8))).toBe(false)
    expect(isJpeg(bytes(0xff, 0xd8, 0x00))).toBe(false)
    expect(isJpeg(bytes(0x89, 0x50, 0x4e, 0x47))).toBe(false)
    expect(formatOf(bytes(0xff, 0xd8, 0xff, 0xdb))).toBe('JPG')
  })

  it('name the other formats a phone gives, for the message', () => {
    expect(formatOf(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('PNG')
    expect(formatOf(ascii('GIF89a'))).toBe('GIF')
    expect(formatOf(ascii('RIFF\0\0\0\0WEBPVP8 '))).toBe('WebP')
    expect(formatOf(ascii('\0\0\0\x18ftypheic'))).toBe('HEIC')
    expect(formatOf(ascii('\0\0\0\x18ftypavif'))).toBe('AVIF')
    expect(formatOf(ascii('BM'))).toBe('BMP')
    expect(formatOf(ascii('%PDF-1.7'))).toBeNull()
    expect(formatOf(bytes())).toBeNull()
  })
})

describe('sizeText', () => {
  it('says kilobytes of 1024 bytes, as the 190 KB rule does', () => {
    expect(sizeText(PHOTO_LIMIT)).toBe('190.0 KB')
    expect(sizeText(1536)).toBe('1.5 KB')
    expect(sizeText(3 * 1024 * 1024)).toBe('3.0 MB')
  })
})

describe('bytesToBase64', () => {
  it('is plain base64 of every byte, also for files larger than one slice', () => {
    expect(bytesToBase64(bytes(0xff, 0xd8, 0xff))).toBe('/9j/')
    const big = new Uint8Array(100_000).map((_, i) => (i * 7) % 256)
    const back = Uint8Array.from(atob(bytesToBase64(big)), (c) => c.charCodeAt(0))
    expect(back).toEqual(big)
  })

  it('keeps the largest accepted photo within the contract field maxLength', () => {
    expect(bytesToBase64(new Uint8Array(PHOTO_LIMIT - 1)).length).toBeLessThanOrEqual(259_500)
  })
})

describe('photoProblem', () => {
  it('accepts a JPEG smaller than 194,560 bytes and refuses one of that size', () => {
    expect(photoProblem({ size: PHOTO_LIMIT - 1, jpeg: true })).toBe('')
    expect(photoProblem({ size: PHOTO_LIMIT, jpeg: true })).toBe('too_large')
  })

  it('refuses what is not a JPEG before its size, and an empty file', () => {
    expect(photoProblem({ size: 1000, jpeg: false })).toBe('not_jpeg')
    expect(photoProblem({ size: 0, jpeg: true })).toBe('empty')
  })

  it('refuses a picture past the server pixel bounds when the browser could measure it', () => {
    expect(photoProblem({ size: 1000, jpeg: true, width: MAX_SIDE + 1, height: 10 })).toBe('too_many_pixels')
    expect(photoProblem({ size: 1000, jpeg: true, width: 4000, height: 2500 })).toBe('too_many_pixels')
    expect(photoProblem({ size: 1000, jpeg: true, width: 3000, height: 2000 })).toBe('')
  })

  it('says each problem in words that name the rule', () => {
    expect(problemText('not_jpeg', { size: 1, jpeg: false }, 'PNG')).toBe('照片须为 JPG 格式，这张是 PNG 格式')
    expect(problemText('not_jpeg', { size: 1, jpeg: false }, null)).toBe('照片须为 JPG 格式，这张是其他格式')
    expect(problemText('too_large', { size: 300 * 1024, jpeg: true }, 'JPG')).toBe('照片大小为 300.0 KB，须小于 190 KB')
    expect(problemText('', { size: 1, jpeg: true }, 'JPG')).toBe('')
  })
})

describe('startScale', () => {
  it('brings a picture within 4096 px a side and 8 megapixels, and never enlarges', () => {
    expect(startScale(800, 600)).toBe(1)
    expect(startScale(8192, 1000)).toBe(0.5)
    const s = startScale(4000, 3000)
    expect(4000 * s * 3000 * s).toBeLessThanOrEqual(MAX_PIXELS + 1)
  })
})

/** A stand-in for the canvas: the size grows with the pixels and the quality. */
function fakeEncoder(bytesPerPixelAtFull: number) {
  const calls: { width: number; height: number; quality: number }[] = []
  const encode: Encode = async (width, height, quality) => {
    calls.push({ width, height, quality })
    // Only the size is read: a Blob-shaped stand-in spares allocating megabytes.
    return { size: Math.round(width * height * bytesPerPixelAtFull * quality) } as Blob
  }
  return { encode, calls }
}

describe('fitUnderLimit', () => {
  it('lowers the quality before the size', async () => {
    // 400 × 400 at 1.5 bytes a pixel: quality 0.92 and 0.85 are too big, 0.75 fits.
    const { encode, calls } = fakeEncoder(1.5)
    const fit = await fitUnderLimit(400, 400, encode)
    expect(fit).toMatchObject({ width: 400, height: 400, quality: 0.75 })
    expect(fit!.blob.size).toBeLessThan(PHOTO_LIMIT)
    expect(calls.map((c) => c.quality)).toEqual([0.92, 0.85, 0.75])
  })

  it('then shrinks the picture, keeping its proportions, until it fits', async () => {
    const { encode, calls } = fakeEncoder(0.5)
    const fit = await fitUnderLimit(3000, 2000, encode)
    expect(fit).not.toBeNull()
    expect(fit!.blob.size).toBeLessThan(PHOTO_LIMIT)
    expect(fit!.width).toBeLessThan(3000)
    expect(fit!.width / fit!.height).toBeCloseTo(1.5, 2)
    // Every quality was tried at full size before the first smaller one.
    expect(calls.slice(0, QUALITIES.length).every((c) => c.width === 3000)).toBe(true)
  })

  it('starts within the server pixel bounds', async () => {
    const { encode, calls } = fakeEncoder(0.01)
    const fit = await fitUnderLimit(6000, 4000, encode)
    expect(calls[0]!.width * calls[0]!.height).toBeLessThanOrEqual(MAX_PIXELS)
    expect(fit!.width).toBe(calls[0]!.width)
  })

  it('gives up rather than send an unreadable picture', async () => {
    const { encode, calls } = fakeEncoder(100)
    expect(await fitUnderLimit(2000, 1500, encode)).toBeNull()
    expect(Math.max(calls.at(-1)!.width, calls.at(-1)!.height)).toBeGreaterThanOrEqual(MIN_SIDE)
  })

  it('treats an encoder that gives nothing as a try that did not fit', async () => {
    let n = 0
    const fit = await fitUnderLimit(500, 500, async () => (++n < 3 ? null : new Blob([new Uint8Array(10)])))
    expect(fit?.quality).toBe(QUALITIES[2])
  })
})
