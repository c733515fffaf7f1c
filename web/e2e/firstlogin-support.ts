// What the first-login journeys need beside support.ts: a permit holder registered through the
// API, the reviewer's session (password, slider and TOTP, over the API), a decision on a
// review, and choosing the fixture photos through the page's own file chooser.
import { fileURLToPath } from 'node:url'
import { expect, type APIRequestContext, type Page } from '@playwright/test'
import { freshOtp } from './reviewer-support'
import { answerSlider, email, mobile, password, settled, smsCode, type Applicant } from './support'

/** registerPermitHolder makes a fresh 港澳居民来往内地通行证 (H…, Hong Kong) applicant through the API. */
export async function registerPermitHolder(request: APIRequestContext, name = '陈大文'): Promise<Applicant> {
  const phone = mobile()
  // A fresh mobile's 8 last digits make a fresh permit number.
  const a: Applicant = { account: `H${phone.slice(3)}`, password, phone, email: email(), name }
  const sent = await request.post('/v1/sms-codes', { data: { phone: a.phone, purpose: 'register', captcha: await answerSlider(request) } })
  expect(sent.status()).toBe(202)
  const res = await request.post('/v1/accounts', {
    data: {
      idType: 'hk_macau_permit', idNumber: a.account, name: a.name, idValidFrom: '2020-01-01', idValidTo: '2030-01-01',
      password: a.password, passwordConfirm: a.password, email: a.email, phone: a.phone,
      smsCode: await smsCode(request, a.phone), agreementAccepted: true,
    },
  })
  expect(res.status(), await res.text()).toBe(201)
  return a
}

/**
 * reviewerToken logs the local reviewer in over the API with a second-factor code no test of
 * this run has used (freshOtp): each code is accepted once, and a refused one counts against
 * the reviewer's lock and daily wrong codes, so codes are never guessed.
 */
export async function reviewerToken(request: APIRequestContext): Promise<string> {
  const res = await request.post('/v1/sessions', {
    data: { account: 'reviewer', password: 'Reviewer#2026', captcha: await answerSlider(request), otp: await freshOtp() },
  })
  expect(res.status(), await res.text()).toBe(201)
  return ((await res.json()) as { token: string }).token
}

/** decideReview has the reviewer decide the pending review of the applicant with this document number. */
export async function decideReview(
  request: APIRequestContext,
  idNumber: string,
  decision: { decision: 'approve' } | { decision: 'reject'; reason: string },
): Promise<void> {
  const headers = { Authorization: `Bearer ${await reviewerToken(request)}` }
  const queue = await request.get('/v1/reviews?status=pending&limit=100', { headers })
  expect(queue.status()).toBe(200)
  const items = ((await queue.json()) as { items: { reviewId: string; idNumber: string }[] }).items
  const review = items.find((r) => r.idNumber === idNumber)
  expect(review, `a pending review of ${idNumber}`).toBeDefined()
  const res = await request.post(`/v1/reviews/${review!.reviewId}/decision`, { headers, data: decision })
  expect(res.status(), await res.text()).toBe(200)
}

/** fixture is the path of a file under e2e/fixtures/. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
}

/** choosePhoto picks a fixture the way a person does: the 从相册选择 button, then the file chooser. */
export async function choosePhoto(page: Page, name: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser')
  await page.getByRole('button', { name: '从相册选择' }).click()
  await (await chooser).setFiles(fixture(name))
}

/** chooseEthnicity opens the 民族 sheet, narrows it by a character and picks the group. */
export async function chooseEthnicity(page: Page, search: string, name: string): Promise<void> {
  await page.getByLabel('民族', { exact: true }).click()
  const sheet = page.getByRole('dialog', { name: '选择民族' })
  await settled(sheet) // slid up: a pick clicked mid-slide can miss
  await sheet.getByLabel('查找').fill(search)
  await sheet.getByRole('button', { name, exact: true }).click()
  await expect(sheet).toBeHidden()
  await expect(page.getByLabel('民族', { exact: true })).toHaveValue(name)
}

/**
 * fillReviewForm fills the manual-review form (or a name change's) for a document valid from
 * 2020-01-01 for good, with the small fixture photo, and waits until the page accepts it.
 */
export async function fillReviewForm(page: Page, idNumber: string): Promise<void> {
  await page.getByLabel('证件号码').fill(idNumber)
  await page.getByLabel('有效期起').fill('2020-01-01')
  await page.getByRole('checkbox', { name: /证件长期有效/ }).check()
  await choosePhoto(page, 'id-photo-small.jpg')
  await expect(page.getByRole('status').filter({ hasText: '照片符合要求' })).toBeVisible()
}

/**
 * sendManualReviewAfterFailure goes from a failed online verification to a manual review
 * sent: the failure shown, 申请人工审核, the form filled for idNumber, 提交人工审核, pending.
 */
export async function sendManualReviewAfterFailure(page: Page, idNumber: string): Promise<void> {
  await expect(page.getByRole('alert').filter({ hasText: '实名核验未通过' })).toBeVisible()
  await page.getByRole('button', { name: '申请人工审核' }).click()
  await expect(page).toHaveURL(/\/manual-review$/)
  await fillReviewForm(page, idNumber)
  await page.getByRole('button', { name: '提交人工审核' }).click()
  await expect(page.getByRole('status').filter({ hasText: '人工审核中' })).toBeVisible()
}
