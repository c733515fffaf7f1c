// Package registration creates applicants' accounts (账号注册, SPEC §1): every field rule is
// checked before the SMS code is tried, and the account is created in the same transaction
// that spends the code.
package registration

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/sitetext"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// Store creates accounts and checks the codes that prove their mobiles.
type Store interface {
	smscode.CheckStore
	RegisterAccount(ctx context.Context, a account.Account, code store.CodeKey, codeHash []byte, now time.Time) error
	SpendCode(ctx context.Context, k store.CodeKey, hash []byte, usedFor string, now time.Time) (string, error)
}

// Form is the registration body of SPEC §2.
type Form struct {
	IDType          string `json:"idType"`
	IDNumber        string `json:"idNumber"`
	Name            string `json:"name"`
	IDValidFrom     string `json:"idValidFrom"`
	IDValidTo       string `json:"idValidTo"`
	Password        string `json:"password"`
	PasswordConfirm string `json:"passwordConfirm"`
	Email           string `json:"email"`
	Phone           string `json:"phone"`
	SMSCode         string `json:"smsCode,omitempty"`
	// WechatCode is a code asked in the service account for the document number (取验证码),
	// in place of smsCode when no SMS arrives; the mobile is then stored as not yet proven.
	WechatCode        string `json:"wechatCode,omitempty"`
	AgreementAccepted bool   `json:"agreementAccepted"`
}

// proof is the code the form offers and where it is kept.
func (f *Form) proof(a account.Account) (field, code string, key store.CodeKey, err error) {
	switch {
	case f.WechatCode != "" && f.SMSCode != "":
		return "", "", key, api.InvalidField("wechatCode", "短信验证码和微信验证码只需填写一种")
	case f.WechatCode != "":
		return "wechatCode", f.WechatCode, smscode.WechatRegisterKey(a.Login), nil
	}
	return "smsCode", f.SMSCode, smscode.RegisterKey(a.Phone), nil
}

type registered struct {
	AccountID string `json:"accountId"`
	Account   string `json:"account"`
}

// NewRegister answers POST /v1/accounts: it registers an applicant who accepted the user
// agreement, recording the version GET /v1/agreement serves (sitetext, compiled in: the two
// cannot differ). Two round trips (the code's try, then the transaction) and one Argon2id
// hash, which is only paid once the code is right; a number taken spends the code (a third).
func NewRegister(db Store, clk clock.Clock, pepper []byte) api.HandlerFunc {
	agreementVersion := sitetext.AgreementVersion()
	codes := smscode.NewChecker(db, clk, pepper)
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		var f Form
		if err := r.Decode(&f); err != nil {
			return nil, err
		}
		now := clk.Now()
		a, err := f.Check(now.In(clock.CST))
		if err != nil {
			return nil, err
		}
		field, given, key, err := f.proof(a)
		if err != nil {
			return nil, err
		}
		if err := smscode.CheckFormat(field, given); err != nil {
			return nil, err
		}
		a.PhoneUnproven = field == "wechatCode"
		code, err := codes.Check(ctx, key, given)
		var used *smscode.UsedError
		if errors.As(err, &used) && used.For == a.Login {
			return nil, accountExists()
		}
		if used != nil {
			return nil, api.CodeInvalid("短信验证码已使用，请重新获取")
		}
		if err != nil {
			return nil, err
		}
		a.PasswordHash, err = password.Hash(f.Password)
		if err != nil {
			return nil, err
		}
		a.AccountID = token.New(16)
		a.Role = account.RoleApplicant
		a.Verification.Status = account.StatusUnverified
		a.AgreementVersion = agreementVersion
		a.AgreementAcceptedAt = now.UTC().Format(time.RFC3339)
		a.CreatedAt = a.AgreementAcceptedAt
		switch err := db.RegisterAccount(ctx, a, key, code.Hash, now); {
		case errors.Is(err, account.ErrExists):
			// The code is spent on the number it was refused for, and only the request whose
			// spend holds (or one for the number it was spent for: the same form again) is
			// told the number is taken: one code tells of one number, however many requests
			// had their tries counted before the first spend.
			switch spentFor, err := db.SpendCode(ctx, key, code.Hash, a.Login, now); {
			case err == nil || spentFor == a.Login:
				return nil, accountExists()
			case errors.Is(err, store.ErrCodeSpent):
				return nil, api.CodeInvalid("短信验证码已使用，请重新获取")
			default:
				codes.GiveBackIfBusy(ctx, key, code, err)
				return nil, err
			}
		case errors.Is(err, store.ErrCodeSpent):
			return nil, api.CodeInvalid("短信验证码已失效，请重新获取")
		case err != nil:
			codes.GiveBackIfBusy(ctx, key, code, err)
			return nil, err
		}
		metrics.Count(ctx, metrics.Registrations)
		return api.JSON(http.StatusCreated, registered{AccountID: a.AccountID, Account: a.Login}), nil
	}
}

func accountExists() error {
	return api.Conflict(api.CodeAccountExists, "该证件号码已注册，请直接登录；如忘记密码，请使用“忘记密码”找回")
}

// Check applies every field rule in the order of the form and returns the account the form
// describes, without its secrets. today is a time in CST.
func (f *Form) Check(today time.Time) (account.Account, error) {
	var a account.Account
	idType, login, err := identity.CheckDocument(f.IDType, f.IDNumber, today)
	if err != nil {
		return a, api.InvalidAt(err)
	}
	a.IDType, a.Login = string(idType), login
	if a.Name, err = identity.NormalizeName(f.Name); err != nil {
		return a, api.Invalid("name", err)
	}
	v, err := identity.CheckValidity(f.IDValidFrom, f.IDValidTo, today)
	if err != nil {
		return a, api.InvalidAt(err)
	}
	a.IDValidFrom, a.IDValidTo = v.From, v.To
	if err := identity.CheckPassword(f.Password); err != nil {
		return a, api.Invalid("password", err)
	}
	if f.PasswordConfirm != f.Password {
		return a, api.InvalidField("passwordConfirm", "两次输入的密码不一致")
	}
	if a.Email, err = identity.NormalizeEmail(f.Email); err != nil {
		return a, api.Invalid("email", err)
	}
	if a.Phone, err = identity.NormalizePhone(f.Phone); err != nil {
		return a, api.Invalid("phone", err)
	}
	if err := identity.CheckPhoneForDocument(idType, a.Phone); err != nil {
		return a, api.Invalid("phone", err)
	}
	if !f.AgreementAccepted {
		return a, api.InvalidField("agreementAccepted", "请阅读并同意《中国教师资格网用户账号注册协议》")
	}
	return a, nil
}
