// Package session is login and logout (登录, SPEC §1): account + password + slider gives a
// bearer token; wrong account and wrong password look alike; five wrong passwords in a row
// lock the account for fifteen minutes.
package session

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

const (
	// MaxFailures wrong passwords in a row lock the account …
	MaxFailures = 5
	// … for LockFor.
	LockFor = 15 * time.Minute
)

// LoginStore keeps sliders, accounts and sessions.
type LoginStore interface {
	captcha.Store
	GetAccount(ctx context.Context, login string) (account.Account, error)
	StartSession(ctx context.Context, tokenHash string, s account.Session, a account.Account, now time.Time) error
	CountLoginFailure(ctx context.Context, login string, now time.Time) (int, time.Time, error)
	LockAccount(ctx context.Context, login string, until time.Time, threshold int) error
}

// LogoutStore ends sessions.
type LogoutStore interface {
	authn.Sessions
	EndSession(ctx context.Context, tokenHash string) error
}

type loginRequest struct {
	Account  string          `json:"account"`
	Password string          `json:"password"`
	Captcha  *captcha.Answer `json:"captcha"`
}

type loggedIn struct {
	Token     string `json:"token"`
	ExpiresAt string `json:"expiresAt"`
	Role      string `json:"role"`
	NextStep  string `json:"nextStep"`
}

// NewLogin answers POST /v1/sessions. The slider is spent before the password is looked at,
// so one slider never buys two guesses. Three round trips (slider, account, session) and one
// Argon2id hash.
func NewLogin(db LoginStore, clk clock.Clock) api.HandlerFunc {
	l := &login{store: db, sliders: captcha.NewChecker(db, clk), clock: clk}
	return l.handle
}

type login struct {
	store   LoginStore
	sliders *captcha.Checker
	clock   clock.Clock
}

func (l *login) handle(ctx context.Context, r *api.Request) (_ *api.Response, err error) {
	var in loginRequest
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	name := strings.ToUpper(strings.TrimSpace(in.Account))
	switch {
	case name == "":
		return nil, api.InvalidField("account", "请输入账号（证件号码）")
	case in.Password == "":
		return nil, api.InvalidField("password", "请输入密码")
	case in.Captcha == nil:
		return nil, captcha.MissingAnswer()
	}
	solved, err := l.sliders.Verify(ctx, in.Captcha)
	if err != nil {
		return nil, err
	}
	defer func() { solved.GiveBackIfRetryable(ctx, err) }()
	now := l.clock.Now()
	acct, err := l.store.GetAccount(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		_, _ = password.Verify(in.Password, password.Dummy)
		return nil, loginFailed()
	}
	if err != nil {
		return nil, err
	}
	if until, locked := acct.Locked(now); locked {
		return nil, accountLocked(now, until)
	}
	ok, err := password.Verify(in.Password, acct.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, l.wrongPassword(ctx, name, now)
	}
	tok := token.New(authn.TokenBytes)
	sess := account.Session{
		Login: acct.Login, AccountID: acct.AccountID, Role: acct.Role, Epoch: acct.Epoch,
		CreatedAt: now.Unix(), ExpiresAt: now.Add(authn.Lifetime).Unix(), IdleUntil: now.Add(authn.IdleTimeout).Unix(),
	}
	if err := l.store.StartSession(ctx, authn.TokenHash(tok), sess, acct, now); err != nil {
		if errors.Is(err, store.ErrCredentialsChanged) {
			// The password changed or a lock began between our read and the write.
			return nil, loginFailed()
		}
		return nil, err
	}
	return api.JSON(http.StatusCreated, loggedIn{
		Token:     tok,
		ExpiresAt: time.Unix(sess.ExpiresAt, 0).In(clock.CST).Format(time.RFC3339),
		Role:      acct.Role,
		NextStep:  acct.NextStep(),
	}), nil
}

// wrongPassword counts the failure and locks the account at the limit; the attempt that
// reaches it is told so.
func (l *login) wrongPassword(ctx context.Context, name string, now time.Time) error {
	n, until, err := l.store.CountLoginFailure(ctx, name, now)
	if errors.Is(err, account.ErrLocked) {
		return accountLocked(now, until)
	}
	if err != nil {
		return err
	}
	if n < MaxFailures {
		return loginFailed()
	}
	until = now.Add(LockFor)
	if err := l.store.LockAccount(ctx, name, until, MaxFailures); err != nil {
		return err
	}
	return accountLocked(now, until)
}

func loginFailed() error {
	return &api.Error{Status: http.StatusUnauthorized, Code: api.CodeLoginFailed, Message: "账号或密码错误"}
}

func accountLocked(now, until time.Time) error {
	return &api.Error{
		Status:     http.StatusLocked,
		Code:       api.CodeAccountLocked,
		Message:    "密码连续输入错误5次，账号已锁定至" + until.In(clock.CST).Format("2006-01-02 15:04:05") + "，请稍后再试或通过“忘记密码”重置",
		RetryAfter: clock.SecondsUntil(now, until),
	}
}

// NewLogout answers DELETE /v1/sessions/current for either role: three round trips (the
// session check, the account, the delete).
func NewLogout(db LogoutStore, clk clock.Clock) api.HandlerFunc {
	return authn.NewGate(db, clk).Any(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		if err := db.EndSession(ctx, p.TokenHash); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, api.Unauthenticated()
			}
			return nil, err
		}
		return api.NoContent(), nil
	})
}
