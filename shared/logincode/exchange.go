// Package logincode is the far end of a federated login (shared/federation): the one-time
// code its callback hands the front end, kept only as a hash for CodeTTL and bound to the flow
// key of the start that began the login, and POST /v1/federated-logins/exchange, which turns
// it into a session. It links no OpenID Connect library: the exchange needs none.
package logincode

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// ExchangeStore spends login codes and starts sessions.
type ExchangeStore interface {
	TakeLoginCode(ctx context.Context, codeHash string, now time.Time) (store.LoginCode, error)
	NewSessionToken(login string, epoch int64) string
	StartFederatedSession(ctx context.Context, tokenHash string, sess account.Session) error
	ReturnLoginCode(ctx context.Context, codeHash string, c store.LoginCode) error
}

type exchangeRequest struct {
	Code    string `json:"code"`
	FlowKey string `json:"flowKey"`
}

const (
	// CodeTTL is how long a login code waits for its front end.
	CodeTTL = 2 * time.Minute
	// SecretBytes is the entropy of login codes and flow keys (and of a federated login's
	// state and nonce): 256 bits.
	SecretBytes = 32
	// MaxSecret bounds what a client sends back as a state, code or flow key before it is
	// hashed or compared.
	MaxSecret = 512
)

// Hash is how a login code is kept: SHA-256, bound to its use.
func Hash(code string) string { return token.Encode(token.Hash("federation-code", code)) }

// Binding is how a flow key is kept, in the login's flow and then in its code.
func Binding(flowKey string) string { return token.Encode(token.Hash("federation-binding", flowKey)) }

// loggedIn is POST /v1/sessions's answer, field for field.
type loggedIn struct {
	Token     string `json:"token"`
	ExpiresAt string `json:"expiresAt"`
	Role      string `json:"role"`
	NextStep  string `json:"nextStep"`
}

// NewExchange answers POST /v1/federated-logins/exchange {code, flowKey}: the one-time code
// the callback gave the front end, with the flow key of the start that began the login,
// becomes a session exactly like a password login's (same item, lifetimes, nextStep,
// logout). Two round trips: the code, spent by the first exchange that names it (given back
// only when the table was too busy to write the session); the session, written only while
// the account is still in the epoch the callback found it in.
func NewExchange(db ExchangeStore, clk clock.Clock) api.HandlerFunc {
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		var in exchangeRequest
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		switch {
		case in.Code == "":
			return nil, api.InvalidField("code", "缺少登录凭证，请重新使用教育部账号登录")
		case len(in.Code) > MaxSecret:
			return nil, api.InvalidField("code", "登录凭证格式不正确，请重新使用教育部账号登录")
		case in.FlowKey == "":
			return nil, api.InvalidField("flowKey", "缺少本次登录的校验值，请重新使用教育部账号登录")
		case len(in.FlowKey) > MaxSecret:
			return nil, api.InvalidField("flowKey", "本次登录的校验值格式不正确，请重新使用教育部账号登录")
		}
		now := clk.Now()
		codeHash := Hash(in.Code)
		code, err := db.TakeLoginCode(ctx, codeHash, now)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, codeInvalid()
		case err != nil:
			return nil, err
		}
		// A code opened in another browser than the one that started the login (a link
		// planted by someone who logged in with their own identity) is spent and refused.
		if subtle.ConstantTimeCompare([]byte(Binding(in.FlowKey)), []byte(code.Binding)) != 1 {
			return nil, codeInvalid()
		}
		tok := db.NewSessionToken(code.Login, code.Epoch)
		sess := account.Session{
			Login: code.Login, AccountID: code.AccountID, Role: code.Role, Epoch: code.Epoch,
			CreatedAt: now.Unix(), ExpiresAt: now.Add(authn.Lifetime).Unix(), IdleUntil: now.Add(authn.IdleTimeout).Unix(),
		}
		switch err := db.StartFederatedSession(ctx, authn.TokenHash(tok), sess); {
		case errors.Is(err, store.ErrAccountMoved):
			return nil, codeInvalid() // a reset or a change came between the callback and now
		case api.IsBusy(err):
			// Nothing was written: the code goes back, so the same request can be sent again.
			if perr := db.ReturnLoginCode(context.WithoutCancel(ctx), codeHash, code); perr != nil {
				slog.WarnContext(ctx, "could not give a login code back", slog.String("err", perr.Error()))
			}
			return nil, err
		case err != nil:
			return nil, err
		}
		return api.JSON(http.StatusCreated, loggedIn{
			Token:     tok,
			ExpiresAt: time.Unix(sess.ExpiresAt, 0).In(clock.CST).Format(time.RFC3339),
			Role:      code.Role,
			NextStep:  code.NextStep,
		}), nil
	}
}

func codeInvalid() error {
	return api.CodeInvalid("教育部账号登录已失效或已使用，请重新使用教育部账号登录")
}
