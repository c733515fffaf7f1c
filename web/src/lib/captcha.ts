/** CaptchaCancelled is what CaptchaDialog's ask() rejects with when the slider is closed. */
export class CaptchaCancelled extends Error {
  constructor() {
    super('cancelled')
  }
}
