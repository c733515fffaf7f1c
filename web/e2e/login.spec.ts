import { expect, test } from '@playwright/test'
import { checkPage, loginInPage, registerByApi } from './support'

test('an applicant logs in with the slider and is sent to complete the profile', async ({ page, request }, info) => {
  const a = await registerByApi(request)
  await page.goto('/login')
  await checkPage(page, info, 'login')
  await loginInPage(page, a)
  await expect(page).toHaveURL(/\/profile$/)
})

test('a wrong password is told without saying which part was wrong', async ({ page, request }) => {
  const a = await registerByApi(request)
  await loginInPage(page, { account: a.account, password: 'Wrong#2026x' })
  await expect(page.getByRole('alert')).toContainText('账号或密码')
  await expect(page).toHaveURL(/\/login$/)
})
