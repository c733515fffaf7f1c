/** CaptchaCancelled is what CaptchaDialog's ask() rejects with when the slider is closed. */
export class CaptchaCancelled extends Error {
  constructor() {
    super('cancelled')
  }
}

export type SliderAnswer = { id: string; x: number; y: number }

/** Slider is what a page holds of its CaptchaDialog: ask() opens a puzzle, with a note why. */
export type Slider = { ask: (why?: string) => Promise<SliderAnswer> }

/** missedText is what the slider says when the server found the last drop off the hole. */
export const missedText = '拼图位置不对，请再拖动一次'

/**
 * withSlider asks for a slider and sends the request with its answer; when the server answers
 * CAPTCHA_FAILED (a drop off the hole, or a puzzle expired while the form was filled) it asks
 * again, saying why, until the request passes or the person closes the slider
 * (CaptchaCancelled). Any other answer, good or bad, is the caller's.
 */
export async function withSlider<T>(slider: Slider, send: (captcha: SliderAnswer) => Promise<T>): Promise<T> {
  let why = ''
  for (;;) {
    const captcha = await slider.ask(why)
    try {
      return await send(captcha)
    } catch (err) {
      if ((err as { code?: string } | null)?.code !== 'CAPTCHA_FAILED') throw err
      why = missedText
    }
  }
}
