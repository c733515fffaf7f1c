// The reviewers' desk (desktop only): the login with the second factor and the slider, the
// queue oldest first with its filters and pages, one review with its photo, the decisions,
// a decision someone else made first, what the applicants see afterwards, and a contact
// correction's two approvals by two reviewers.
import { devices, expect, test, type Locator, type Page } from '@playwright/test'
import { answerSlider, checkPage, outbox, registerByApi } from './support'
import {
  fileCorrection, fileReview, fillReviewerLogin, loginReviewer, myReviews, reviewer2, sessionToken, submitWithSlider,
} from './reviewer-support'

/** rowOf is the queue's row of an applicant, found by the document number it shows. */
function rowOf(page: Page, idNumber: string): Locator {
  return page.locator('table.queue tbody tr').filter({ hasText: idNumber })
}

/** rowIndex is the place of an applicant's row in the table, from 0. */
async function rowIndex(page: Page, idNumber: string): Promise<number> {
  const texts = await page.locator('table.queue tbody tr').allInnerTexts()
  return texts.findIndex((t) => t.includes(idNumber))
}

test('a reviewer works the queue: oldest first, filters, the photo, a rejection, an approval, and a decision made elsewhere first', async ({
  page,
  request,
}, info) => {
  // Three applicants' set-up (registration, logins, each with an Argon2id hash) and four
  // accessibility checks: more than the default two minutes on a busy 2-core machine.
  test.slow()
  const first = await fileReview(request, '甲核验失败')
  const renamed = await fileReview(request, '乙核验失败', '乙明')
  const third = await fileReview(request, '丙核验失败')

  await page.goto('/reviewer/')
  await expect(page).toHaveURL(/\/reviewer\/login\?next=/)
  await checkPage(page, info, 'reviewer-login')
  await loginReviewer(page, page.url())
  await expect(page.getByRole('heading', { name: '审核队列' })).toBeVisible()

  // Every kind, 100 a page, so that reviews other journeys left pending do not push these out.
  await page.getByRole('radiogroup', { name: '每页条数' }).getByText('100', { exact: true }).click()
  await expect(page).toHaveURL(/limit=100/)
  await expect(rowOf(page, third.account)).toBeVisible()
  const order = [await rowIndex(page, first.account), await rowIndex(page, renamed.account), await rowIndex(page, third.account)]
  expect(order[0]).toBeGreaterThanOrEqual(0)
  expect([...order].sort((a, b) => a - b)).toEqual(order)
  await expect(rowOf(page, first.account)).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/)
  await expect(rowOf(page, first.account)).toContainText('实名人工审核')
  await checkPage(page, info, 'reviewer-queue')

  // Another kind has none of them; all kinds again shows them.
  await page.getByRole('radiogroup', { name: '申请类型' }).getByText('账号申诉', { exact: true }).click()
  await expect(page).toHaveURL(/kind=ownership/)
  await expect(page.locator('table.queue caption')).toContainText('账号申诉')
  await expect(rowOf(page, first.account)).toHaveCount(0)
  await page.getByRole('radiogroup', { name: '申请类型' }).getByText('实名人工审核', { exact: true }).click()
  await expect(rowOf(page, first.account)).toBeVisible()

  // Open the first by a click on its row; the photo comes in a no-store answer.
  const opened = page.waitForResponse((r) => r.url().endsWith(`/v1/reviews/${first.reviewId}`) && r.request().method() === 'GET')
  await rowOf(page, first.account).locator('td').first().click()
  const answer = await opened
  expect(answer.headers()['cache-control']).toBe('no-store')
  await expect(page).toHaveURL(new RegExp(`/reviewer/reviews/${first.reviewId}`))
  await expect(page.getByRole('heading', { level: 1 })).toContainText('甲核验失败')
  await expect(page.getByText(first.account)).toBeVisible()
  await expect(page.getByText('2020-01-01 至 长期')).toBeVisible()
  await expect(page.getByText('无：通过只确认身份，账号信息不变。')).toBeVisible()
  const photo = page.getByRole('img', { name: '甲核验失败 提交的证件照片' })
  await expect(photo).toBeVisible()
  expect(await photo.getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/)

  // Zoom and rotate, by the buttons and by the keys.
  const state = page.getByTestId('photo-state')
  await expect(state).toHaveText('缩放 100%，旋转 0°')
  const before = (await photo.boundingBox())!
  await page.getByRole('button', { name: '放大（+）' }).click()
  await expect(state).toHaveText('缩放 125%，旋转 0°')
  await page.keyboard.press('+')
  await expect(state).toHaveText('缩放 150%，旋转 0°')
  expect((await photo.boundingBox())!.width).toBeGreaterThan(before.width * 1.4)
  await page.keyboard.press('-')
  await expect(state).toHaveText('缩放 125%，旋转 0°')
  await page.keyboard.press('r')
  await expect(state).toHaveText('缩放 125%，旋转 90°')
  await page.getByRole('button', { name: '旋转 90°（R）' }).click()
  await expect(state).toHaveText('缩放 125%，旋转 180°')
  await expect(photo).toHaveAttribute('style', /rotate\(180deg\)/)
  await page.keyboard.press('0')
  await expect(state).toHaveText('缩放 100%，旋转 0°')
  await checkPage(page, info, 'reviewer-review')

  // Reject: N opens the reason; Enter on no reason is refused; Enter with one sends it.
  await page.keyboard.press('n')
  const dialog = page.getByRole('dialog', { name: '不通过：请填写原因' })
  await expect(dialog).toBeVisible()
  const reason = dialog.getByLabel('不通过原因（申请人将看到，最多 200 字）')
  await expect(reason).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(dialog.getByRole('alert')).toContainText('请填写不通过的原因')
  await reason.fill('照片不清晰，请重新拍摄后提交。')
  await checkPage(page, info, 'reviewer-reject-dialog')
  await page.keyboard.press('Enter')
  await expect(dialog).toBeHidden()
  await expect(page.getByRole('status').filter({ hasText: '已作出“不通过”结论' })).toBeVisible()
  await expect(page.getByText('照片不清晰，请重新拍摄后提交。')).toBeVisible()
  await expect(page.getByRole('button', { name: '不通过（N）' })).toHaveCount(0)

  // Back to the queue (B): the filters are kept; the renamed applicant's review shows the change.
  await page.keyboard.press('b')
  await expect(page).toHaveURL(/\/reviewer\/\?.*kind=identity/)
  await expect(rowOf(page, first.account)).toHaveCount(0)
  await rowOf(page, renamed.account).getByRole('link', { name: '乙明' }).click()
  const changes = page.locator('table.changes')
  await expect(changes).toContainText('姓名')
  await expect(changes).toContainText('乙核验失败')
  await expect(changes).toContainText('乙明')
  await expect(page.getByText('（与申请姓名不同）')).toBeVisible()

  // Approve: Y opens the confirmation, Escape closes it, Y again and Enter approves.
  await page.keyboard.press('y')
  const confirm = page.getByRole('dialog', { name: '确认通过' })
  await expect(confirm).toContainText('姓名：乙核验失败 → 乙明')
  await page.keyboard.press('Escape')
  await expect(confirm).toBeHidden()
  await page.getByRole('button', { name: '通过（Y）' }).click()
  await expect(confirm).toBeVisible()
  await expect(confirm.getByRole('button', { name: '确认通过（Enter）' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('status').filter({ hasText: '已通过' })).toBeVisible()
  await expect(page.getByRole('button', { name: '审核下一条' })).toBeFocused()

  // Someone else decides the third while it is open here: this desk's decision is refused
  // and says so, and the review is shown as it now stands.
  await page.goto(`/reviewer/reviews/${third.reviewId}`)
  await expect(page.getByRole('heading', { level: 1 })).toContainText('丙核验失败')
  const elsewhere = await request.post(`/v1/reviews/${third.reviewId}/decision`, {
    headers: { Authorization: `Bearer ${await sessionToken(page)}` },
    data: { decision: 'approve' },
  })
  expect(elsewhere.status()).toBe(200)
  await page.getByRole('button', { name: '不通过（N）' }).click()
  await page.getByLabel('不通过原因（申请人将看到，最多 200 字）').fill('姓名与证件不一致。')
  await page.getByRole('button', { name: '确认不通过' }).click()
  await expect(page.getByRole('alert').filter({ hasText: '已由其他审核人员作出结论' })).toBeVisible()
  await expect(page.getByText('该申请已有结论：已通过')).toBeVisible()

  // The lists of decided reviews.
  await page.goto('/reviewer/?status=rejected&limit=100')
  await expect(rowOf(page, first.account)).toContainText('未通过')
  await expect(rowOf(page, renamed.account)).toHaveCount(0)
  await page.getByRole('radiogroup', { name: '审核状态' }).getByText('已通过', { exact: true }).click()
  await expect(rowOf(page, renamed.account)).toContainText('已通过')
  await expect(rowOf(page, third.account)).toBeVisible()

  // What the applicants see.
  const [a] = await myReviews(request, first.token)
  expect(a).toMatchObject({ reviewId: first.reviewId, status: 'rejected', reason: '照片不清晰，请重新拍摄后提交。' })
  expect(a?.decidedAt).toBeTruthy()
  const [b] = await myReviews(request, renamed.token)
  expect(b).toMatchObject({ reviewId: renamed.reviewId, status: 'approved' })
  const [c] = await myReviews(request, third.token)
  expect(c).toMatchObject({ reviewId: third.reviewId, status: 'approved' })
})

test('a reviewer pages through the queue and opens a review with the keyboard alone, then logs out', async ({ page, request }) => {
  const one = await fileReview(request, '丁核验失败')
  const two = await fileReview(request, '戊核验失败')
  await loginReviewer(page)

  // One a page: 下一页 follows the server's cursor, 上一页 comes back by the one kept.
  await page.goto('/reviewer/?limit=1')
  const rows = page.locator('table.queue tbody tr')
  const opens = rows.getByRole('link')
  await expect(rows).toHaveCount(1)
  const firstPage = (await opens.getAttribute('href'))!
  await page.getByRole('button', { name: '下一页' }).click()
  await expect(page.getByText('第 2 页', { exact: true })).toBeVisible()
  await expect(rows).toHaveCount(1)
  await expect(opens).not.toHaveAttribute('href', firstPage)
  await page.getByRole('button', { name: '上一页' }).click()
  await expect(page.getByText('第 1 页', { exact: true })).toBeVisible()
  await expect(opens).toHaveAttribute('href', firstPage)
  await expect(page.getByRole('button', { name: '上一页' })).toBeDisabled()

  // All pending on one page; then Tab along the page to the newest one's name, and Enter.
  await page.goto('/reviewer/?limit=100')
  const link = rowOf(page, two.account).getByRole('link', { name: '戊核验失败' })
  await expect(link).toBeVisible()
  await expect(rowOf(page, one.account)).toBeVisible()
  let reached = false
  for (let i = 0; i < 200 && !reached; i += 1) {
    await page.keyboard.press('Tab')
    reached = await link.evaluate((el) => el === document.activeElement)
  }
  expect(reached).toBe(true)
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(new RegExp(`/reviewer/reviews/${two.reviewId}`))
  await expect(page.getByRole('heading', { level: 1 })).toContainText('戊核验失败')
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused()

  // The next pending one after a decision, by the keyboard too.
  await page.keyboard.press('y')
  await expect(page.getByRole('button', { name: '确认通过（Enter）' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('button', { name: '审核下一条' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page).not.toHaveURL(new RegExp(`/reviewer/reviews/${two.reviewId}`))
  await expect(page.getByRole('button', { name: '通过（Y）' })).toBeVisible()

  await page.getByRole('button', { name: '退出' }).click()
  await expect(page).toHaveURL(/\/reviewer\/login$/)
  await page.goto('/reviewer/')
  await expect(page).toHaveURL(/\/reviewer\/login/)
})

test('the desk refuses an applicant’s account, and says when a login failed or is locked', async ({ page, request }) => {
  const a = await registerByApi(request, '李老师')

  await page.goto('/reviewer/login')
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await expect(page.getByText('请输入审核账号')).toBeVisible()
  await expect(page.getByText('请输入验证器上显示的 6 位数字')).toBeVisible()

  // An applicant's right password opens no desk session.
  await fillReviewerLogin(page, a.account, a.password, '123456')
  await submitWithSlider(page)
  await expect(page.getByRole('alert')).toContainText('考生账号，不能登录审核工作台')
  await expect(page).toHaveURL(/\/reviewer\/login$/)
  expect(await page.evaluate(() => sessionStorage.getItem('jszg.reviewer.session'))).toBeNull()

  // A wrong password reads as the desk says it (the code may be at fault as well).
  await fillReviewerLogin(page, a.account, 'Wrong#2026x', '123456')
  await submitWithSlider(page)
  await expect(page.getByRole('alert')).toContainText('账号、密码或动态验证码错误')
  await expect(page.getByLabel('动态验证码')).toHaveValue('')

  // Four more wrong passwords lock the login; the desk says until when.
  for (let i = 0; i < 4; i += 1) {
    const res = await request.post('/v1/sessions', {
      data: { account: a.account, password: 'Wrong#2026x', captcha: await answerSlider(request) },
    })
    expect([401, 423]).toContain(res.status())
  }
  await fillReviewerLogin(page, a.account, a.password, '123456')
  await submitWithSlider(page)
  await expect(page.getByRole('alert')).toContainText(/已暂停登录至 \d{2}:\d{2}:\d{2}（北京时间）/)
})

test('a review left open leaves the screen when the session can have ended, and a long Latin name wraps', async ({ page, request }) => {
  const latin = 'W'.repeat(50)
  const filed = await fileReview(request, `${'W'.repeat(44)}核验失败`, latin)
  await page.clock.install()
  await loginReviewer(page)
  await page.goto(`/reviewer/reviews/${filed.reviewId}`)
  const photo = page.locator('img[src^="data:image/jpeg"]')
  await expect(photo).toBeVisible()
  await expect(page.getByText(filed.account).first()).toBeVisible()

  // Nothing of the name runs out of its column, under the photo: every field and cell ends
  // inside its card, and holds its text.
  const overflowing = await page.locator('.fields dd, .changes td').evaluateAll((els) =>
    els.filter((el) => {
      const card = el.closest('.columns > *')!.getBoundingClientRect()
      return el.getBoundingClientRect().right > card.right + 1 || el.scrollWidth > el.clientWidth + 1
    }).map((el) => el.textContent))
  expect(overflowing).toEqual([])

  // The heading holds the name on the page too.
  const h1 = page.getByRole('heading', { level: 1 })
  expect(await h1.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true)

  // The server keeps an idle session 25 to 30 minutes: a desk in use stays, however long.
  await page.clock.fastForward('20:00')
  await page.reload()
  await expect(photo).toBeVisible()
  await page.clock.fastForward('20:00')
  await expect(photo).toBeVisible()
  // Left 25 minutes after its last request, the review goes.
  await page.clock.fastForward('05:30')
  await expect(page).toHaveURL(/\/reviewer\/login\?next=/)
  await expect(photo).toHaveCount(0)
  await expect(page.getByText(filed.account)).toHaveCount(0)
  expect(await sessionToken(page)).toBeUndefined()
})

test('a contact correction takes two reviewers: the first approval changes nothing and tells no one, another reviewer’s decides', async ({
  page,
  browser,
  request,
}, info) => {
  // Two reviewers' logins (the second may wait for the next TOTP step), an applicant's set-up
  // and two accessibility checks.
  test.slow()
  const a = await registerByApi(request, '钱老师')
  const filed = await fileCorrection(request, a)
  /** told is how many messages went to the account's old contacts and to the filed ones. */
  const told = async () => {
    const all = await outbox(request)
    return {
      old: all.filter((m) => m.to.endsWith(a.phone) || m.to === a.email).length,
      filed: all.filter((m) => m.to.endsWith(filed.phone) || m.to === filed.email).length,
    }
  }
  const before = await told()

  // The first reviewer finds it in the queue, not yet approved by anyone.
  await loginReviewer(page)
  await page.goto('/reviewer/?kind=contact&limit=100')
  const row = rowOf(page, a.account)
  await expect(row).toContainText('联系方式更正')
  await expect(row).not.toContainText('待复核')
  await row.getByRole('link', { name: '钱老师' }).click()
  await expect(page).toHaveURL(new RegExp(`/reviewer/reviews/${filed.reviewId}`))
  await expect(page.locator('table.changes')).toContainText('手机号码')

  // 通过 is the first of two: the dialog says so; the answer keeps the review pending.
  await page.keyboard.press('y')
  const first = page.getByRole('dialog', { name: '确认初审通过' })
  await expect(first).toContainText('这是第一位审核员的通过（初审）')
  await expect(first).toContainText('申请人暂不会收到通知')
  await expect(first.getByRole('button', { name: '确认初审通过（Enter）' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(first).toBeHidden()
  await expect(
    page.getByRole('status').filter({ hasText: '已初审通过。联系方式更正和账号申诉须由另一位审核员复核通过后才生效；申请人暂不会收到通知。' }),
  ).toBeVisible()
  await expect(page.getByText('待复核', { exact: true })).toBeVisible()
  await expect(page.getByText('待审核', { exact: true })).toBeVisible()
  const approve = page.getByRole('button', { name: '通过（Y）' })
  await expect(approve).toBeDisabled()
  await page.keyboard.press('y')
  await expect(page.getByRole('alert').filter({ hasText: '您已初审通过本申请，须由另一位审核员复核通过' })).toBeVisible()
  await expect(first).toBeHidden()
  await expect(page.getByRole('button', { name: '不通过（N）' })).toBeEnabled()
  // Nobody was told (the decision's notices go out within its request).
  expect(await told()).toEqual(before)
  await checkPage(page, info, 'reviewer-first-approval')

  // As the server has it: read again, the approve stays refused; sent anyway, it is 403.
  await page.reload()
  await expect(page.getByText(/您已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 初审通过/)).toBeVisible()
  await expect(approve).toBeDisabled()
  const again = await request.post(`/v1/reviews/${filed.reviewId}/decision`, {
    headers: { Authorization: `Bearer ${await sessionToken(page)}` },
    data: { decision: 'approve' },
  })
  expect(again.status()).toBe(403)
  expect(((await again.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN')
  await page.goto('/reviewer/?kind=contact&limit=100')
  await expect(row).toContainText('待复核')
  await expect(row).toContainText('您已初审')

  // The second reviewer, at a desk of their own: waiting for them, and their approval decides.
  const deskContext = await browser.newContext({
    ...devices['Desktop Chrome'], baseURL: info.project.use.baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
  })
  const desk = await deskContext.newPage()
  await loginReviewer(desk, '/reviewer/login', reviewer2)
  await desk.goto('/reviewer/?kind=contact&limit=100')
  const row2 = rowOf(desk, a.account)
  await expect(row2).toContainText('待复核')
  await expect(row2).not.toContainText('您已初审')
  await row2.getByRole('link', { name: '钱老师' }).click()
  await expect(desk.getByText(/已由另一位审核员初审通过（\d{4}-\d{2}-\d{2} \d{2}:\d{2}），请复核/)).toBeVisible()
  await expect(desk.getByRole('button', { name: '通过（Y）', exact: true })).toHaveCount(0)
  await checkPage(desk, info, 'reviewer-second-approval')
  await desk.getByRole('button', { name: '复核通过（Y）' }).click()
  const second = desk.getByRole('dialog', { name: '确认复核通过' })
  await expect(second).toContainText('这是第二位审核员的通过（复核）')
  await expect(second.getByRole('button', { name: '确认复核通过（Enter）' })).toBeFocused()
  await desk.keyboard.press('Enter')
  await expect(desk.getByRole('status').filter({ hasText: '已复核通过，结论已生效：已通过' })).toBeVisible()
  await expect(desk.getByText('待复核', { exact: true })).toHaveCount(0)
  await deskContext.close()

  // Decided: the first reviewer's page shows it so, and the applicant is told at the filed
  // contacts and the old ones.
  await page.goto(`/reviewer/reviews/${filed.reviewId}`)
  await expect(page.getByText('该申请已有结论：已通过')).toBeVisible()
  const after = await told()
  expect(after.filed).toBeGreaterThan(before.filed)
  expect(after.old).toBeGreaterThan(before.old)
})
