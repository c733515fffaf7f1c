import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client'
import { CaptchaCancelled } from './captcha'
import { withCaptcha } from './withCaptcha'

const missed = () => new ApiError(400, { code: 'CAPTCHA_FAILED', message: '验证失败' })

describe('withCaptcha', () => {
  it('asks again after a missed drag, saying why, and sends the new answer', async () => {
    const ask = vi.fn().mockResolvedValueOnce({ id: 'a', x: 1, y: 1 }).mockResolvedValueOnce({ id: 'b', x: 2, y: 2 })
    const send = vi.fn().mockRejectedValueOnce(missed()).mockResolvedValueOnce('ok')
    await expect(withCaptcha(ask, send)).resolves.toBe('ok')
    expect(ask.mock.calls).toEqual([[undefined], ['验证未通过，请再拖动一次']])
    expect(send).toHaveBeenLastCalledWith({ id: 'b', x: 2, y: 2 })
  })

  it('gives up after the last attempt and passes other errors and a closed slider through at once', async () => {
    const ask = vi.fn().mockResolvedValue({ id: 'a', x: 1, y: 1 })
    await expect(withCaptcha(ask, () => Promise.reject(missed()), 2)).rejects.toMatchObject({ code: 'CAPTCHA_FAILED' })
    expect(ask).toHaveBeenCalledTimes(2)

    const notFound = new ApiError(404, { code: 'ACCOUNT_NOT_FOUND', message: '未找到' })
    const send = vi.fn().mockRejectedValue(notFound)
    await expect(withCaptcha(ask, send)).rejects.toBe(notFound)
    expect(send).toHaveBeenCalledTimes(1)

    await expect(withCaptcha(() => Promise.reject(new CaptchaCancelled()), send)).rejects.toBeInstanceOf(CaptchaCancelled)
  })
})
