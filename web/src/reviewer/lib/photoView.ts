// The reviewer's view of a photo: a zoom among fixed steps and a rotation by quarter turns.
// Pure, so the steps and the layout are tested without a browser.

export type PhotoView = { step: number; quarterTurns: number }

/** zoomSteps are the zooms offered, relative to the photo fitted to its frame. */
export const zoomSteps = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4] as const
const fitted = zoomSteps.indexOf(1)

export const initialView: PhotoView = { step: fitted, quarterTurns: 0 }

export function zoomIn(v: PhotoView): PhotoView {
  return { ...v, step: Math.min(v.step + 1, zoomSteps.length - 1) }
}

export function zoomOut(v: PhotoView): PhotoView {
  return { ...v, step: Math.max(v.step - 1, 0) }
}

export function rotate(v: PhotoView): PhotoView {
  return { ...v, quarterTurns: (v.quarterTurns + 1) % 4 }
}

export function zoomOf(v: PhotoView): number {
  return zoomSteps[v.step] ?? 1
}

export function canZoomIn(v: PhotoView): boolean {
  return v.step < zoomSteps.length - 1
}

export function canZoomOut(v: PhotoView): boolean {
  return v.step > 0
}

export function zoomText(v: PhotoView): string {
  return `${Math.round(zoomOf(v) * 100)}%`
}

export function degrees(v: PhotoView): number {
  return v.quarterTurns * 90
}

export type Size = { w: number; h: number }

/** fitScale shrinks a photo to fit its frame (never enlarges a small one). */
export function fitScale(photo: Size, frame: Size): number {
  if (photo.w <= 0 || photo.h <= 0) return 1
  return Math.min(1, frame.w / photo.w, frame.h / photo.h)
}

/**
 * layout places the photo: the image is drawn at img size, turned about its centre, inside a
 * stage as big as the turned picture, so that the frame's scroll bars reach every edge of it
 * at any zoom and turn.
 */
export function layout(photo: Size, fit: number, v: PhotoView): { img: Size; stage: Size; transform: string } {
  const k = fit * zoomOf(v)
  const img = { w: Math.round(photo.w * k), h: Math.round(photo.h * k) }
  const sideways = v.quarterTurns % 2 === 1
  return {
    img,
    stage: sideways ? { w: img.h, h: img.w } : img,
    transform: `translate(-50%, -50%) rotate(${degrees(v)}deg)`,
  }
}
