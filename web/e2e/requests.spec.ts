// The API requests the applicant pages make in a visit, counted by method and path (the bill,
// bench/bill, prices each one: about $2.5 per million applicants). Each test prints its visit's
// counts and bounds GET /v1/me, so that a page asking for the account again fails here.
import { expect, test, type Page } from '@playwright/test'
import { chooseEthnicity, sendManualReviewAfterFailure } from './firstlogin-support'
import { applicantToken } from './reviewer-support'
import { loginInPage, registerByApi, type Applicant } from './support'

/** countRequests tallies every /v1/ request the page sends from now on, as "METHOD /path". */
function countRequests(page: Page): Map<string, number> {
  const counts = new Map<string, number>()
  page.on('request', (r) => {
    const url = new URL(r.url())
    if (!url.pathname.startsWith('/v1/')) return
    const key = `${r.method()} ${url.pathname}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  })
  return counts
}

/** report prints the visit's counts (sorted) and gives the number of GET /v1/me. */
async function report(page: Page, visit: string, counts: Map<string, number>): Promise<number> {
  // Whatever the last page still asks arrives before the counts are read.
  await page.waitForLoadState('networkidle')
  const lines = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `  ${String(n).padStart(2)} ${k}`)
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  console.log(`${visit}: ${total} API requests\n${lines.join('\n')}`)
  return counts.get('GET /v1/me') ?? 0
}

/** verifyAtFirstLogin logs a new applicant in, completes the profile and runs the verification. */
async function verifyAtFirstLogin(page: Page, a: Applicant): Promise<void> {
  await loginInPage(page, a)
  await expect(page).toHaveURL(/\/profile$/)
  await chooseEthnicity(page, '汉', '汉族')
  await page.getByRole('button', { name: '提交' }).click()
  await expect(page).toHaveURL(/\/verification$/)
  await page.getByRole('button', { name: '开始实名核验' }).click()
}

test.describe('API requests per visit', () => {
  test('a first login: profile, a passed verification, the account page', async ({ page, request }) => {
    const a = await registerByApi(request, '赵老师')
    const counts = countRequests(page)
    await verifyAtFirstLogin(page, a)
    await expect(page).toHaveURL(/\/account$/)
    await expect(page.getByText('已通过实名核验')).toBeVisible()
    // the profile page asks; the profile's answer is the account; the pass is read back once
    // (3 before the account was kept for the session)
    expect(await report(page, 'first login', counts)).toBeLessThanOrEqual(2)
  })

  test('a first login: a failed verification, then a manual review sent', async ({ page, request }) => {
    test.slow()
    const a = await registerByApi(request, '钱核验失败')
    const counts = countRequests(page)
    await verifyAtFirstLogin(page, a)
    await sendManualReviewAfterFailure(page, a.account)
    // the profile page; the failure's counts read back; the manual-review page, which always
    // asks (a reviewer decides without this tab), and again after the submission (5 before)
    expect(await report(page, 'first login, manual review', counts)).toBeLessThanOrEqual(4)
  })

  test('a later login of a verified applicant: the account page, the mobile page and back', async ({ page, request }) => {
    const a = await registerByApi(request, '孙老师')
    const headers = { Authorization: `Bearer ${await applicantToken(request, a)}` }
    expect((await request.put('/v1/me/profile', { headers, data: { ethnicity: '汉族' } })).status()).toBe(200)
    const verified = await request.post('/v1/me/verifications', { headers, data: {} })
    expect(((await verified.json()) as { result: string }).result).toBe('passed')

    const counts = countRequests(page)
    await loginInPage(page, a)
    await expect(page).toHaveURL(/\/account$/)
    await expect(page.getByText('孙老师')).toBeVisible()
    await page.getByRole('link', { name: /手机号码/ }).click()
    await expect(page).toHaveURL(/\/account\/phone$/)
    await expect(page.getByLabel('新手机号码')).toBeVisible()
    await page.getByText('返回', { exact: true }).click()
    await expect(page).toHaveURL(/\/account$/)
    await expect(page.getByText('孙老师')).toBeVisible()
    // the account page asks; the mobile page and the way back use what it got (3 before)
    expect(await report(page, 'later login', counts)).toBeLessThanOrEqual(1)
  })
})
