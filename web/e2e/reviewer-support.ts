// The reviewers' desk's set-up: applicants who file manual reviews through the API (a name
// the verification simulator fails, a profile, one failed verification, a photo) or contact
// corrections (a fresh mobile proven by its code, a photo), and the reviewers' login through
// the page with a second-factor code never used before.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { answerSlider, email, mobile, registerByApi, smsCode, solveSlider, totp, type Applicant } from './support'

/** The fixture: a 240×320 JPEG standing in for a document photo, red band on its top edge. */
export const photoBase64 = readFileSync(fileURLToPath(new URL('./fixtures/id-photo.jpg', import.meta.url))).toString('base64')

export const reviewer = { account: 'reviewer', password: 'Reviewer#2026' }

/**
 * The second local reviewer `make run` seeds (same password and second factor): a contact
 * correction or an ownership claim takes another reviewer's approval after the first.
 */
export const reviewer2 = { account: 'reviewer2', password: 'Reviewer#2026' }

export type Filed = Applicant & { token: string; reviewId: string; reviewName: string }

/** applicantToken logs an applicant in over the API. */
export async function applicantToken(request: APIRequestContext, a: Pick<Applicant, 'account' | 'password'>): Promise<string> {
  const res = await request.post('/v1/sessions', {
    data: { account: a.account, password: a.password, captcha: await answerSlider(request) },
  })
  expect(res.status(), await res.text()).toBe(201)
  return ((await res.json()) as { token: string }).token
}

/**
 * fileReview registers a resident_id applicant named name (it must contain 核验失败, so the
 * simulator fails the verification), completes the profile, fails one verification and
 * files a manual review under reviewName (a corrected name, or the same).
 */
export async function fileReview(request: APIRequestContext, name: string, reviewName = name): Promise<Filed> {
  expect(name).toContain('核验失败')
  const a = await registerByApi(request, name)
  const token = await applicantToken(request, a)
  const headers = { Authorization: `Bearer ${token}` }
  const profile = await request.put('/v1/me/profile', { headers, data: { ethnicity: '汉族' } })
  expect(profile.status(), await profile.text()).toBe(200)
  const verified = await request.post('/v1/me/verifications', { headers, data: {} })
  expect(verified.status(), await verified.text()).toBe(200)
  expect(((await verified.json()) as { result: string }).result).toBe('failed')
  const filed = await request.post('/v1/me/manual-reviews', {
    headers,
    data: {
      name: reviewName, idType: 'resident_id', idNumber: a.account, idValidFrom: '2020-01-01', idValidTo: 'long-term',
      photo: `data:image/jpeg;base64,${photoBase64}`,
    },
  })
  expect(filed.status(), await filed.text()).toBe(202)
  const { reviewId } = (await filed.json()) as { reviewId: string }
  return { ...a, token, reviewId, reviewName }
}

export type FiledCorrection = { reviewId: string; phone: string; email: string }

/**
 * fileCorrection files a contact correction of a's account without logging in, as the
 * 账号申诉 page does: a fresh mobile proven by a code (purpose contact), a fresh e-mail, the
 * document photo. Nothing of it reaches the account before two reviewers approve it.
 */
export async function fileCorrection(request: APIRequestContext, a: Applicant): Promise<FiledCorrection> {
  const phone = mobile()
  const sent = await request.post('/v1/sms-codes', {
    data: { phone, purpose: 'contact', captcha: await answerSlider(request) },
  })
  expect(sent.status(), await sent.text()).toBe(202)
  const mail = email()
  const filed = await request.post('/v1/account-corrections', {
    data: {
      kind: 'contact', idType: 'resident_id', idNumber: a.account, name: a.name, idValidFrom: '2020-01-01', idValidTo: 'long-term',
      phone, smsCode: await smsCode(request, phone), email: mail, photo: `data:image/jpeg;base64,${photoBase64}`,
      captcha: await answerSlider(request),
    },
  })
  expect(filed.status(), await filed.text()).toBe(202)
  const { reviewId } = (await filed.json()) as { reviewId: string }
  return { reviewId, phone, email: mail }
}

export type MyReview = { reviewId: string; status: string; reason: string | null; decidedAt: string | null }

/** myReviews is what the applicant sees of their reviews (GET /v1/me/manual-reviews). */
export async function myReviews(request: APIRequestContext, token: string): Promise<MyReview[]> {
  const res = await request.get('/v1/me/manual-reviews', { headers: { Authorization: `Bearer ${token}` } })
  expect(res.status()).toBe(200)
  return ((await res.json()) as { items: MyReview[] }).items
}

const stepSeconds = 30
const stepNow = () => Math.floor(Date.now() / 1000 / stepSeconds)
const stepFile = () => join(test.info().project.outputDir, 'reviewer-totp-step')

function lastStep(): number {
  try {
    return Number(readFileSync(stepFile(), 'utf8')) || 0
  } catch {
    return 0
  }
}

/**
 * freshOtp is a second-factor code of a time step no login of this run has used: the server
 * takes each step once, and the codes of the step before and after its own. The step used
 * last is kept in the run's output folder (emptied at each run, shared by the workers that
 * follow one another), so a third login within 30 seconds waits for the clock.
 */
export async function freshOtp(): Promise<string> {
  const step = Math.max(stepNow(), lastStep() + 1)
  await expect.poll(stepNow, { timeout: 70_000, intervals: [1000] }).toBeGreaterThanOrEqual(step - 1)
  mkdirSync(dirname(stepFile()), { recursive: true })
  writeFileSync(stepFile(), String(step))
  return totp(undefined, step * stepSeconds * 1000)
}

/** fillReviewerLogin fills the desk's login form; then press 登录 and drag the slider. */
export async function fillReviewerLogin(page: Page, account: string, password: string, otp: string): Promise<void> {
  await page.getByLabel('账号').fill(account)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByLabel('动态验证码').fill(otp)
}

/** submitWithSlider presses 登录 and drags the slider it opens. */
export async function submitWithSlider(page: Page): Promise<void> {
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/captchas') && r.request().method() === 'POST')
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await solveSlider(page, created)
}

/** loginReviewer logs a local reviewer (reviewer unless told) in through the desk's login page, to the queue. */
export async function loginReviewer(page: Page, next = '/reviewer/login', who = reviewer): Promise<void> {
  await page.goto(next)
  await expect(page).toHaveURL(/\/reviewer\/login/)
  await fillReviewerLogin(page, who.account, who.password, await freshOtp())
  await submitWithSlider(page)
  await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('审核人员登录')
}

/** sessionToken is the desk's session token in this tab, to act as a second reviewer would. */
export async function sessionToken(page: Page): Promise<string> {
  return page.evaluate(() => (JSON.parse(sessionStorage.getItem('jszg.reviewer.session') ?? '{}') as { token: string }).token)
}
