import { expect, test } from '@playwright/test'
import { askSmsCode, mailCode, masked, registerApplicant, wechatSays } from './account-support'
import { checkPage, email, loginInPage, mobile, smsCode } from './support'

test.describe('account upkeep', () => {
  test('the account page shows the masked details and the password is changed, then used to log in', async ({ page, request }, info) => {
    const a = await registerApplicant(request, '周老师')
    await loginInPage(page, a)
    await expect(page).toHaveURL(/\/profile$/)

    await page.goto('/account')
    await expect(page.getByText('周老师')).toBeVisible()
    await expect(page.getByText(`${a.account.slice(0, 4)}`, { exact: false }).first()).toBeVisible()
    await expect(page.getByText(masked(a.phone))).toBeVisible()
    await expect(page.getByText('未实名核验')).toBeVisible()
    await expect(page.getByRole('link', { name: /前往办理/ })).toBeVisible()
    await checkPage(page, info, 'account')

    await page.getByRole('link', { name: '修改密码' }).click()
    await expect(page).toHaveURL(/\/account\/password$/)
    const next = 'Fresh#2027ok'
    await page.getByLabel('当前密码').fill('Wrong#2026x')
    await page.getByLabel('新密码', { exact: true }).fill('short')
    await expect(page.getByRole('listitem').filter({ hasText: /8 至 32 位\s*（未满足）/ })).toBeVisible()
    await page.getByLabel('新密码', { exact: true }).fill(next)
    await expect(page.getByRole('listitem').filter({ hasText: /8 至 32 位\s*（已满足）/ })).toBeVisible()
    await page.getByLabel('确认新密码').fill(next)
    await page.getByRole('button', { name: '确认修改' }).click()
    await expect(page.getByText('当前密码不正确')).toBeVisible()
    await checkPage(page, info, 'change-password')

    await page.getByLabel('当前密码').fill(a.password)
    await page.getByRole('button', { name: '确认修改' }).click()
    await expect(page.getByRole('status').filter({ hasText: '密码已修改' })).toBeVisible()
    await expect(page.getByText('其他手机、电脑或浏览器上的登录已全部退出')).toBeVisible()
    await checkPage(page, info, 'change-password-done')

    await page.getByRole('link', { name: '返回账号信息' }).click()
    await page.getByRole('button', { name: '退出登录' }).click()
    await expect(page).toHaveURL(/\/login$/)
    await loginInPage(page, { account: a.account, password: next })
    await expect(page).toHaveURL(/\/profile$/)
  })

  test('five wrong current passwords lock the login, and the page says why', async ({ page, request }) => {
    const a = await registerApplicant(request)
    await loginInPage(page, a)
    await expect(page).toHaveURL(/\/profile$/)
    await page.goto('/account/password')
    await page.getByLabel('新密码', { exact: true }).fill('Fresh#2027ok')
    await page.getByLabel('确认新密码').fill('Fresh#2027ok')
    for (let i = 1; i <= 4; i += 1) {
      await page.getByLabel('当前密码').fill(`Wrong#2026x${i}`)
      const answered = page.waitForResponse((r) => r.url().endsWith('/v1/me/password'))
      await page.getByRole('button', { name: '确认修改' }).click()
      expect((await answered).status()).toBe(422)
    }
    await page.getByLabel('当前密码').fill('Wrong#2026x5')
    await page.getByRole('button', { name: '确认修改' }).click()
    await expect(page.getByRole('alert')).toContainText('账号已锁定')
    await expect(page.getByRole('alert')).toContainText('锁定期间也无法登录')
  })

  test('the mobile is changed with a code sent to the new one', async ({ page, request }, info) => {
    const a = await registerApplicant(request)
    await loginInPage(page, a)
    await expect(page).toHaveURL(/\/profile$/)
    await page.goto('/account')
    await page.getByRole('link', { name: /手机号码/ }).click()
    await expect(page).toHaveURL(/\/account\/phone$/)
    await expect(page.getByText(masked(a.phone))).toBeVisible()

    const fresh = mobile()
    await page.getByLabel('新手机号码').fill(fresh)
    await askSmsCode(page)
    await page.getByLabel('短信验证码').fill(await smsCode(request, fresh))
    await page.getByLabel('当前密码').fill(a.password)
    await checkPage(page, info, 'change-phone')
    await page.getByRole('button', { name: '确认修改' }).click()
    await expect(page.getByRole('status').filter({ hasText: '手机号码已修改' })).toContainText(masked(fresh))
    await checkPage(page, info, 'change-phone-done')

    await page.getByRole('link', { name: '返回账号信息' }).click()
    await expect(page.getByText(masked(fresh))).toBeVisible()
  })

  test('the e-mail is changed with the code mailed to the new address', async ({ page, request }, info) => {
    const a = await registerApplicant(request)
    await loginInPage(page, a)
    await expect(page).toHaveURL(/\/profile$/)
    await page.goto('/account/email')

    const fresh = email()
    await page.getByLabel('新邮箱').fill(fresh)
    await page.getByRole('button', { name: '发送验证码' }).click()
    await expect(page.getByRole('status').filter({ hasText: `验证码已发送至 ${fresh}` })).toBeVisible()
    await page.getByLabel('邮件验证码').fill(await mailCode(request, fresh))
    await page.getByLabel('当前密码').fill(a.password)
    await checkPage(page, info, 'change-email')
    await page.getByRole('button', { name: '确认修改' }).click()
    await expect(page.getByRole('status').filter({ hasText: '电子邮箱已修改' })).toBeVisible()
    await checkPage(page, info, 'change-email-done')
    await page.getByRole('link', { name: '返回账号信息' }).click()
    await expect(page.getByText(`****@qq.com`)).toBeVisible()
  })

  test('WeChat is bound by sending the code to the service account, then unbound', async ({ page, request }, info) => {
    const a = await registerApplicant(request)
    await loginInPage(page, a)
    await expect(page).toHaveURL(/\/profile$/)
    await page.goto('/account')
    await page.getByRole('link', { name: /微信绑定/ }).click()
    await expect(page).toHaveURL(/\/account\/wechat$/)
    await expect(page.getByText('未绑定')).toBeVisible()
    await checkPage(page, info, 'wechat-unbound')

    await page.getByLabel('当前密码').fill(a.password)
    await page.getByRole('button', { name: '获取绑定码' }).click()
    const code = (await page.locator('.code-digits').textContent())?.trim() ?? ''
    expect(code).toMatch(/^[0-9]{10}$/)
    await checkPage(page, info, 'wechat-code')

    const openid = `o-e2e-${Date.now()}-${info.project.name}`
    expect(await wechatSays(request, openid, `绑定${code}`)).toContain('绑定成功')
    // The page asks every 5 s while the code lives (or at once, by its 我已发送 button: not pressed
    // here, where the watch may already have seen the binding).
    await expect(page.getByRole('status').filter({ hasText: '绑定成功' })).toBeVisible()
    await expect(page.getByText('已绑定', { exact: true })).toBeVisible()
    await checkPage(page, info, 'wechat-bound')

    // A second code for a bound account is refused by the server: the page offers unbinding instead.
    await page.getByLabel('当前密码').fill(a.password)
    await page.getByRole('button', { name: '解除绑定' }).click()
    await expect(page.getByRole('status').filter({ hasText: '已解除微信绑定' })).toBeVisible()
    await expect(page.getByText('未绑定')).toBeVisible()
    expect(await wechatSays(request, openid, '找回密码')).not.toContain('验证码为')
  })
})
