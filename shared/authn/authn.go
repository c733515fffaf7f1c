// Package authn is the gate of every authenticated route: a bearer session that is live, not
// idle, and of the account's current password epoch; the role the route is for; and, for
// applicants' business, the profile and verification gates. An operation's constructor wraps
// its handler in one gate, once; the handler receives the caller as a parameter.
package authn

import (
	"context"
	"errors"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// Session lifetimes follow OWASP ASVS 4.0 V3.3.2 at level 2: re-authentication after 12 hours
// of use, or after 30 minutes without a request.
const (
	Lifetime    = 12 * time.Hour
	IdleTimeout = 30 * time.Minute
	// TokenBytes is 256 bits of crypto/rand per session token.
	TokenBytes = 32
)

// Sessions reads sessions and accounts.
type Sessions interface {
	TouchSession(ctx context.Context, tokenHash string, now time.Time, idle time.Duration) (account.Session, error)
	GetAccount(ctx context.Context, login string) (account.Account, error)
}

// Principal is who is calling: the session and its account as they are now.
type Principal struct {
	TokenHash string
	Session   account.Session
	Account   account.Account
}

// Handler is an authenticated operation.
type Handler func(ctx context.Context, r *api.Request, p *Principal) (*api.Response, error)

// Gate checks bearer sessions.
type Gate struct {
	sessions Sessions
	clock    clock.Clock
}

// NewGate is the gate of the sessions in s.
func NewGate(s Sessions, clk clock.Clock) *Gate {
	return &Gate{sessions: s, clock: clk}
}

// TokenHash is how a session token is stored: only its SHA-256.
func TokenHash(tok string) string {
	return token.Encode(token.Hash("session", tok))
}

// authenticate finds the caller's live session and account. Two round trips: the session
// (whose idle deadline moves on in the same write) and the account, which every
// authenticated operation needs anyway.
func (g *Gate) authenticate(ctx context.Context, r *api.Request) (*Principal, error) {
	tok := r.BearerToken()
	if tok == "" || len(tok) > 128 {
		return nil, api.Unauthenticated()
	}
	h := TokenHash(tok)
	now := g.clock.Now()
	sess, err := g.sessions.TouchSession(ctx, h, now, IdleTimeout)
	if errors.Is(err, store.ErrNotFound) {
		return nil, api.Unauthenticated()
	}
	if err != nil {
		return nil, err
	}
	acct, err := g.sessions.GetAccount(ctx, sess.Login)
	if errors.Is(err, store.ErrNotFound) {
		return nil, api.Unauthenticated()
	}
	if err != nil {
		return nil, err
	}
	// A completed password reset moved the epoch on: every older session is revoked.
	if acct.Epoch != sess.Epoch || acct.AccountID != sess.AccountID {
		return nil, api.Unauthenticated()
	}
	return &Principal{TokenHash: h, Session: sess, Account: acct}, nil
}

// Any serves h to a caller of either role.
func (g *Gate) Any(h Handler) api.HandlerFunc {
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		p, err := g.authenticate(ctx, r)
		if err != nil {
			return nil, err
		}
		return h(ctx, r, p)
	}
}

// Applicant serves h to applicants only.
func (g *Gate) Applicant(h Handler) api.HandlerFunc {
	return g.Any(role(account.RoleApplicant, h))
}

// Reviewer serves h to reviewers only.
func (g *Gate) Reviewer(h Handler) api.HandlerFunc {
	return g.Any(role(account.RoleReviewer, h))
}

// Profiled serves h to applicants whose first-login profile is complete: the gate of
// verification and manual review, which come before any other business.
func (g *Gate) Profiled(h Handler) api.HandlerFunc {
	return g.Any(role(account.RoleApplicant, profiled(h)))
}

// Business is the gate of every business route (认定报名 and the like): a complete profile and
// a passed verification or approved review. A route adopts it in one line of its
// constructor: `return gate.Business(h)`.
func (g *Gate) Business(h Handler) api.HandlerFunc {
	return g.Any(role(account.RoleApplicant, profiled(cleared(h))))
}

func role(want string, h Handler) Handler {
	return func(ctx context.Context, r *api.Request, p *Principal) (*api.Response, error) {
		if p.Account.Role != want {
			return nil, api.Forbidden(api.CodeForbidden, forbidden[want])
		}
		return h(ctx, r, p)
	}
}

var forbidden = map[string]string{
	account.RoleApplicant: "该功能仅供申请人使用",
	account.RoleReviewer:  "该功能仅供审核人员使用",
}

func profiled(h Handler) Handler {
	return func(ctx context.Context, r *api.Request, p *Principal) (*api.Response, error) {
		if p.Account.Profile == nil {
			return nil, api.Forbidden(api.CodeProfileIncomplete, "请先完善个人信息")
		}
		return h(ctx, r, p)
	}
}

func cleared(h Handler) Handler {
	return func(ctx context.Context, r *api.Request, p *Principal) (*api.Response, error) {
		if !p.Account.Verification.Cleared() {
			return nil, api.Forbidden(api.CodeVerificationRequired, "请先通过实名核验（或人工审核）后再办理业务")
		}
		return h(ctx, r, p)
	}
}
