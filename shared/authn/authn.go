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
	"github.com/jszg/applicant-accounts/shared/fanout"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// Session lifetimes follow OWASP ASVS 4.0 V3.3.2 at level 2: re-authentication after 12 hours
// of use, or after 30 minutes without a request. The idle deadline is moved on at most once in
// SlideEvery, not on every request, so a read costs no write: a session ends between 25 and
// 30 minutes after its last request.
const (
	Lifetime    = 12 * time.Hour
	IdleTimeout = 30 * time.Minute
	SlideEvery  = 5 * time.Minute
)

// Sessions reads sessions and accounts.
type Sessions interface {
	// TokenLogin is the login a token names, without I/O: "" for a token issued before
	// tokens named their account, ErrNotFound for a token that cannot be one of ours.
	TokenLogin(tok string) (string, error)
	ReadSession(ctx context.Context, tok, tokenHash string) (account.Session, account.Account, error)
	SlideSession(ctx context.Context, tokenHash string, now time.Time, idle time.Duration) error
}

// Principal is who is calling: the session and its account as they are now.
type Principal struct {
	TokenHash string
	Session   account.Session
	Account   account.Account
	// What the gate's Read gave, for this caller: the handler's to take (ReadOf), after the
	// gate's own checks (role, profile), whose refusals come first.
	read    any
	readErr error
	taken   bool      // ReadOf was asked: the handler used what was read or counted
	now     time.Time // when the gate read
}

// Handler is an authenticated operation.
type Handler func(ctx context.Context, r *api.Request, p *Principal) (*api.Response, error)

// Read is what an operation reads besides the session and account, for the login its token
// names. The gate sends it at the same time as the session's read, so the two are one round
// trip; what it gave reaches the handler only once the session holds. It must only read: it
// runs before the caller is known.
type Read func(ctx context.Context, r *api.Request, login string, now time.Time) (any, error)

// Gate checks bearer sessions.
type Gate struct {
	sessions Sessions
	clock    clock.Clock
	read     Read
	undo     Undo
}

// Undo gives back what a Count counted, for login: counted is what it gave.
type Undo func(ctx context.Context, login string, now time.Time, counted any)

// NewGate is the gate of the sessions in s.
func NewGate(s Sessions, clk clock.Clock) *Gate {
	return &Gate{sessions: s, clock: clk}
}

// Reading is the gate that also reads with read, alongside the session.
func (g *Gate) Reading(read Read) *Gate {
	cp := *g
	cp.read = read
	return &cp
}

// Counting is the gate that also counts with count, alongside the session: a quota's try
// counted before the costly check it guards, in the same round trip as the session. When the
// caller turns out not to be let in, or the handler never takes the count (ReadOf), undo
// gives it back.
func (g *Gate) Counting(count Read, undo Undo) *Gate {
	cp := *g
	cp.read, cp.undo = count, undo
	return &cp
}

// ReadOf is what the gate's Read or Count gave, as the T it is, or the error it met. Asking
// takes it: a count taken is not given back by the gate.
func ReadOf[T any](p *Principal) (T, error) {
	p.taken = true
	v, _ := p.read.(T)
	return v, p.readErr
}

// Peek is what the gate's Read or Count gave, as the T it is, without taking it: a count
// peeked at and never taken is still given back by the gate.
func Peek[T any](p *Principal) (T, error) {
	v, _ := p.read.(T)
	return v, p.readErr
}

// Taken reports whether the handler took what the gate counted (ReadOf).
func (p *Principal) Taken() bool { return p.taken }

// ReadAt is when the gate read and counted: a count's period is the one of this time.
func (p *Principal) ReadAt() time.Time { return p.now }

// TokenHash is how a session token is stored: only its SHA-256.
func TokenHash(tok string) string {
	return token.Encode(token.Hash("session", tok))
}

// maxTokenLength bounds what is hashed and opened: a sealed token is about 110 characters.
const maxTokenLength = 256

// authenticate finds the caller's live session and account, and what the gate's Read reads,
// in one round trip (a token issued before tokens named their account takes two, and its
// Read a third). The idle deadline's write comes at most once in SlideEvery.
func (g *Gate) authenticate(ctx context.Context, r *api.Request) (_ *Principal, err error) {
	tok := r.BearerToken()
	if tok == "" || len(tok) > maxTokenLength {
		return nil, api.Unauthenticated()
	}
	login, err := g.sessions.TokenLogin(tok)
	if err != nil {
		return nil, api.Unauthenticated()
	}
	h := TokenHash(tok)
	now := g.clock.Now()
	readCtx := ctx
	var alongside func() (any, error)
	if g.read != nil && login != "" {
		readCtx = store.Together(ctx)
		alongside = g.readAlongside(readCtx, r, login, now)
	}
	sess, acct, err := g.sessions.ReadSession(readCtx, tok, h)
	var read any
	var readErr error
	if alongside != nil {
		read, readErr = alongside()
		if readErr == nil && g.undo != nil {
			// Counted before the caller was known: given back unless the caller is let in.
			defer func() {
				if err != nil {
					g.undo(context.WithoutCancel(ctx), login, now, read)
				}
			}()
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, api.Unauthenticated()
	}
	if err != nil {
		return nil, err
	}
	// A completed password reset moved the epoch on: every older session is revoked.
	if now.Unix() >= sess.ExpiresAt || now.Unix() >= sess.IdleUntil ||
		acct.Epoch != sess.Epoch || acct.AccountID != sess.AccountID || acct.Login != sess.Login {
		return nil, api.Unauthenticated()
	}
	if sess.IdleUntil < now.Add(IdleTimeout-SlideEvery).Unix() {
		switch err := g.sessions.SlideSession(ctx, h, now, IdleTimeout); {
		case errors.Is(err, store.ErrNotFound):
			return nil, api.Unauthenticated()
		case err != nil:
			return nil, err
		}
		sess.IdleUntil = now.Add(IdleTimeout).Unix()
	}
	if g.read != nil && alongside == nil {
		read, readErr = g.read(ctx, r, acct.Login, now)
	}
	return &Principal{TokenHash: h, Session: sess, Account: acct, read: read, readErr: readErr, now: now}, nil
}

// readAlongside starts the gate's Read and returns the wait for its result.
func (g *Gate) readAlongside(ctx context.Context, r *api.Request, login string, now time.Time) func() (any, error) {
	var v any
	var err error
	wait := fanout.Start(func() { v, err = g.read(ctx, r, login, now) })
	return func() (any, error) {
		wait()
		return v, err
	}
}

// Any serves h to a caller of either role.
func (g *Gate) Any(h Handler) api.HandlerFunc {
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		p, err := g.authenticate(ctx, r)
		if err != nil {
			return nil, err
		}
		if g.undo != nil && p.readErr == nil {
			// A count the handler never took (a refusal by role or profile, or by the
			// handler's own rule before it) is given back.
			defer func() {
				if !p.taken {
					g.undo(context.WithoutCancel(ctx), p.Account.Login, p.now, p.read)
				}
			}()
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
