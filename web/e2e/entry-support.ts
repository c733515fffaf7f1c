// Helpers of the way-in journeys (registration, recovery, the 教育部 login): the WeChat
// service account as a user meets it, the reset link out of the outbox mail, the register form.
import { expect, type APIRequestContext, type Page } from '@playwright/test'
import { answerSlider, solveSlider, type Applicant } from './support'

let serial = 0

/** openId is a fresh WeChat user (each may ask 3 codes a day). */
export function openId(): string {
  serial += 1
  return `o-e2e-${Date.now()}-${process.pid}-${serial}`
}

/** wechat sends a message as that WeChat user to the local service account and gives its reply. */
export async function wechat(request: APIRequestContext, user: string, message: { event: string; key?: string } | { text: string }): Promise<string> {
  const res = await request.post(`/local/wechat/${encodeURIComponent(user)}`, { data: message })
  expect(res.ok(), await res.text()).toBeTruthy()
  return ((await res.json()) as { reply: string }).reply
}

/** wechatCode reads the 6-digit code out of a service account's reply. */
export function codeIn(reply: string): string {
  const code = reply.match(/验证码为(\d{6})/)?.[1]
  expect(code, reply).toBeTruthy()
  return code as string
}

/** bindWechat binds a fresh WeChat user to a's account, as the account page and the service account would. */
export async function bindWechat(request: APIRequestContext, a: Applicant): Promise<string> {
  const login = await request.post('/v1/sessions', {
    data: { account: a.account, password: a.password, captcha: await answerSlider(request) },
  })
  expect(login.status(), await login.text()).toBe(201)
  const { token } = (await login.json()) as { token: string }
  const bind = await request.post('/v1/me/wechat-binding', {
    data: { currentPassword: a.password },
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(bind.status(), await bind.text()).toBe(201)
  const { bindCode } = (await bind.json()) as { bindCode: string }
  const user = openId()
  expect(await wechat(request, user, { text: bindCode })).toContain('绑定成功')
  return user
}

/** resetLink is the page the reset mail's link opens, read out of the mail's body. */
export function resetLink(body: string): string {
  const link = body.match(/https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+/)?.[0]
  expect(link, body).toBeTruthy()
  return link as string
}

export type RegistrationData = {
  idNumber: string
  name: string
  password: string
  email: string
  phone: string
}

/** fillRegistration agrees to the agreement and fills every field of the form but the code. */
export async function fillRegistration(page: Page, d: RegistrationData): Promise<void> {
  await page.getByRole('button', { name: '同意' }).click()
  await page.getByLabel('证件号码').fill(d.idNumber)
  await page.getByLabel('有效期起').fill('2020-01-01')
  await page.getByRole('checkbox', { name: /证件长期有效/ }).check()
  await page.getByLabel('姓名').fill(d.name)
  await page.getByLabel('密码', { exact: true }).fill(d.password)
  await page.getByLabel('确认密码').fill(d.password)
  await page.getByLabel('电子邮箱').fill(d.email)
  await page.getByLabel('手机号码').fill(d.phone)
}

/** askSmsCode presses 获取验证码 and drags the slider. */
export async function askSmsCode(page: Page): Promise<void> {
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/captchas') && r.request().method() === 'POST')
  await page.getByRole('button', { name: '获取验证码' }).click()
  await solveSlider(page, created)
  await expect(page.getByText(/今日还可获取 \d 次/)).toBeVisible()
}

/** findAccount fills recovery step 1 and drags the slider. */
export async function findAccount(page: Page, a: Pick<Applicant, 'account' | 'name'>): Promise<void> {
  await page.goto('/forgot-password')
  await page.getByLabel('证件号码').fill(a.account)
  await page.getByLabel('姓名').fill(a.name)
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/captchas') && r.request().method() === 'POST')
  await page.getByRole('button', { name: '下一步' }).click()
  await solveSlider(page, created)
}
