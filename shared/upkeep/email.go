package upkeep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// An e-mail code lives longer than an SMS code: mail can take minutes to arrive.
const (
	EmailCodeTTL = 30 * time.Minute
	// EmailCodesPerDay bounds the codes one account has mailed to new addresses a day, so a
	// stolen session cannot make the site mail strangers.
	EmailCodesPerDay = 5
)

// EmailKey is where the code proving address for login's account is kept: bound to both,
// so a code mailed to one address proves no other.
func EmailKey(login, address string) store.CodeKey {
	return store.CodeKey{Purpose: store.CodeForEmail, Subject: login + "|" + address}
}

// EmailCodeStore counts and keeps mailed codes.
type EmailCodeStore interface {
	authn.Sessions
	CountEmailCode(ctx context.Context, login, day string, max int, expires time.Time) (int, error)
	UncountEmailCode(ctx context.Context, login, day string) error
	PutMailedCode(ctx context.Context, k store.CodeKey, c store.Code, address, day string, max int, expires time.Time) error
	DeleteCode(ctx context.Context, k store.CodeKey, hash []byte) error
	UncountMailbox(ctx context.Context, address, day string) error
}

type emailCodeForm struct {
	Email string `json:"email"`
}

type mailed struct {
	ExpiresIn      int `json:"expiresIn"`
	RemainingToday int `json:"remainingToday"`
}

func (f emailCodeForm) address(current string) (string, error) {
	addr, err := identity.NormalizeEmail(f.Email)
	if err != nil {
		return "", api.Invalid("email", err)
	}
	if addr == current {
		return "", api.InvalidField("email", "新邮箱与当前邮箱相同")
	}
	return addr, nil
}

// NewSendEmailCode answers POST /v1/me/email-codes: a 6-digit code, mailed to the new
// address, valid EmailCodeTTL, a newer one replacing the older; EmailCodesPerDay a day per
// account. A mail that cannot be sent gives its count back and leaves no code. Two round
// trips (the session with the day's count alongside; the code), then the mail.
func NewSendEmailCode(db EmailCodeStore, mail notify.Mailer, clk clock.Clock, pepper []byte) api.HandlerFunc {
	count := func(ctx context.Context, _ *api.Request, login string, now time.Time) (any, error) {
		return db.CountEmailCode(ctx, login, clock.Day(now), EmailCodesPerDay, clock.NextDay(now).Add(24*time.Hour))
	}
	uncount := func(ctx context.Context, login string, now time.Time, _ any) {
		if err := db.UncountEmailCode(ctx, login, clock.Day(now)); err != nil {
			slog.WarnContext(ctx, "could not give back an e-mail code's count", slog.String("err", err.Error()))
		}
	}
	return authn.NewGate(db, clk).Counting(count, uncount).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		var f emailCodeForm
		if err := r.Decode(&f); err != nil {
			return nil, err
		}
		a := p.Account
		addr, err := f.address(a.Email)
		if err != nil {
			return nil, err
		}
		now := p.ReadAt()
		key := EmailKey(a.Login, addr)
		code := token.Digits(smscode.Length)
		hash, err := smscode.HashCode(pepper, key, code)
		if err != nil {
			return nil, err
		}
		sent, err := authn.ReadOf[int](p)
		if errors.Is(err, store.ErrQuotaFull) {
			return nil, api.QuotaExceeded("今日发送邮箱验证码的次数已用完，请明天再试", clock.SecondsUntil(now, clock.NextDay(now)))
		}
		if err != nil {
			return nil, err
		}
		bg := context.WithoutCancel(ctx)
		// The code kept with the address's mail of the day (across accounts), all or
		// nothing: a full address leaves the code mailed before as it was.
		switch err := db.PutMailedCode(ctx, key, store.Code{Hash: hash, Expires: now.Add(EmailCodeTTL), Login: a.Login, Epoch: a.Epoch},
			addr, clock.Day(now), notify.MailsPerMailboxDay, clock.NextDay(now).Add(24*time.Hour)); {
		case errors.Is(err, store.ErrQuotaFull):
			uncount(bg, a.Login, now, nil)
			return nil, api.QuotaExceeded(fmt.Sprintf("该邮箱今日已收到%d封验证邮件，请明天再试", notify.MailsPerMailboxDay), clock.SecondsUntil(now, clock.NextDay(now)))
		case err != nil:
			uncount(bg, a.Login, now, nil)
			return nil, err
		}
		if err := mail.SendMail(ctx, notify.EmailCodeMail(addr, a.Name, code, int(EmailCodeTTL/time.Minute))); err != nil {
			if derr := db.DeleteCode(bg, key, hash); derr != nil {
				slog.WarnContext(ctx, "could not remove an unsent e-mail code", slog.String("err", derr.Error()))
			}
			uncount(bg, a.Login, now, nil)
			if err := db.UncountMailbox(bg, addr, clock.Day(now)); err != nil {
				slog.WarnContext(ctx, "could not give back an address's mail", slog.String("err", err.Error()))
			}
			return nil, api.Unavailable("邮件发送失败，请稍后重试（本次不计入当日次数）", 30, err)
		}
		metrics.CountBy(ctx, metrics.CodesSent, metrics.Channel, "email")
		return api.JSON(http.StatusAccepted, mailed{ExpiresIn: int(EmailCodeTTL / time.Second), RemainingToday: EmailCodesPerDay - sent}), nil
	})
}

// EmailStore changes the address with the code that proved it.
type EmailStore = PhoneStore

type emailForm struct {
	CurrentPassword string `json:"currentPassword"`
	Email           string `json:"email"`
	Code            string `json:"code"`
}

// NewChangeEmail answers PUT /v1/me/email: the new address, proven by the code mailed to it,
// replaces the old one, which is told (and the mobile).
func NewChangeEmail(db EmailStore, sms notify.SMS, mail notify.Mailer, clk clock.Clock, pepper []byte) api.HandlerFunc {
	codes := newProver(db, sms, mail, clk, pepper)
	newAddress := func(r *api.Request, login string) (store.CodeKey, string, bool) {
		var f emailForm
		if r.Decode(&f) != nil || smscode.CheckFormat("code", f.Code) != nil {
			return store.CodeKey{}, "", false
		}
		addr, err := identity.NormalizeEmail(f.Email)
		return EmailKey(login, addr), f.Code, err == nil
	}
	return codes.gate(clk, newAddress).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		var f emailForm
		if err := r.Decode(&f); err != nil {
			return nil, err
		}
		a := p.Account
		addr, err := emailCodeForm{Email: f.Email}.address(a.Email)
		if err != nil {
			return nil, err
		}
		if err := smscode.CheckFormat("code", f.Code); err != nil {
			return nil, err
		}
		text := notify.EmailChangedText(identity.MaskEmail(addr))
		if err := codes.apply(ctx, p, f.CurrentPassword, EmailKey(a.Login, addr), f.Code, store.Change{Email: addr}, codeRefused, text); err != nil {
			return nil, err
		}
		return api.NoContent(), nil
	})
}

func codeRefused() error {
	return api.CodeInvalid("邮箱验证码错误、已过期或已失效，请核对后重试或重新获取（每个验证码最多可尝试5次）")
}
