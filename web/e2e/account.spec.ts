import { expect, test } from '@playwright/test'
import type { Page } from '@playwright/test'
import { askSmsCode, idCardJpeg, mailCode, masked, wechatSays } from './account-support'
import { checkPage, email, loginInPage, mobile, registerByApi, residentId, smsCode, solveSlider } from './support'

test.describe('account upkeep', () => {
  test('the account page shows the masked details and the password is changed, then used to log in', async ({ page, request }, info) => {
    const a = await registerByApi(request, '周老师')
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
    const a = await registerByApi(request)
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
    const a = await registerByApi(request)
    await loginInPage(page, a)
    await expect(page).toHaveURL(/\/profile$/)
    await page.goto('/account')
    await page.getByRole('link', { name: /手机号码/ }).click()
    await expect(page).toHaveURL(/\/account\/phone$/)
    await expect(page.getByText(masked(a.phone))).toBeVisible()

    const fresh = mobile()
    await page.getByLabel('新手机号码').fill(fresh)
    await askSmsCode(page)
    const code = await smsCode(request, fresh)
    await page.getByLabel('当前密码').fill(a.password)
    // A wrong code is told at the code's field (the server names none: CODE_INVALID).
    await page.getByLabel('短信验证码').fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'))
    await page.getByRole('button', { name: '确认修改' }).click()
    await expect(page.locator('.van-field__error-message').filter({ hasText: '短信验证码错误' })).toBeVisible()
    await page.getByLabel('短信验证码').fill(code)
    await checkPage(page, info, 'change-phone')
    await page.getByRole('button', { name: '确认修改' }).click()
    await expect(page.getByRole('status').filter({ hasText: '手机号码已修改' })).toContainText(masked(fresh))
    await checkPage(page, info, 'change-phone-done')

    await page.getByRole('link', { name: '返回账号信息' }).click()
    await expect(page.getByText(masked(fresh))).toBeVisible()
  })

  test('the e-mail is changed with the code mailed to the new address', async ({ page, request }, info) => {
    const a = await registerByApi(request)
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
    const a = await registerByApi(request)
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
    // The QR code is drawn in the page from the text it encodes (no image from WeChat's site).
    await expect(page.getByRole('img', { name: '微信绑定二维码' })).toHaveAttribute('src', /^data:image\/png;base64,/)
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

/** fillCorrection fills 账号申诉 for a resident ID, with a fresh mobile proven by its code. */
async function fillCorrection(page: Page, request: import('@playwright/test').APIRequestContext, who: { account: string; name: string }) {
  await page.getByLabel('证件号码', { exact: true }).fill(who.account)
  await page.getByLabel('有效期起').fill('2020-01-01')
  await page.getByRole('checkbox', { name: /证件长期有效/ }).check()
  await page.getByLabel('姓名', { exact: true }).fill(who.name)
  const fresh = mobile()
  await page.getByLabel('新手机号码').fill(fresh)
  await askSmsCode(page)
  await page.getByLabel('短信验证码').fill(await smsCode(request, fresh))
  await page.getByLabel('新邮箱').fill(email())
  await page.getByLabel('从相册选择照片').setInputFiles(idCardJpeg)
  await expect(page.getByRole('status').filter({ hasText: '照片符合要求' })).toBeVisible()
}

async function submitCorrection(page: Page) {
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/captchas') && r.request().method() === 'POST')
  await page.getByRole('button', { name: '提交申请' }).click()
  await solveSlider(page, created)
}

test.describe('account corrections (no login)', () => {
  test('a holder whose mobile is lost files a contact correction from the login page', async ({ page, request }, info) => {
    const a = await registerByApi(request, '吴老师')
    await page.goto('/login')
    await page.getByRole('link', { name: /账号申诉/ }).click()
    await expect(page).toHaveURL(/\/corrections$/)
    await expect(page.getByRole('radio', { name: /更正联系方式/ })).toBeChecked()

    await page.getByRole('button', { name: '提交申请' }).click()
    await expect(page.getByRole('alert').filter({ hasText: '请按提示修改' })).toBeVisible()
    await expect(page.getByText('请输入证件号码')).toBeVisible()

    await fillCorrection(page, request, a)
    await checkPage(page, info, 'correction-form')
    await submitCorrection(page)
    const done = page.getByRole('status').filter({ hasText: '申请已提交，等待人工审核' })
    await expect(done).toBeVisible()
    await expect(done).toContainText('本周期还可提交 2 次')
    await checkPage(page, info, 'correction-filed')
  })

  test('a claim on a number nobody registered is answered at the top of the form', async ({ page, request }) => {
    await page.goto('/corrections')
    await page.getByRole('radio', { name: /证件号码被他人注册/ }).check()
    await fillCorrection(page, request, { account: residentId(), name: '郑老师' })
    await submitCorrection(page)
    await expect(page.getByRole('alert').filter({ hasText: '尚未注册' })).toBeVisible()
  })
})
