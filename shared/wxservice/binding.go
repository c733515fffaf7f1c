package wxservice

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// BindingStore keeps binding codes and bindings.
type BindingStore interface {
	authn.Sessions
	session.GuardStore
	notify.NoticeQuota
	PutBindCode(ctx context.Context, hash, login string, epoch int64, until time.Time) error
	UnbindWechat(ctx context.Context, login, user string) error
}

type bindCodeAnswer struct {
	BindCode  string  `json:"bindCode"`
	ExpiresIn int     `json:"expiresIn"`
	QRURL     *string `json:"qrUrl"`
	QRContent *string `json:"qrContent"`
}

// BindScene is the scene of a binding code's QR code: scanning it sends it back in a SCAN
// event (or, to a user who does not follow the account yet, qrscene_ + it in subscribe).
func BindScene(code string) string { return "bind:" + code }

type bindingForm struct {
	CurrentPassword string `json:"currentPassword"`
}

// reconfirm is what binding and unbinding ask, as a change of password or mobile does: a
// binding is a way to reset the password, so a stolen session must not add one. The current
// password counts as a login attempt (session.Reconfirm).
func reconfirm(ctx context.Context, db session.GuardStore, p *authn.Principal, r *api.Request) (*session.Proof, error) {
	var f bindingForm
	if err := r.Decode(&f); err != nil {
		return nil, err
	}
	return session.Reconfirm(ctx, db, p, f.CurrentPassword, "currentPassword", "绑定或解除绑定微信")
}

func alreadyBound() error {
	return api.Conflict(api.CodeWechatBound, "该账号已绑定微信；如需改绑，请先解除绑定")
}

// NewBindCode answers POST /v1/me/wechat-binding: a code of BindCodeDigits digits, for
// BindCodeTTL, that binds the WeChat user who sends it to the service account to this
// account; with tokens (where the deployment has the account's AppSecret), also a temporary
// QR code whose scan does the same. An account already bound gets 409. Two round trips: the
// session with the current password's attempt counted alongside; the code with the attempt
// given back and the day's notice counted (notify.AllowWith). The token's one or two more when a
// QR code is made.
func NewBindCode(db BindingStore, tokens *Tokens, sms notify.SMS, mail notify.Mailer, clk clock.Clock, pepper []byte) api.HandlerFunc {
	return authn.NewGate(db, clk).Counting(session.CountAttempt(db), session.UncountAttempt(db)).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		now := clk.Now()
		a := p.Account
		if a.WechatUser != "" {
			return nil, alreadyBound()
		}
		proof, err := reconfirm(ctx, db, p, r)
		if err != nil {
			return nil, err
		}
		defer proof.Close(ctx)
		var notice *notify.Allowance
		for range 3 { // a code drawn twice among the live ones is drawn again
			code := token.Digits(BindCodeDigits)
			err := proof.With(ctx, func(ctx context.Context) error {
				var err error
				notice, err = notify.AllowWith(ctx, db, a.Login, now, func(ctx context.Context) error {
					return db.PutBindCode(ctx, BindHash(pepper, code), a.Login, a.Epoch, now.Add(BindCodeTTL))
				})
				return err
			})
			if errors.Is(err, store.ErrExists) {
				continue
			}
			if err != nil {
				return nil, err
			}
			notice.Tell(ctx, sms, mail, a, notify.WechatBindingText(true))
			out := bindCodeAnswer{BindCode: code, ExpiresIn: int(BindCodeTTL / time.Second)}
			if tokens != nil {
				qr, err := tokens.QR(ctx, BindScene(code), BindCodeTTL)
				if err != nil { // the code alone still binds
					slog.WarnContext(ctx, "no QR code for a binding", slog.String("err", err.Error()))
				} else {
					out.QRURL = &qr.ImageURL
					if qr.Content != "" {
						out.QRContent = &qr.Content
					}
				}
			}
			return api.JSON(http.StatusCreated, out), nil
		}
		return nil, api.Unavailable("系统繁忙，请稍后重试", 1, errors.New("three binding codes drawn were taken"))
	})
}

// NewUnbind answers DELETE /v1/me/wechat-binding: the binding goes, both sides at once. Two
// round trips: the session with the current password's attempt alongside; the transaction
// with the attempt given back.
func NewUnbind(db BindingStore, sms notify.SMS, mail notify.Mailer, clk clock.Clock) api.HandlerFunc {
	return authn.NewGate(db, clk).Counting(session.CountAttempt(db), session.UncountAttempt(db)).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		a := p.Account
		if a.WechatUser == "" {
			return nil, api.NotFound("该账号未绑定微信")
		}
		proof, err := reconfirm(ctx, db, p, r)
		if err != nil {
			return nil, err
		}
		defer proof.Close(ctx)
		var notice *notify.Allowance
		err = proof.With(ctx, func(ctx context.Context) error {
			var err error
			notice, err = notify.AllowWith(ctx, db, a.Login, clk.Now(), func(ctx context.Context) error {
				return db.UnbindWechat(ctx, a.Login, a.WechatUser)
			})
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, api.NotFound("该账号未绑定微信")
		}
		if err != nil {
			return nil, err
		}
		notice.Tell(ctx, sms, mail, a, notify.WechatBindingText(false))
		return api.NoContent(), nil
	})
}
