import { describe, expect, it } from 'vitest'
import { qrImage } from './qr'

describe('qrImage', () => {
  it('draws a web address as a PNG data URL, and nothing else', async () => {
    expect(await qrImage('http://weixin.qq.com/q/02abc')).toMatch(/^data:image\/png;base64,/)
    expect(await qrImage(null)).toBeNull()
    expect(await qrImage('javascript:alert(1)')).toBeNull()
    expect(await qrImage('https://weixin.qq.com/q/' + 'x'.repeat(600))).toBeNull()
  })
})
