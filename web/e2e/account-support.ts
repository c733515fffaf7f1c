// Helpers of the account-upkeep journeys (account.spec.ts), beside support.ts.
import { randomInt } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { expect, type APIRequestContext, type Page } from '@playwright/test'
import { answerSlider, email, mobile, outbox, password, smsCode, solveSlider, type Applicant } from './support'

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

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

/**
 * randomResidentId is a valid 居民身份证 number (Beijing 朝阳, born on a random day of 1985–1999,
 * a random sequence): about 5 million of them, so a run's dozen do not meet. support.ts's
 * residentId() draws from a few hundred within one process and was seen to repeat one
 * (409 ACCOUNT_EXISTS) across this spec's two projects.
 */
export function randomResidentId(): string {
  const birth = new Date(Date.UTC(1985, 0, 1) + randomInt(0, 15 * 365) * 86_400_000)
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '')
  const body = `110105${ymd}${String(randomInt(0, 1000)).padStart(3, '0')}`
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (weights[i] ?? 0), 0)
  return body + '10X98765432'[sum % 11]
}

/** registerApplicant is support.ts's registerByApi with randomResidentId(). */
export async function registerApplicant(request: APIRequestContext, name = '李老师'): Promise<Applicant> {
  const a: Applicant = { account: randomResidentId(), password, phone: mobile(), email: email(), name }
  const sent = await request.post('/v1/sms-codes', {
    data: { phone: a.phone, purpose: 'register', captcha: await answerSlider(request) },
  })
  expect(sent.status(), await sent.text()).toBe(202)
  const res = await request.post('/v1/accounts', {
    data: {
      idType: 'resident_id', idNumber: a.account, name: a.name, idValidFrom: '2020-01-01', idValidTo: 'long-term',
      password: a.password, passwordConfirm: a.password, email: a.email, phone: a.phone,
      smsCode: await smsCode(request, a.phone), agreementAccepted: true,
    },
  })
  expect(res.status(), await res.text()).toBe(201)
  return a
}
