import { ApiError, type Schemas } from '@/api/client'

type Answer = Schemas['CaptchaAnswer']

/**
 * withCaptcha asks the slider, sends the request with its answer, and when the server says the
 * drag missed (CAPTCHA_FAILED: wrong, expired or already used) asks again with a fresh puzzle —
 * a missed drag is not the applicant's mistake to read about, just a retry. After `attempts`
 * misses the error goes to the page. ask's note says why the slider came back.
 * CaptchaCancelled (the slider closed) passes through untouched.
 */
export async function withCaptcha<T>(
  ask: (note?: string) => Promise<Answer>,
  send: (captcha: Answer) => Promise<T>,
  attempts = 3,
): Promise<T> {
  let note: string | undefined
  for (let i = 1; ; i += 1) {
    const captcha = await ask(note)
    try {
      return await send(captcha)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CAPTCHA_FAILED' && i < attempts) {
        note = '验证未通过，请再拖动一次'
        continue
      }
      throw err
    }
  }
}
