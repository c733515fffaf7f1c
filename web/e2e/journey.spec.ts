// The seed's whole journey, as a person does it in a browser on `make run`: an applicant
// registers (the slider dragged with the mouse, the code read from the outbox), logs in,
// completes the profile, fails the real-name verification, sends a manual review with a photo
// from disk; a reviewer at the desk, in a desktop browser of their own, approves it; the
// applicant sees it approved. It runs in the phone and the desktop project alike.
import { devices, expect, test } from '@playwright/test'
import { email, loginInPage, mobile, password, residentId, settled, smsCode } from './support'
import { askSmsCode, fillRegistration } from './entry-support'
import { chooseEthnicity, sendManualReviewAfterFailure } from './firstlogin-support'
import { loginReviewer } from './reviewer-support'

test('an applicant registers, fails verification, is reviewed by hand and approved at the desk', async ({ page, browser, request }, info) => {
  test.slow()
  const d = { idNumber: residentId(), name: '王核验失败', password, email: email(), phone: mobile() }

  // 账号注册
  await page.goto('/')
  await expect(page).toHaveURL(/\/login$/)
  await page.getByRole('link', { name: '注册账号' }).click()
  await fillRegistration(page, d)
  await askSmsCode(page)
  await page.getByRole('textbox', { name: '短信验证码' }).fill(await smsCode(request, d.phone))
  await page.getByRole('button', { name: '注册', exact: true }).click()
  await expect(page.getByRole('heading', { name: '注册成功' })).toBeVisible()

  // 登录, then 完善个人信息
  await page.getByRole('button', { name: '去登录' }).click()
  await loginInPage(page, { account: d.idNumber, password: d.password })
  await expect(page).toHaveURL(/\/profile$/)
  await chooseEthnicity(page, '汉', '汉族')
  await page.getByRole('button', { name: '提交' }).click()

  // 实名核验 fails (the simulator fails every name with 核验失败), then 人工审核
  await expect(page).toHaveURL(/\/verification$/)
  await page.getByRole('button', { name: '开始实名核验' }).click()
  await sendManualReviewAfterFailure(page, d.idNumber)

  // The reviewer, at a desktop: the queue, the review with its photo, 通过.
  const deskContext = await browser.newContext({ ...devices['Desktop Chrome'], baseURL: info.project.use.baseURL, locale: 'zh-CN' })
  const desk = await deskContext.newPage()
  await loginReviewer(desk)
  const row = desk.locator('table.queue tbody tr').filter({ hasText: d.idNumber })
  await row.getByRole('link', { name: d.name }).click()
  await expect(desk.getByRole('img', { name: /证件照片/ })).toBeVisible()
  await desk.getByRole('button', { name: '通过（Y）' }).click()
  const confirm = desk.getByRole('dialog', { name: '确认通过' })
  await settled(confirm)
  await confirm.getByRole('button', { name: '确认通过（Enter）' }).click()
  await expect(desk.getByRole('status').filter({ hasText: '已通过' })).toBeVisible()
  await deskContext.close()

  // The applicant sees the decision.
  await page.reload()
  await expect(page.getByRole('status').filter({ hasText: '人工审核已通过' })).toBeVisible()
})
