import { describe, expect, it } from 'vitest'
import { federatedFailure } from './federated'

describe('federatedFailure', () => {
  it('explains each code in plain words, offers the appeal only where the number may be someone else’s', () => {
    for (const code of ['PROVIDER_REFUSED', 'STATE_INVALID', 'CODE_INVALID', 'TOKEN_INVALID', 'CLAIM_MISSING', 'SERVICE_UNAVAILABLE']) {
      expect(federatedFailure(code).appeal, code).toBe(false)
      expect(federatedFailure(code).text, code).not.toMatch(/[A-Z_]{4,}/)
    }
    expect(federatedFailure('ACCOUNT_UNVERIFIED')).toMatchObject({ appeal: true })
    expect(federatedFailure('ACCOUNT_UNVERIFIED').text).toContain('实名核验')
    expect(federatedFailure('IDENTITY_MISMATCH').appeal).toBe(true)
    expect(federatedFailure('INTERNAL').text).toContain('未成功')
    expect(federatedFailure('<script>').text).toContain('未成功')
  })
})
