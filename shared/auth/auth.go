// Package auth is the one check every authenticated route makes: a bearer session that is
// live, not idle, and of the account's current password epoch; the role the route is for;
// and, for applicants' business, the profile and verification gates.
package auth

import (
	"context"
	"errors"
	"time"

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

// Store reads sessions and accounts.
type Store interface {
	TouchSession(ctx context.Context, tokenHash string, now time.Time, idle time.Duration) (store.Session, error)
	GetAccount(ctx context.Context, login string) (store.Account, error)
}

// Principal is who is calling: the session and its account as they are now.
type Principal struct {
	TokenHash string
	Session   store.Session
	Account   store.Account
}

// HandlerFunc is an authenticated operation.
type HandlerFunc func(ctx context.Context, r *api.Request, p *Principal) (*api.Response, error)

// Authenticator checks bearer sessions.
type Authenticator struct {
	Store Store
	Clock clock.Clock
}

// TokenHash is how a session token is stored: only its SHA-256.
func TokenHash(tok string) string {
	return token.Encode(token.Hash("session", tok))
}

// Authenticate finds the caller's live session and account. Two round trips: the session
// (whose idle deadline moves on in the same write) and the account, which every
// authenticated operation needs anyway.
func (a *Authenticator) Authenticate(ctx context.Context, r *api.Request) (*Principal, error) {
	tok := r.BearerToken()
	if tok == "" || len(tok) > 128 {
		return nil, api.Unauthenticated()
	}
	h := TokenHash(tok)
	now := a.Clock.Now()
	sess, err := a.Store.TouchSession(ctx, h, now, IdleTimeout)
	if errors.Is(err, store.ErrNotFound) {
		return nil, api.Unauthenticated()
	}
	if err != nil {
		return nil, err
	}
	acct, err := a.Store.GetAccount(ctx, sess.Login)
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

// Any serves next to a caller of either role.
func (a *Authenticator) Any(next HandlerFunc) api.HandlerFunc {
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		p, err := a.Authenticate(ctx, r)
		if err != nil {
			return nil, err
		}
		return next(ctx, r, p)
	}
}

// Applicant serves next to applicants only.
func (a *Authenticator) Applicant(next HandlerFunc) api.HandlerFunc {
	return a.role(store.RoleApplicant, next)
}

// Reviewer serves next to reviewers only.
func (a *Authenticator) Reviewer(next HandlerFunc) api.HandlerFunc {
	return a.role(store.RoleReviewer, next)
}

func (a *Authenticator) role(role string, next HandlerFunc) api.HandlerFunc {
	return a.Any(func(ctx context.Context, r *api.Request, p *Principal) (*api.Response, error) {
		if p.Account.Role != role {
			return nil, api.Forbidden(api.CodeForbidden, forbidden[role])
		}
		return next(ctx, r, p)
	})
}

var forbidden = map[string]string{
	store.RoleApplicant: "该功能仅供申请人使用",
	store.RoleReviewer:  "该功能仅供审核人员使用",
}
