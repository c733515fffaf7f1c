import { describe, expect, it } from 'vitest'
import {
  canZoomIn, canZoomOut, degrees, fitScale, initialView, layout, rotate, zoomIn, zoomOf, zoomOut, zoomSteps, zoomText,
} from './photoView'

describe('the photo view', () => {
  it('starts fitted and upright, and zooms by steps within bounds', () => {
    expect(zoomText(initialView)).toBe('100%')
    expect(degrees(initialView)).toBe(0)
    expect(zoomText(zoomIn(initialView))).toBe('125%')
    expect(zoomText(zoomOut(initialView))).toBe('75%')
    let v = initialView
    for (let i = 0; i < 20; i += 1) v = zoomIn(v)
    expect(zoomOf(v)).toBe(zoomSteps.at(-1))
    expect(canZoomIn(v)).toBe(false)
    for (let i = 0; i < 20; i += 1) v = zoomOut(v)
    expect(zoomOf(v)).toBe(zoomSteps[0])
    expect(canZoomOut(v)).toBe(false)
  })

  it('turns a quarter at a time and comes back upright after four', () => {
    let v = initialView
    const seen: number[] = []
    for (let i = 0; i < 4; i += 1) {
      v = rotate(v)
      seen.push(degrees(v))
    }
    expect(seen).toEqual([90, 180, 270, 0])
  })

  it('fits a large photo into its frame and leaves a small one as it is', () => {
    expect(fitScale({ w: 2000, h: 1000 }, { w: 500, h: 500 })).toBe(0.25)
    expect(fitScale({ w: 240, h: 320 }, { w: 500, h: 500 })).toBe(1)
    expect(fitScale({ w: 0, h: 0 }, { w: 500, h: 500 })).toBe(1)
  })

  it('makes the stage as big as the turned picture', () => {
    const up = layout({ w: 240, h: 320 }, 1, zoomIn(initialView))
    expect(up.img).toEqual({ w: 300, h: 400 })
    expect(up.stage).toEqual({ w: 300, h: 400 })
    const side = layout({ w: 240, h: 320 }, 0.5, rotate(initialView))
    expect(side.img).toEqual({ w: 120, h: 160 })
    expect(side.stage).toEqual({ w: 160, h: 120 })
    expect(side.transform).toContain('rotate(90deg)')
  })
})
