import { expect, test } from '@playwright/test'
import { checkPage, loginInPage, registerByApi } from './support'
import { chooseEthnicity, choosePhoto, decideReview, fillReviewForm, registerPermitHolder } from './firstlogin-support'

test('a resident whose verification fails completes the profile, sends a shrunk photo for manual review and sees it approved', async ({ page, request }, info) => {
  // Three pages, six accessibility checks, a photo re-encoded in the browser and a reviewer's
  // login: on a shared 2-core machine this takes longer than one page's test.
  test.slow()
  const a = await registerByApi(request, '王核验失败')
  await loginInPage(page, a)

  // 完善个人信息: a resident ID gives only the ethnicity.
  await expect(page).toHaveURL(/\/profile$/)
  await expect(page.getByText('性别', { exact: true })).toBeVisible()
  await expect(page.getByText('由身份证号码确定').first()).toBeVisible()
  await expect(page.getByLabel('出生日期')).toHaveCount(0)
  await page.getByRole('button', { name: '提交' }).click()
  await expect(page.getByText('请选择民族').last()).toBeVisible()
  await chooseEthnicity(page, '汉', '汉族')
  await checkPage(page, info, 'profile-resident')
  await page.getByRole('button', { name: '提交' }).click()

  // 实名核验: the instructions, the tries left, then a failure with the guidance.
  await expect(page).toHaveURL(/\/verification$/)
  await expect(page.getByRole('heading', { name: '实名核验说明' })).toBeVisible()
  const tries = page.getByRole('status').filter({ hasText: '今日还可核验' })
  await expect(tries).toContainText('今日还可核验 3 次')
  await checkPage(page, info, 'verification')
  await page.getByRole('button', { name: '开始实名核验' }).click()
  const failure = page.getByRole('alert').filter({ hasText: '实名核验未通过' })
  await expect(failure).toContainText('CTID')
  await expect(failure.getByRole('link', { name: /居民身份证网上功能凭证开通指南/ })).toHaveAttribute('href', /^https:\/\//)
  await expect(tries).toContainText('今日还可核验 2 次')
  await expect(page.getByText(/本周期还可申请\s*3\s*次/)).toBeVisible()
  await checkPage(page, info, 'verification-failed')
  await page.getByRole('button', { name: '申请人工审核' }).click()

  // 人工审核: the form, with a photo over 190 KB that the page shrinks.
  await expect(page).toHaveURL(/\/manual-review$/)
  await expect(page.getByLabel('姓名')).toHaveValue(a.name)
  await expect(page.getByText('本周期还可申请')).toContainText('3')
  await page.getByLabel('证件号码').fill(a.account)
  await page.getByLabel('有效期起').fill('2020-01-01')
  await page.getByRole('checkbox', { name: /证件长期有效/ }).check()
  await expect(page.getByLabel('有效期止')).toHaveCount(0)
  await choosePhoto(page, 'id-photo-large.jpg')
  await expect(page.getByRole('alert').filter({ hasText: '须小于 190 KB' })).toBeVisible()
  await page.getByRole('button', { name: '压缩照片' }).click()
  // Re-encoding is the phone's own work (several tries of the encoder): given its time.
  await expect(page.getByText(/已压缩为 JPG：\d+\.\d KB（原照片 470\.0 KB）/)).toBeVisible({ timeout: 60_000 })
  await expect(page.getByRole('status').filter({ hasText: '照片符合要求' })).toBeVisible()
  await expect(page.getByRole('img', { name: '所选照片预览' })).toBeVisible()
  await checkPage(page, info, 'manual-review-form')
  await page.getByRole('button', { name: '提交人工审核' }).click()

  // Pending: shown instead of the form, with the promised answer time.
  const pending = page.getByRole('status').filter({ hasText: '人工审核中' })
  await expect(pending).toContainText('您的人工审核申请已提交')
  await expect(pending).toContainText('7 个工作日内给出结论')
  await expect(page.getByText('审核中', { exact: true })).toBeVisible()
  await expect(page.getByText('预计答复')).toBeVisible()
  await expect(page.getByRole('button', { name: '提交人工审核' })).toHaveCount(0)
  await checkPage(page, info, 'manual-review-pending')

  // A reviewer approves it; the applicant sees that after a reload.
  await decideReview(request, a.account, { decision: 'approve' })
  await page.reload()
  await expect(page.getByRole('status').filter({ hasText: '人工审核已通过' })).toBeVisible()
  await expect(page.getByText('审核通过', { exact: true })).toBeVisible()
  await expect(page.getByText('审核时间')).toBeVisible()
  await checkPage(page, info, 'manual-review-approved')
})

test('a Hong Kong permit holder gives gender, birth date and the Hong Kong identity card, then may go straight to manual review and sees a rejection\'s reason', async ({ page, request }, info) => {
  // The reviewer's login may wait for the next TOTP step when this run spent the current one.
  test.slow()
  const a = await registerPermitHolder(request)
  await loginInPage(page, a)
  await expect(page).toHaveURL(/\/profile$/)

  const local = page.getByLabel('香港身份证号码')
  await expect(page.getByText('例如 A123456(3)').first()).toBeVisible()
  await local.fill('A123456(4)')
  await local.blur()
  await expect(page.getByText('香港身份证号码校验码不正确，请核对')).toBeVisible()
  await page.getByRole('radio', { name: '女' }).click()
  await page.getByLabel('出生日期').fill('1988-08-08')
  await local.fill('A123456(3)')
  await chooseEthnicity(page, '其', '其他')
  await checkPage(page, info, 'profile-permit')
  await page.getByRole('button', { name: '提交' }).click()
  await expect(page).toHaveURL(/\/verification$/)
  await expect(page.getByRole('link', { name: /开通指南/ })).toHaveCount(0) // the CTID guide is for resident IDs

  // A permit holder needs no failed verification first.
  await page.getByRole('button', { name: '申请人工审核' }).click()
  await expect(page).toHaveURL(/\/manual-review$/)
  await expect(page.getByText('港澳居民来往内地通行证').first()).toBeVisible()
  await page.getByLabel('证件号码').fill(a.account)
  await page.getByLabel('有效期起').fill('2020-01-01')
  await page.getByLabel('有效期止').fill('2030-01-01')
  await choosePhoto(page, 'id-photo-small.jpg')
  await expect(page.getByText('JPG 格式，37.0 KB')).toBeVisible()
  await expect(page.getByRole('button', { name: '压缩照片' })).toHaveCount(0)
  await page.getByRole('button', { name: '提交人工审核' }).click()
  await expect(page.getByText('审核中', { exact: true })).toBeVisible()

  // The profile cannot change while the review is pending.
  await page.goto('/profile')
  await expect(page.getByRole('status').filter({ hasText: '人工审核期间不能修改个人信息' })).toBeVisible()
  await expect(page.getByRole('button', { name: '提交' })).toHaveCount(0)

  // Rejected: the reason, and the form again to correct and send.
  await decideReview(request, a.account, { decision: 'reject', reason: '照片不清晰，请重新拍摄' })
  await page.goto('/manual-review')
  await expect(page.getByRole('heading', { name: '人工审核未通过' })).toBeVisible()
  await expect(page.getByText('不通过原因：照片不清晰，请重新拍摄')).toBeVisible()
  await expect(page.getByText('审核未通过', { exact: true })).toBeVisible()
  await expect(page.getByText('本周期还可申请')).toContainText('2')
  await expect(page.getByRole('button', { name: '提交人工审核' })).toBeEnabled()
  await checkPage(page, info, 'manual-review-rejected')
})

test('a resident who has not tried the online verification is told to try it before manual review, and a pass opens the account page', async ({ page, request }) => {
  const a = await registerByApi(request, '赵老师')
  await loginInPage(page, a)
  await expect(page).toHaveURL(/\/profile$/)
  await chooseEthnicity(page, '回', '回族')
  await page.getByRole('button', { name: '提交' }).click()
  await expect(page).toHaveURL(/\/verification$/)

  await page.goto('/manual-review')
  await fillReviewForm(page, a.account)
  await page.getByRole('button', { name: '提交人工审核' }).click()
  const refusal = page.getByRole('alert').filter({ hasText: '未能提交' })
  await expect(refusal).toContainText('请先进行实名核验')
  await refusal.getByRole('link', { name: '去进行实名核验' }).click()
  await expect(page).toHaveURL(/\/verification$/)

  // This name passes the check: a pass opens the account page.
  await page.getByRole('button', { name: '开始实名核验' }).click()
  await expect(page).toHaveURL(/\/account$/)
})

test('a verified applicant whose name changed asks for the change here and stays cleared while it waits', async ({ page, request }, info) => {
  test.slow()
  const a = await registerByApi(request, '周明')
  await loginInPage(page, a)
  await expect(page).toHaveURL(/\/profile$/)
  await chooseEthnicity(page, '汉', '汉族')
  await page.getByRole('button', { name: '提交' }).click()
  await page.getByRole('button', { name: '开始实名核验' }).click()
  await expect(page).toHaveURL(/\/account$/)

  await page.goto('/manual-review')
  await expect(page.getByRole('button', { name: '提交人工审核' })).toHaveCount(0)
  await page.getByRole('button', { name: /申请修改姓名/ }).click()
  await page.getByLabel('姓名').fill('周新明')
  await fillReviewForm(page, a.account)
  await checkPage(page, info, 'name-change-form')
  await page.getByRole('button', { name: '提交姓名变更申请' }).click()
  await expect(page.getByRole('status').filter({ hasText: '姓名变更申请正在审核' })).toBeVisible()
  await expect(page.getByRole('button', { name: /申请修改姓名/ })).toHaveCount(0)
  await checkPage(page, info, 'name-change-pending')
})
