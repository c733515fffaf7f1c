// What every journey needs: fresh identities, the local outbox, the slider dragged by the
// mouse, the reviewer's TOTP, an accessibility check and a screenshot of each page.
import { createHmac, randomInt } from 'node:crypto'
import AxeBuilder from '@axe-core/playwright'
import { expect, type APIRequestContext, type Locator, type Page, type TestInfo } from '@playwright/test'

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

/**
 * residentId is a valid 居民身份证 number: Beijing 朝阳, born on a random day of 1985–1999, a
 * random sequence — about 5 million numbers, so the few dozen of a run do not meet (a number
 * drawn from the clock once repeated within a run and was refused ACCOUNT_EXISTS).
 */
export function residentId(): string {
  const birth = new Date(Date.UTC(1985, 0, 1) + randomInt(0, 15 * 365) * 86_400_000)
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '')
  const body = `110105${ymd}${String(randomInt(0, 1000)).padStart(3, '0')}`
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (weights[i] ?? 0), 0)
  return body + '10X98765432'[sum % 11]
}

/** mobile is a fresh mainland mobile (139 and 8 random digits), so its 3 codes a day are untouched. */
export function mobile(): string {
  return `139${String(randomInt(0, 100_000_000)).padStart(8, '0')}`
}

/** email is a fresh QQ-style address. */
export function email(): string {
  return `${randomInt(10_000_000, 2_000_000_000)}@qq.com`
}

export const password = 'Teach#2026ok'

type Message = { channel: 'sms' | 'email'; to: string; subject: string; body: string; sentAt: string }

/** outbox is what the local system "sent". */
export async function outbox(request: APIRequestContext): Promise<Message[]> {
  const res = await request.get('/local/outbox')
  expect(res.ok()).toBeTruthy()
  return ((await res.json()) as { messages: Message[] }).messages
}

/** smsCode waits for the newest SMS to phone (11 digits) and gives its 6-digit code. */
export async function smsCode(request: APIRequestContext, phone: string): Promise<string> {
  let code = ''
  await expect
    .poll(async () => {
      const sms = (await outbox(request)).filter((m) => m.channel === 'sms' && m.to.endsWith(phone))
      code = sms.at(-1)?.body.match(/\b\d{6}\b/)?.[0] ?? ''
      return code
    })
    .not.toBe('')
  return code
}

/** mailTo waits for the newest mail to address. */
export async function mailTo(request: APIRequestContext, address: string): Promise<Message> {
  let mail: Message | undefined
  await expect
    .poll(async () => {
      mail = (await outbox(request)).filter((m) => m.channel === 'email' && m.to === address).at(-1)
      return mail !== undefined
    })
    .toBe(true)
  return mail as Message
}

/**
 * solveSlider drags the slider's piece with the mouse onto its hole, whose place the local
 * system tells (GET /local/captchas/{id}), watching the piece as a person would, then lets go.
 * Call it after the action that opens the slider, with the promise of the POST /v1/captchas
 * response taken before that action.
 */
export async function solveSlider(page: Page, created: Promise<import('@playwright/test').Response>): Promise<void> {
  const puzzle = (await (await created).json()) as { captchaId: string }
  const hole = (await (await page.request.get(`/local/captchas/${puzzle.captchaId}`)).json()) as { x: number; y: number }
  const tile = page.locator('dialog[open] .gc-tile')
  await expect(tile).toBeVisible()
  const box = (await tile.boundingBox())!
  const at = () => tile.evaluate((el) => ({ x: (el as HTMLElement).offsetLeft, y: (el as HTMLElement).offsetTop }))
  const start = await at()
  const grab = { x: box.x + box.width / 2, y: box.y + box.height / 2 }
  await page.mouse.move(grab.x, grab.y)
  await page.mouse.down()
  const steps = 12
  for (let i = 1; i <= steps; i += 1) {
    await page.mouse.move(grab.x + ((hole.x - start.x) * i) / steps, grab.y + ((hole.y - start.y) * i) / steps)
  }
  // A last nudge for what rounding lost, read off where the piece is drawn.
  const now = await at()
  await page.mouse.move(grab.x + (hole.x - start.x) + (hole.x - now.x), grab.y + (hole.y - start.y) + (hole.y - now.y))
  await page.mouse.up()
}

/** totp is the reviewer's current 6-digit code (RFC 6238, SHA-1, 30 s) for a base32 secret. */
export function totp(secret = 'JBSWY3DPEHPK3PXP', at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)))
  const mac = createHmac('sha1', key).update(counter).digest()
  const offset = mac[mac.length - 1]! & 0x0f
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000
  return String(n).padStart(6, '0')
}

/** checkPage fails on any serious or critical accessibility finding, and keeps a screenshot. */
export async function checkPage(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screens/${info.project.name}-${name}.png`, fullPage: true })
  const results = await new AxeBuilder({ page }).analyze()
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
}

export type Applicant = { account: string; password: string; phone: string; email: string; name: string }

/** answerSlider passes a slider over the API, for the set-up of a test (not what it tests). */
export async function answerSlider(request: APIRequestContext): Promise<{ id: string; x: number; y: number }> {
  const created = (await (await request.post('/v1/captchas')).json()) as { captchaId: string }
  const at = (await (await request.get(`/local/captchas/${created.captchaId}`)).json()) as { x: number; y: number }
  return { id: created.captchaId, x: at.x, y: at.y }
}

/** registerByApi makes a fresh resident_id applicant through the API, for tests of later pages. */
export async function registerByApi(request: APIRequestContext, name = '李老师'): Promise<Applicant> {
  const a: Applicant = { account: residentId(), password, phone: mobile(), email: email(), name }
  const sent = await request.post('/v1/sms-codes', {
    data: { phone: a.phone, purpose: 'register', captcha: await answerSlider(request) },
  })
  expect(sent.status()).toBe(202)
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

/** loginInPage logs a through the login page, dragging the slider. */
export async function loginInPage(page: Page, a: Pick<Applicant, 'account' | 'password'>): Promise<void> {
  await page.goto('/login')
  await page.getByLabel('账号').fill(a.account)
  await page.getByLabel('密码', { exact: true }).fill(a.password)
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/captchas') && r.request().method() === 'POST')
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await solveSlider(page, created)
}

/**
 * settled waits until loc and every element around it have ended the transition Vue began on
 * them (a sheet sliding up, a dialog fading in): Vue's transition classes stay until the end.
 * Playwright calls an element stable once two frames give it one box, which a dropped frame
 * on a loaded machine gives mid-slide; a click whose mousedown and mouseup then meet different
 * nodes fires on neither, and the sheet simply stays open (a CI run lost a pick so).
 */
export async function settled(loc: Locator): Promise<void> {
  await expect
    .poll(
      () =>
        loc.evaluate((el) => {
          for (let e: Element | null = el; e; e = e.parentElement) {
            if ([...e.classList].some((c) => /-(enter|leave)-(from|active|to)$/.test(c))) return false
          }
          return true
        }),
      { message: 'the transition around it ends' },
    )
    .toBe(true)
}
