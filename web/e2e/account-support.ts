// Helpers of the account-upkeep journeys (account.spec.ts), beside support.ts.
import { fileURLToPath } from 'node:url'
import { expect, type APIRequestContext, type Page } from '@playwright/test'
import { outbox, solveSlider } from './support'

/** idCardJpeg is a small valid JPEG (480×300, 12 KB) standing in for a photo of a document. */
export const idCardJpeg = fileURLToPath(new URL('./fixtures/id-card.jpg', import.meta.url))

/** wechatSays sends a text from a WeChat user to the local service account and gives its reply. */
export async function wechatSays(request: APIRequestContext, openid: string, text: string): Promise<string> {
  const res = await request.post(`/local/wechat/${openid}`, { data: { text } })
  expect(res.ok(), await res.text()).toBeTruthy()
  return ((await res.json()) as { reply: string }).reply
}

/** mailCode waits for a mail to address that carries a 6-digit code and gives the code. */
export async function mailCode(request: APIRequestContext, address: string): Promise<string> {
  let code = ''
  await expect
    .poll(async () => {
      const mail = (await outbox(request)).filter((m) => m.channel === 'email' && m.to === address).at(-1)
      code = mail?.body.match(/\b\d{6}\b/)?.[0] ?? ''
      return code
    })
    .not.toBe('')
  return code
}

/** askSmsCode presses 获取验证码 and drags the slider that it opens. */
export async function askSmsCode(page: Page): Promise<void> {
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/captchas') && r.request().method() === 'POST')
  await page.getByRole('button', { name: '获取验证码' }).click()
  await solveSlider(page, created)
  await expect(page.getByRole('status').filter({ hasText: '验证码已发送' })).toBeVisible()
}

/** masked is a mainland mobile as the site shows it: 139****1234. */
export function masked(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`
}
