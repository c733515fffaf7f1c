// The 教育部 unified login's return page: where the flow key waits, and the callback's error
// codes (README, "The 教育部 unified login") in words an applicant can act on.

/** sessionStorage key of the start's flowKey (LoginPage sets it; the return page spends it). */
export const flowKeyStorage = 'jszg.federated.flowKey'

/** What the applicant can do next: log in again, or, where the number may be someone else's, also file an appeal. */
export type FederatedFailure = { text: string; appeal: boolean }

const texts: Record<string, FederatedFailure> = {
  PROVIDER_REFUSED: { text: '您在教育部统一身份认证平台取消了登录，或该平台未同意本次登录。', appeal: false },
  STATE_INVALID: { text: '本次登录已过期或已使用过（例如刷新了页面或打开了旧链接），请重新点击“教育部账号登录”。', appeal: false },
  CODE_INVALID: { text: '本次登录已失效，请重新点击“教育部账号登录”。', appeal: false },
  TOKEN_INVALID: { text: '未能确认教育部统一身份认证平台返回的身份信息，请重新登录。', appeal: false },
  CLAIM_MISSING: {
    text: '教育部统一身份认证平台没有提供完整的证件类型、证件号码或姓名，无法用它登录本网站。请使用本网站的账号登录，或注册账号。',
    appeal: false,
  },
  IDENTITY_MISMATCH: {
    text: '该证件号码已在本网站注册，但注册时的姓名或证件类型与教育部账号的不一致。如账号是您本人的，请用证件号码和密码登录；如账号被他人注册，请提交账号申诉。',
    appeal: true,
  },
  ACCOUNT_UNVERIFIED: {
    text: '该证件号码已在本网站注册，但尚未通过实名核验，暂不能用教育部账号登录。请先用证件号码和密码登录并完成实名核验；如账号不是您本人注册的，请提交账号申诉。',
    appeal: true,
  },
  ACCOUNT_UNAVAILABLE: {
    text: '与该教育部账号关联的本网站账号已不可用。请使用证件号码和密码登录；如有疑问，请提交账号申诉。',
    appeal: true,
  },
  SERVICE_UNAVAILABLE: { text: '教育部统一身份认证平台暂时无法访问或系统繁忙，请稍后重新登录。', appeal: false },
}

/** federatedFailure explains an error code of the callback (?error=); unknown codes read as a plain failure. */
export function federatedFailure(code: string): FederatedFailure {
  return texts[code] ?? { text: '教育部账号登录未成功，请稍后重新登录。', appeal: false }
}
