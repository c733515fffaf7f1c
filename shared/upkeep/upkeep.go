// Package upkeep is a logged-in applicant's own changes of credentials: the password and the
// mobile. Each needs the current password (counted as a login attempt), ends every other
// session of the account and voids outstanding reset links and codes (the epoch rises), keeps
// the session that made it, and is told to the contacts the account had before.
package upkeep

import (
	"context"
	"errors"
	"time"

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

// PasswordStore also counts the day's notices the holder is told (notify.AllowWith).
type PasswordStore interface {
	Store
	notify.NoticeQuota
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

// NewChangePassword answers PUT /v1/me/password. Two round trips: the session and the
// account with the current password's attempt counted alongside; the transaction with the
// attempt given back and one of the day's notices counted (notify.NoticesPerDay).
func NewChangePassword(db PasswordStore, sms notify.SMS, mail notify.Mailer, clk clock.Clock) api.HandlerFunc {
	return authn.NewGate(db, clk).Counting(session.CountAttempt(db), session.UncountAttempt(db)).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
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
		if a.PasswordHash == "" {
			return nil, api.InvalidField("currentPassword", "该账号尚未设置密码：请先在个人中心填写手机号码或邮箱，再通过“忘记密码”设置密码")
		}
		proof, err := session.Reconfirm(ctx, db, p, f.CurrentPassword, "currentPassword", "")
		if err != nil {
			return nil, err
		}
		defer proof.Close(ctx)
		hash, err := password.Hash(f.NewPassword)
		if err != nil {
			return nil, err
		}
		var notice *notify.Allowance
		err = proof.With(ctx, func(ctx context.Context) error {
			var err error
			notice, err = notify.AllowWith(ctx, db, a.Login, now, func(ctx context.Context) error {
				return db.ChangeCredential(ctx, store.Change{Login: a.Login, Epoch: a.Epoch, SessionHash: p.TokenHash, PasswordHash: hash}, now)
			})
			return err
		})
		if errors.Is(err, store.ErrAccountMoved) {
			return nil, moved()
		}
		if err != nil {
			return nil, err
		}
		notice.Tell(ctx, sms, mail, a, notify.PasswordChangedText())
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
	codes := newProver(db, sms, mail, clk, pepper)
	newPhone := func(r *api.Request, _ string) (store.CodeKey, string, bool) {
		var f phoneForm
		if r.Decode(&f) != nil || smscode.CheckFormat("smsCode", f.SMSCode) != nil {
			return store.CodeKey{}, "", false
		}
		phone, err := identity.NormalizePhone(f.Phone)
		return smscode.ContactKey(phone), f.SMSCode, err == nil
	}
	return codes.gate(clk, newPhone).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
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
		change := store.Change{Phone: phone}
		text := notify.PhoneChangedText(identity.MaskPhone(phone))
		if err := codes.apply(ctx, p, f.CurrentPassword, smscode.ContactKey(phone), f.SMSCode, change, smscode.Refused, text); err != nil {
			return nil, err
		}
		return api.NoContent(), nil
	})
}

// prover applies a change whose new value a code proves (a mobile, an address).
type prover struct {
	db    PhoneStore
	codes *smscode.Checker
	sms   notify.SMS
	mail  notify.Mailer
	clock clock.Clock
}

func newProver(db PhoneStore, sms notify.SMS, mail notify.Mailer, clk clock.Clock, pepper []byte) *prover {
	return &prover{db: db, codes: smscode.NewChecker(db, clk, pepper), sms: sms, mail: mail, clock: clk}
}

// tryOf is the code a change's request gives for its new contact, and the key it is kept
// under; false for a request that breaks a rule of those fields (no try is counted: the
// handler refuses it).
type tryOf func(r *api.Request, login string) (store.CodeKey, string, bool)

// gate counts the current password's attempt and the new contact's code try together,
// alongside the session: the change takes two round trips (this, then its transaction).
// The try is given back unless the password is right: a stolen session spends none of the
// new contact's code tries.
func (pv *prover) gate(clk clock.Clock, try tryOf) *authn.Gate {
	also := func(ctx context.Context, r *api.Request, login string, _ time.Time) (any, error) {
		k, code, ok := try(r, login)
		if !ok {
			return nil, errNoTry
		}
		return pv.codes.Try(ctx, k, code), nil
	}
	undo := func(ctx context.Context, counted any) {
		if t, ok := counted.(smscode.Tried); ok {
			pv.codes.GiveBack(ctx, t)
		}
	}
	return authn.NewGate(pv.db, clk).Counting(session.CountAttemptWith(pv.db, also, undo))
}

var errNoTry = errors.New("upkeep: the request's code breaks a rule")

// apply checks the current password (a login attempt; for an account without one, a recent
// login: session.Reconfirm), then judges the code's try the gate counted under key, then
// makes change with the code spent in the same transaction, and tells the account's present
// mobile and e-mail text. refused is the answer to a code that does not prove the value.
func (pv *prover) apply(ctx context.Context, p *authn.Principal, currentPassword string, key store.CodeKey, code string, change store.Change, refused func() error, text string) (err error) {
	a, now := p.Account, pv.clock.Now()
	counted, _ := authn.Peek[session.Counted](p)
	tried, ok := counted.Also.(smscode.Tried)
	proof, err := session.Reconfirm(ctx, pv.db, p, currentPassword, "currentPassword", "填写手机号码或邮箱")
	if err != nil {
		// Refused after taking the count (a wrong password, a lock): the try is ours to give
		// back. Refused before (no password given, a passwordless login too old): the gate
		// gives back the attempt and the try.
		if ok && p.Taken() {
			pv.codes.GiveBack(ctx, tried)
		}
		return err
	}
	defer proof.Close(ctx)
	if !ok || tried.Key != key { // not counted by the gate for this code: counted now
		if ok {
			pv.codes.GiveBack(ctx, tried)
		}
		tried = pv.codes.Try(ctx, key, code)
	}
	got, err := tried.Judge()
	var used *smscode.UsedError
	var apiErr *api.Error
	switch {
	case errors.As(err, &used), errors.As(err, &apiErr) && apiErr.Code == api.CodeCodeInvalid:
		return refused()
	case err != nil:
		return err
	}
	defer func() { pv.codes.GiveBackIfBusy(ctx, key, got, err) }()
	change.Login, change.Epoch, change.SessionHash, change.Code, change.CodeHash = a.Login, a.Epoch, p.TokenHash, key, got.Hash
	switch err := proof.With(ctx, func(ctx context.Context) error { return pv.db.ChangeCredential(ctx, change, now) }); {
	case errors.Is(err, store.ErrAccountMoved):
		return moved()
	case errors.Is(err, store.ErrCodeSpent):
		return refused()
	case err != nil:
		return err
	}
	notify.TellHolder(ctx, pv.sms, pv.mail, a, text)
	return nil
}
