// An ID photo as the server takes it (SPEC "Manual review", docs/openapi.yaml ReviewForm.photo):
// a JPEG smaller than 194,560 bytes (190 KB), at most 4096 px a side and 8 megapixels, sent as
// base64. The page checks the same before the upload, by the file's bytes (a .jpg name proves
// nothing), and can re-encode a photo the browser can decode but the server would refuse
// (a PNG, a large camera picture) into a JPEG that fits. The server decodes and checks again.

/** PHOTO_LIMIT is the first size the server refuses: the photo must be smaller. */
export const PHOTO_LIMIT = 194_560
export const MAX_SIDE = 4096
export const MAX_PIXELS = 8_000_000

/** isJpeg: a JPEG file starts with its SOI marker and the next marker's FF (FF D8 FF). */
export function isJpeg(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff
}

/** formatOf names a picture's format from its first bytes, for the message; null when unknown. */
export function formatOf(head: Uint8Array): string | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.slice(from, to))
  if (isJpeg(head)) return 'JPG'
  if (head[0] === 0x89 && ascii(1, 4) === 'PNG') return 'PNG'
  if (ascii(0, 4) === 'GIF8') return 'GIF'
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP'
  if (ascii(4, 8) === 'ftyp' && /^(heic|heix|hevc|mif1|msf1|heim|heis)$/.test(ascii(8, 12))) return 'HEIC'
  if (ascii(4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(8, 12))) return 'AVIF'
  if (ascii(0, 2) === 'BM') return 'BMP'
  return null
}

/** sizeText is a size the way the manual says it: 185.3 KB (1 KB = 1024 bytes, as 190 KB is). */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  return `${(bytes / 1024).toFixed(1)} KB`
}

/** bytesToBase64 is the contract's photo field: plain base64 of the file, no data: prefix. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = ''
  // In slices: String.fromCharCode(...all) overflows the call stack on a large file.
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(out)
}

export type PhotoFacts = {
  size: number
  /** the first bytes are a JPEG's */
  jpeg: boolean
  /** the picture's pixels, when the browser could decode it */
  width?: number
  height?: number
}

export type PhotoProblem = '' | 'empty' | 'not_jpeg' | 'too_large' | 'too_many_pixels'

/** photoProblem is why the server would refuse this photo, '' when it would not (as far as a browser can tell). */
export function photoProblem(p: PhotoFacts): PhotoProblem {
  if (p.size === 0) return 'empty'
  if (!p.jpeg) return 'not_jpeg'
  if (p.size >= PHOTO_LIMIT) return 'too_large'
  if (p.width && p.height && (Math.max(p.width, p.height) > MAX_SIDE || p.width * p.height > MAX_PIXELS)) return 'too_many_pixels'
  return ''
}

/** problemText says a problem in plain words; format is formatOf's name when known. */
export function problemText(problem: PhotoProblem, p: PhotoFacts, format: string | null): string {
  switch (problem) {
    case 'empty':
      return '这个文件是空的，请重新选择照片'
    case 'not_jpeg':
      return `照片须为 JPG 格式，这张是${format ? ` ${format} ` : '其他'}格式`
    case 'too_large':
      return `照片大小为 ${sizeText(p.size)}，须小于 190 KB`
    case 'too_many_pixels':
      return `照片像素过大（${p.width} × ${p.height}），每边不超过 ${MAX_SIDE} 像素、总数不超过 800 万像素`
    default:
      return ''
  }
}

/** startScale is the largest scale (≤ 1) at which w × h keeps within the server's pixel bounds. */
export function startScale(w: number, h: number): number {
  return Math.min(1, MAX_SIDE / Math.max(w, h), Math.sqrt(MAX_PIXELS / (w * h)))
}

/** One try of the re-encoding: the picture drawn at width × height and encoded at quality. */
export type Encode = (width: number, height: number, quality: number) => Promise<Blob | null>

export type Fitted = { blob: Blob; width: number; height: number; quality: number }

/** The qualities tried at each size, best first: below 0.5 text on a document blurs. */
export const QUALITIES = [0.92, 0.85, 0.75, 0.65, 0.55] as const
/** Each round that fits nothing shrinks the picture by this much. */
export const SHRINK = 0.75
/** Smaller than this on its long side a document is not readable: give up. */
export const MIN_SIDE = 480

/**
 * fitUnderLimit lowers the quality first (keeps the detail reviewers read), then the scale, until
 * encode gives a blob smaller than limit; null when even the smallest readable size does not fit.
 */
export async function fitUnderLimit(w: number, h: number, encode: Encode, limit = PHOTO_LIMIT): Promise<Fitted | null> {
  let scale = startScale(w, h)
  for (;;) {
    const width = Math.max(1, Math.round(w * scale))
    const height = Math.max(1, Math.round(h * scale))
    for (const quality of QUALITIES) {
      const blob = await encode(width, height, quality)
      if (blob && blob.size > 0 && blob.size < limit) return { blob, width, height, quality }
    }
    if (Math.max(width, height) * SHRINK < MIN_SIDE) return null
    scale *= SHRINK
  }
}

/** A picture the browser decoded, ready to be drawn. */
export type Decoded = { source: CanvasImageSource; width: number; height: number; close(): void }

/** decodeImage decodes a file in the browser (upright, as its EXIF says), or null when it cannot. */
export async function decodeImage(file: Blob): Promise<Decoded | null> {
  if (typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
      return { source: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() }
    } catch {
      // fall through to an <img>, which some browsers decode more formats with
    }
  }
  const url = URL.createObjectURL(file)
  try {
    const img = new Image()
    img.src = url
    await img.decode()
    if (!img.naturalWidth) return null
    return { source: img, width: img.naturalWidth, height: img.naturalHeight, close: () => undefined }
  } catch {
    return null
  } finally {
    URL.revokeObjectURL(url)
  }
}

/** canvasEncoder draws decoded on a canvas and encodes it as JPEG (no EXIF, no metadata). */
export function canvasEncoder(decoded: Decoded): Encode {
  return (width, height, quality) => {
    const canvas = document.createElement('canvas')
    canvas.width = width
    canvas.height = height
    const ctx = canvas.getContext('2d')
    if (!ctx) return Promise.resolve(null)
    // JPEG has no transparency: a PNG's transparent parts become white, not black.
    ctx.fillStyle = '#fff'
    ctx.fillRect(0, 0, width, height)
    ctx.imageSmoothingQuality = 'high'
    ctx.drawImage(decoded.source, 0, 0, width, height)
    return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality))
  }
}
