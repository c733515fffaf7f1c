// The applicant's way in: registration (SMS and WeChat codes), the password checklist and a
// server's field error, recovery by SMS, by the mail's link and by WeChat, the 教育部 login
// through the local provider, and logout.
import { expect, test, type Page } from '@playwright/test'
import { checkPage, email, loginInPage, mailTo, mobile, password, registerByApi, residentId, smsCode } from './support'
import { askSmsCode, bindWechat, codeIn, fillRegistration, findAccount, openId, resetLink, wechat } from './entry-support'

// Each journey hashes several passwords (Argon2id) and drags sliders on a 2-core machine shared
// with other runs: give it room beyond the config's default rather than fail on a busy minute.
test.describe.configure({ timeout: 240_000 })

const newPassword = 'Renew#2026ok'

function checklist(page: Page) {
  return page.getByRole('list', { name: '密码要求' }).getByRole('listitem')
}

test('an applicant registers through the page with an SMS code, logs in and logs out', async ({ page, request }, info) => {
  const d = { idNumber: residentId(), name: '阿依古丽·买买提', password, email: email(), phone: mobile() }
  await page.goto('/register')
  await expect(page.getByRole('heading', { name: /用户账号注册协议/ })).toBeVisible()
  await checkPage(page, info, 'register-agreement')

  await fillRegistration(page, d)
  await askSmsCode(page)
  await expect(page.getByRole('button', { name: /秒后重新获取/ })).toBeDisabled()
  await page.getByRole('textbox', { name: '短信验证码' }).fill(await smsCode(request, d.phone))
  await checkPage(page, info, 'register-form')
  await page.getByRole('button', { name: '注册', exact: true }).click()

  await expect(page.getByRole('heading', { name: '注册成功' })).toBeVisible()
  await expect(page.getByText(d.idNumber)).toBeVisible()
  await checkPage(page, info, 'register-done')

  // 去登录: the account is handed over, the password typed, the slider dragged.
  await page.getByRole('button', { name: '去登录' }).click()
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByLabel('账号')).toHaveValue(d.idNumber)
  await loginInPage(page, { account: d.idNumber, password: d.password })
  await expect(page).toHaveURL(/\/profile$/)

  // 退出: the session ends and the pages that need one send to the login page.
  await page.getByRole('button', { name: '退出' }).click()
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByRole('button', { name: '退出' })).toHaveCount(0)
  await page.goto('/account')
  await expect(page).toHaveURL(/\/login\?next=/)
})

test('the password checklist ticks as one types, and a registered number is refused at the number with the ways out', async ({ page, request }) => {
  const a = await registerByApi(request)
  await page.goto('/register')
  await page.getByRole('button', { name: '同意' }).click()

  // Nothing filled: every mistake at its field, counted above the button.
  await page.getByRole('button', { name: '注册', exact: true }).click()
  await expect(page.getByRole('alert')).toContainText('处需要修改')
  await expect(page.getByText('请输入证件号码')).toBeVisible()

  const pw = page.getByLabel('密码', { exact: true })
  await pw.fill('abc')
  await expect(checklist(page).filter({ hasText: '（已满足）' })).toHaveCount(2)
  await expect(checklist(page).filter({ hasText: '8 至 32 位' })).toContainText('未满足')
  await pw.fill('abc 1')
  await expect(checklist(page).filter({ hasText: '不含空格' })).toContainText('未满足')
  await pw.fill('Teach#2026ok')
  await expect(checklist(page).filter({ hasText: '（已满足）' })).toHaveCount(5)
  await expect(page.getByText('特殊字符只能是 # % * - _ ! @ $ &')).toBeVisible()

  const phone = mobile()
  await page.getByLabel('证件号码').fill(a.account)
  await page.getByLabel('有效期起').fill('2020-01-01')
  await page.getByRole('checkbox', { name: /证件长期有效/ }).check()
  await page.getByLabel('姓名').fill('李老师')
  await page.getByLabel('确认密码').fill('Teach#2026ok')
  await page.getByLabel('电子邮箱').fill(email())
  await page.getByLabel('手机号码').fill(phone)
  await askSmsCode(page)
  await page.getByRole('textbox', { name: '短信验证码' }).fill(await smsCode(request, phone))
  await page.getByRole('button', { name: '注册', exact: true }).click()

  await expect(page.getByText('该证件号码已注册')).toBeVisible()
  await expect(page.getByLabel('证件号码')).toBeFocused()
  await expect(page.getByRole('link', { name: '找回密码' })).toHaveAttribute('href', '/forgot-password')
  await expect(page.getByRole('link', { name: '账号申诉' })).toHaveAttribute('href', '/corrections')
})

test('an applicant without SMS registers with a code from the WeChat service account', async ({ page, request }) => {
  const d = { idNumber: residentId(), name: '王老师', password, email: email(), phone: mobile() }
  await page.goto('/register?agreement=1')
  await fillRegistration(page, d)
  await page.getByRole('radio', { name: /微信验证码/ }).check()
  await expect(page.getByText('点击服务号下方菜单“取验证码”')).toBeVisible()

  const user = openId()
  expect(await wechat(request, user, { event: 'CLICK', key: 'GET_CODE' })).toContain('证件号码')
  const code = codeIn(await wechat(request, user, { text: d.idNumber }))
  await page.getByRole('textbox', { name: '微信验证码' }).fill(code)
  await page.getByRole('button', { name: '注册', exact: true }).click()
  await expect(page.getByRole('heading', { name: '注册成功' })).toBeVisible()
})

test('a forgotten password is reset by SMS code, then the new password logs in', async ({ page, request }, info) => {
  const a = await registerByApi(request)

  // Any item wrong: nothing found, and the page says which items must match.
  await findAccount(page, { account: a.account, name: '张三丰' })
  await expect(page.getByRole('alert')).toContainText('未找到匹配的账号')
  await checkPage(page, info, 'forgot-password')

  await findAccount(page, a)
  await expect(page.getByText(`${a.phone.slice(0, 3)}****${a.phone.slice(-4)}`)).toBeVisible()
  await page.getByRole('radio', { name: /短信验证重置密码/ }).check()
  await page.getByRole('button', { name: '获取验证码' }).click()
  await expect(page.getByText(/今日还可获取 \d 次/)).toBeVisible()
  await expect(page.getByRole('button', { name: /秒后重新获取/ })).toBeDisabled()
  await page.getByRole('textbox', { name: '短信验证码' }).fill(await smsCode(request, a.phone))
  await page.getByLabel('新密码', { exact: true }).fill(newPassword)
  await page.getByLabel('确认新密码').fill(newPassword)
  await checkPage(page, info, 'forgot-password-sms')
  await page.getByRole('button', { name: '确定' }).click()

  await expect(page.getByRole('heading', { name: '密码已重置' })).toBeVisible()
  await page.getByRole('button', { name: '去登录' }).click()
  await expect(page.getByLabel('账号')).toHaveValue(a.account)
  await loginInPage(page, { account: a.account, password: newPassword })
  await expect(page).toHaveURL(/\/profile$/)
})

test('a forgotten password is reset through the mailed link, which works once', async ({ page, request }, info) => {
  const a = await registerByApi(request)
  await findAccount(page, a)
  await expect(page.getByText(/\*{4}@qq\.com/).first()).toBeVisible()
  await checkPage(page, info, 'forgot-password-ways')
  await page.getByRole('button', { name: '发送重置邮件' }).click()
  await expect(page.getByText(/重置邮件已发送至 .*24 小时内有效/)).toBeVisible()

  const link = resetLink((await mailTo(request, a.email)).body)
  await page.goto(link.replace(/^https?:\/\/[^/]+/, ''))
  // The token leaves the address bar (and the history) at once.
  await expect(page).toHaveURL(/\/reset-password$/)
  await page.getByLabel('新密码', { exact: true }).fill(newPassword)
  await expect(checklist(page).filter({ hasText: '（已满足）' })).toHaveCount(5)
  await page.getByLabel('确认新密码').fill(newPassword)
  await checkPage(page, info, 'reset-password')
  await page.getByRole('button', { name: '确定' }).click()
  await expect(page.getByRole('heading', { name: '密码已重置' })).toBeVisible()

  // The same link again: used, with the way to start over.
  await page.goto(link.replace(/^https?:\/\/[^/]+/, ''))
  await page.getByLabel('新密码', { exact: true }).fill('Again#2026ok')
  await page.getByLabel('确认新密码').fill('Again#2026ok')
  await page.getByRole('button', { name: '确定' }).click()
  await expect(page.getByRole('alert')).toContainText('已使用或已过期')
  await expect(page.getByRole('button', { name: '重新找回密码' })).toBeVisible()
  await checkPage(page, info, 'reset-password-used')

  await loginInPage(page, { account: a.account, password: newPassword })
  await expect(page).toHaveURL(/\/profile$/)
})

test('a bound applicant resets the password with the service account’s 找回密码 code', async ({ page, request }) => {
  const a = await registerByApi(request)
  const user = await bindWechat(request, a)
  await findAccount(page, a)
  await page.getByRole('radio', { name: /微信验证码/ }).check()
  await expect(page.getByText('点击下方菜单“找回密码”')).toBeVisible()
  await page.getByRole('textbox', { name: '微信验证码' }).fill('000000')
  await page.getByLabel('新密码', { exact: true }).fill(newPassword)
  await page.getByLabel('确认新密码').fill(newPassword)
  await page.getByRole('button', { name: '确定' }).click()
  await expect(page.getByText(/验证码错误/)).toBeVisible()

  await page.getByRole('textbox', { name: '微信验证码' }).fill(codeIn(await wechat(request, user, { event: 'CLICK', key: 'RESET_PASSWORD' })))
  await page.getByRole('button', { name: '确定' }).click()
  await expect(page.getByRole('heading', { name: '密码已重置' })).toBeVisible()
  await loginInPage(page, { account: a.account, password: newPassword })
  await expect(page).toHaveURL(/\/profile$/)
})

test('a 教育部 login through the local provider ends logged in, and logout ends it', async ({ page }, info) => {
  await page.goto('/login')
  await page.getByRole('checkbox', { name: '我已阅读并同意' }).check()
  await page.getByRole('button', { name: '教育部账号登录' }).click()
  // The local provider's page offers identities; 陈大文's (a Hong Kong permit) is never registered by a test.
  await page.getByRole('link', { name: '陈大文' }).click()
  await expect(page).toHaveURL(/\/profile$/)
  await expect(page.getByRole('button', { name: '退出' })).toBeVisible()

  await page.getByRole('button', { name: '退出' }).click()
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByRole('button', { name: '退出' })).toHaveCount(0)

  // A refusal the callback sends back is said in plain words, with the ways on.
  await page.goto('/federated-login?error=ACCOUNT_UNVERIFIED')
  await expect(page.getByRole('alert')).toContainText('尚未通过实名核验')
  await expect(page).toHaveURL(/\/federated-login$/)
  await expect(page.getByRole('link', { name: /账号申诉/ })).toBeVisible()
  await checkPage(page, info, 'federated-login-error')
  await page.getByRole('button', { name: '返回登录' }).click()
  await expect(page).toHaveURL(/\/login$/)
})
