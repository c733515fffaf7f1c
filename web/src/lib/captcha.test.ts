import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { CaptchaCancelled, missedText, withSlider, type SliderAnswer } from './captcha'

function slider(answers: (SliderAnswer | 'cancel')[]) {
  const asked: string[] = []
  return {
    asked,
    ask(why = '') {
      asked.push(why)
      const a = answers.shift()
      return a === 'cancel' || !a ? Promise.reject(new CaptchaCancelled()) : Promise.resolve(a)
    },
  }
}

const failed = new ApiError(400, { code: 'CAPTCHA_FAILED', message: '滑块验证未通过' })

describe('withSlider', () => {
  it('asks again, saying why, when the server found the drop off the hole', async () => {
    const s = slider([{ id: 'a', x: 1, y: 2 }, { id: 'b', x: 3, y: 4 }])
    const sent: string[] = []
    const out = await withSlider(s, async (c) => {
      sent.push(c.id)
      if (c.id === 'a') throw failed
      return 'ok'
    })
    expect(out).toBe('ok')
    expect(sent).toEqual(['a', 'b'])
    expect(s.asked).toEqual(['', missedText])
  })

  it('hands any other error back, and stops when the slider is closed', async () => {
    const other = new ApiError(400, { code: 'CODE_INVALID', message: '验证码错误' })
    await expect(withSlider(slider([{ id: 'a', x: 0, y: 0 }]), () => Promise.reject(other))).rejects.toBe(other)
    await expect(withSlider(slider([{ id: 'a', x: 0, y: 0 }, 'cancel']), () => Promise.reject(failed))).rejects.toBeInstanceOf(CaptchaCancelled)
  })
})
