// Package upkeep is a logged-in applicant's own changes of credentials: the password and the
// mobile. Each needs the current password (counted as a login attempt), ends every other
// session of the account and voids outstanding reset links and codes (the epoch rises), keeps
// the session that made it, and is told to the contacts the account had before.
package upkeep

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
)

// Store changes credentials.
type Store interface {
	authn.Sessions
	session.GuardStore
	ChangeCredential(ctx context.Context, c store.Change, now time.Time) error
}

// PhoneStore also tries the code that proves the new mobile.
type PhoneStore interface {
	Store
	smscode.CheckStore
}

type passwordForm struct {
	CurrentPassword    string `json:"currentPassword"`
	NewPassword        string `json:"newPassword"`
	NewPasswordConfirm string `json:"newPasswordConfirm"`
}

func moved() error {
	return &api.Error{Status: 401, Code: api.CodeUnauthenticated, Message: "账号信息已在别处修改，请重新登录"}
}

// NewChangePassword answers PUT /v1/me/password. Round trips: the session and the account,
// the attempt, the transaction, the attempt given back (sent after the answer is known).
func NewChangePassword(db Store, sms notify.SMS, mail notify.Mailer, clk clock.Clock) api.HandlerFunc {
	return authn.NewGate(db, clk).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		var f passwordForm
		if err := r.Decode(&f); err != nil {
			return nil, err
		}
		if err := identity.CheckPassword(f.NewPassword); err != nil {
			return nil, api.Invalid("newPassword", err)
		}
		if f.NewPasswordConfirm != f.NewPassword {
			return nil, api.InvalidField("newPasswordConfirm", "两次输入的新密码不一致")
		}
		now := clk.Now()
		a := p.Account
		if err := session.Reconfirm(ctx, db, a, f.CurrentPassword, "currentPassword", now); err != nil {
			return nil, err
		}
		hash, err := password.Hash(f.NewPassword)
		if err != nil {
			return nil, err
		}
		err = db.ChangeCredential(ctx, store.Change{Login: a.Login, Epoch: a.Epoch, SessionHash: p.TokenHash, PasswordHash: hash}, now)
		if errors.Is(err, store.ErrAccountMoved) {
			return nil, moved()
		}
		if err != nil {
			return nil, err
		}
		tell(ctx, sms, mail, a, a.Phone, notify.PasswordChangedText())
		return api.NoContent(), nil
	})
}

type phoneForm struct {
	CurrentPassword string `json:"currentPassword"`
	Phone           string `json:"phone"`
	SMSCode         string `json:"smsCode"`
}

// NewChangePhone answers PUT /v1/me/phone: the new mobile, proven by a code sent to it
// (POST /v1/sms-codes, purpose contact), replaces the old one, which is told.
func NewChangePhone(db PhoneStore, sms notify.SMS, mail notify.Mailer, clk clock.Clock, pepper []byte) api.HandlerFunc {
	codes := smscode.NewChecker(db, clk, pepper)
	return authn.NewGate(db, clk).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (_ *api.Response, err error) {
		var f phoneForm
		if err := r.Decode(&f); err != nil {
			return nil, err
		}
		a := p.Account
		phone, err := identity.NormalizePhone(f.Phone)
		if err != nil {
			return nil, api.Invalid("phone", err)
		}
		if err := identity.CheckPhoneForDocument(identity.IDType(a.IDType), phone); err != nil {
			return nil, api.Invalid("phone", err)
		}
		if phone == a.Phone {
			return nil, api.InvalidField("phone", "新手机号码与当前手机号码相同")
		}
		if err := smscode.CheckFormat("smsCode", f.SMSCode); err != nil {
			return nil, err
		}
		now := clk.Now()
		if err := session.Reconfirm(ctx, db, a, f.CurrentPassword, "currentPassword", now); err != nil {
			return nil, err
		}
		key := smscode.ContactKey(phone)
		code, err := codes.Check(ctx, key, f.SMSCode)
		var used *smscode.UsedError
		if errors.As(err, &used) {
			return nil, smscode.Refused()
		}
		if err != nil {
			return nil, err
		}
		defer func() { codes.GiveBackIfBusy(ctx, key, code, err) }()
		err = db.ChangeCredential(ctx, store.Change{Login: a.Login, Epoch: a.Epoch, SessionHash: p.TokenHash, Phone: phone, Code: key, CodeHash: code.Hash}, now)
		switch {
		case errors.Is(err, store.ErrAccountMoved):
			return nil, moved()
		case errors.Is(err, store.ErrCodeSpent):
			return nil, smscode.Refused()
		case err != nil:
			return nil, err
		}
		tell(ctx, sms, mail, a, a.Phone, notify.PhoneChangedText(identity.MaskPhone(phone)))
		return api.NoContent(), nil
	})
}

// tell sends text to the mobile the account had (phone) and its e-mail. A change stands
// whether or not it could be told; a failure is logged without the address.
func tell(ctx context.Context, sms notify.SMS, mail notify.Mailer, a account.Account, phone, text string) {
	bg := context.WithoutCancel(ctx)
	if err := sms.SendSMS(bg, phone, notify.Signed(text)); err != nil {
		slog.ErrorContext(ctx, "could not tell the old mobile of a change", slog.String("err", err.Error()))
	}
	if err := mail.SendMail(bg, notify.Letter(a.Email, a.Name, "中国教师资格网：账号安全提醒", text)); err != nil {
		slog.ErrorContext(ctx, "could not mail a change", slog.String("err", err.Error()))
	}
}
