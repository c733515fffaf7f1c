package wxservice

import (
	"context"
	"errors"
	"time"

	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/wechat"
)

// TokenStore keeps the shared access token.
type TokenStore interface {
	WechatToken(ctx context.Context, appID string) (string, time.Time, error)
	LeaseWechatToken(ctx context.Context, appID, seen string, now, until time.Time) (bool, error)
	PutWechatToken(ctx context.Context, appID, token string, expires time.Time) error
}

// Tokens hands out the service account's access token, shared by every function through the
// table: a token within tokenMargin of its end is renewed by the one caller that takes the
// lease; the others use the old token while it lasts, or wait for the new one.
type Tokens struct {
	db    TokenStore
	api   wechat.API
	clock clock.Clock
	// wait is how long a caller without the lease waits between reads of the new token.
	wait time.Duration
}

const (
	tokenMargin = 5 * time.Minute
	tokenLease  = 10 * time.Second
)

// NewTokens shares api's token through db.
func NewTokens(db TokenStore, api wechat.API, clk clock.Clock) *Tokens {
	return &Tokens{db: db, api: api, clock: clk, wait: 200 * time.Millisecond}
}

// errNoToken is a token nobody managed to fetch in time.
var errNoToken = errors.New("wxservice: no access token")

// Get is a live token; void says the one last used was refused by WeChat and a new one is
// needed whatever the stored time says.
func (t *Tokens) Get(ctx context.Context, void string) (string, error) {
	for range 10 {
		now := t.clock.Now()
		tok, expires, err := t.db.WechatToken(ctx, t.api.AppID)
		if err != nil {
			return "", err
		}
		fresh := tok != "" && tok != void && now.Add(tokenMargin).Before(expires)
		if fresh {
			return tok, nil
		}
		won, err := t.db.LeaseWechatToken(ctx, t.api.AppID, tok, now, now.Add(tokenLease))
		if err != nil {
			return "", err
		}
		if won {
			nt, err := t.api.FetchToken(ctx, now)
			if err != nil {
				return "", err
			}
			if err := t.db.PutWechatToken(context.WithoutCancel(ctx), t.api.AppID, nt.Value, nt.Expires); err != nil {
				return "", err
			}
			return nt.Value, nil
		}
		if tok != "" && tok != void && now.Before(expires) {
			return tok, nil // still good while another caller renews it
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(t.wait):
		}
	}
	return "", errNoToken
}

// QR makes a temporary QR code for scene with a shared token, renewing the token once if
// WeChat refuses it.
func (t *Tokens) QR(ctx context.Context, scene string, ttl time.Duration) (wechat.QR, error) {
	tok, err := t.Get(ctx, "")
	if err != nil {
		return wechat.QR{}, err
	}
	qr, err := t.api.CreateQR(ctx, tok, scene, ttl)
	if errors.Is(err, wechat.ErrTokenVoid) {
		if tok, err = t.Get(ctx, tok); err != nil {
			return wechat.QR{}, err
		}
		qr, err = t.api.CreateQR(ctx, tok, scene, ttl)
	}
	return qr, err
}
