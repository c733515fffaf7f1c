package federation

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/logincode"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// What a failed callback tells the front end, as ?error= on its page: the browser is at the
// callback, not a script, so every outcome is a redirect to the front end, which words it.
const (
	// RefusedByProvider: the provider sent an error (the user cancelled or was refused there).
	RefusedByProvider = "PROVIDER_REFUSED"
	// StateInvalid: no such login in progress: a state unknown, expired or used already (a
	// callback opened twice, or forged), or a callback that names another issuer.
	StateInvalid = "STATE_INVALID"
	// CodeRejected: the provider would not exchange the code (replayed, expired, or not
	// issued for this login's PKCE challenge), or there was none.
	CodeRejected = "CODE_INVALID"
	// TokenInvalid: the ID token failed verification: signature, issuer, audience, expiry or
	// nonce.
	TokenInvalid = "TOKEN_INVALID"
	// ClaimMissing: the token lacks the subject or a configured claim (number, type, name), or
	// one is not a valid document number, type or name.
	ClaimMissing = "CLAIM_MISSING"
	// IdentityMismatch: the document number has an account whose name or document type is not
	// the token's. Nothing is linked or created.
	IdentityMismatch = "IDENTITY_MISMATCH"
	// AccountUnavailable: the identity is linked to an account that no longer exists as linked.
	AccountUnavailable = "ACCOUNT_UNAVAILABLE"
	// AccountUnverified: the number's account has the identity's name but was never verified
	// or approved, so whoever registered it is not known to be the holder: the holder logs
	// in with its password and verifies first, or claims the number back (ownership).
	AccountUnverified = "ACCOUNT_UNVERIFIED"
	// Unavailable: the provider could not be reached, or the table stayed busy.
	Unavailable = api.CodeUnavailable
	// Internal: anything unexpected; the cause is in the log.
	Internal = api.CodeInternal
)

// refusal is a failed callback: the code the front end gets, and what the log keeps.
type refusal struct {
	code  string
	cause error
}

func (r *refusal) Error() string {
	if r.cause == nil {
		return r.code
	}
	return r.code + ": " + r.cause.Error()
}

func refuse(code string, cause error) error { return &refusal{code: code, cause: cause} }

// CallbackStore finishes logins: the flow, the link, the account and the login code.
type CallbackStore interface {
	OpenFederatedState(state string) (store.FederatedFlow, bool)
	SpendFederatedState(ctx context.Context, stateHash string, expiresAt int64) error
	FederatedStateSpent(ctx context.Context, stateHash string) (bool, error)
	TakeFederatedFlow(ctx context.Context, stateHash string, now time.Time) (store.FederatedFlow, error)
	FindFederated(ctx context.Context, linkHash, login string) (*store.FederatedLink, *account.Account, error)
	GetAccount(ctx context.Context, login string) (account.Account, error)
	IssueLoginCode(ctx context.Context, codeHash string, c store.LoginCode) error
	LinkAndIssue(ctx context.Context, linkHash string, l store.FederatedLink, a account.Account, codeHash string, c store.LoginCode) error
	CreateFederatedAccount(ctx context.Context, a account.Account, linkHash string, l store.FederatedLink, codeHash string, c store.LoginCode) error
}

// mapTries bounds how often the mapping is read again after a concurrent login of the same
// identity (or a registration of its number) moved first: the second read sees what it did.
const mapTries = 3

// NewCallback answers GET /v1/federated-logins/callback?code=&state=, where the provider
// sends the browser back: the state is opened (the flow sealed in it: no read), the code
// exchanged at the provider with the login's PKCE verifier, the ID token verified (go-oidc:
// signature against the provider's keys, issuer, audience = client id, expiry; the nonce
// here), the state spent, the identity mapped to an account, and the browser sent to the
// front end's page with a one-time code (?code=), or with what went wrong (?error=, nothing
// created). Two round trips after the provider's: the state spent with the identity's link
// and the number's account read alongside; the code, alone or in the transaction that links
// or creates. A state from before the seal is taken from the table first, as it was kept
// there (three).
func NewCallback(db CallbackStore, p *Provider, clk clock.Clock) api.HandlerFunc {
	c := &callback{store: db, provider: p, clock: clk}
	return c.handle
}

type callback struct {
	store    CallbackStore
	provider *Provider
	clock    clock.Clock
}

func (c *callback) handle(ctx context.Context, r *api.Request) (*api.Response, error) {
	code, err := c.finish(ctx, r)
	if err == nil {
		return api.Redirect(c.back("code", code)), nil
	}
	reason, cause := Internal, err
	var ref *refusal
	providerDown := false // the provider's discovery or token endpoint failed, not the table
	switch {
	case errors.As(err, &ref):
		reason, cause = ref.code, ref.cause
		providerDown = ref.code == Unavailable
	case api.IsBusy(err):
		reason = Unavailable
	}
	// What is logged names a claim or a step, never a value the browser or the token carried.
	attrs := []any{slog.String("reason", reason)}
	if cause != nil {
		attrs = append(attrs, slog.String("err", cause.Error()))
	}
	if providerDown {
		metrics.CountBy(ctx, metrics.ProviderFailures, metrics.Provider, "federation")
	}
	if reason == Internal || reason == Unavailable {
		slog.ErrorContext(ctx, "federated login failed", attrs...)
	} else {
		slog.InfoContext(ctx, "federated login refused", attrs...)
	}
	return api.Redirect(c.back("error", reason)), nil
}

// back is the front end's page with one parameter added.
func (c *callback) back(name, value string) string {
	u, err := url.Parse(c.provider.cfg.ReturnURL)
	if err != nil { // checked at start
		panic(err)
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// finish runs the callback and returns the one-time login code.
func (c *callback) finish(ctx context.Context, r *api.Request) (string, error) {
	if e := r.Query("error"); e != "" {
		return "", refuse(RefusedByProvider, fmt.Errorf("provider error %.64q", e))
	}
	state, code := r.Query("state"), r.Query("code")
	if state == "" || len(state) > logincode.MaxSecret {
		return "", refuse(StateInvalid, errors.New("no state, or an outsized one"))
	}
	if iss := r.Query("iss"); iss != "" && iss != c.provider.cfg.Issuer { // RFC 9207
		return "", refuse(StateInvalid, errors.New("the callback names another issuer"))
	}
	if code == "" || len(code) > logincode.MaxSecret*4 {
		return "", refuse(CodeRejected, errors.New("no code, or an outsized one"))
	}
	// The state is judged before anything is asked of the provider (its discovery document
	// too, on a function's first request): a forged or expired one costs nothing.
	now := c.clock.Now()
	flow, sealed := c.store.OpenFederatedState(state)
	switch {
	case !sealed && len(state) != keptStateLength:
		return "", refuse(StateInvalid, errors.New("a state that is not ours"))
	case sealed && flow.ExpiresAt <= now.Unix():
		return "", refuse(StateInvalid, errors.New("the login's state has expired"))
	}
	found, err := c.provider.discover(ctx)
	if err != nil {
		return "", refuse(Unavailable, err)
	}
	if !sealed {
		return c.finishKept(ctx, found, state, code, now)
	}
	hash := stateHash(state)
	spend := func(ctx context.Context) error {
		err := c.store.SpendFederatedState(ctx, hash, flow.ExpiresAt+int64(spentMarkMargin/time.Second))
		if errors.Is(err, store.ErrExists) {
			return stateSpent()
		}
		return err
	}
	// The state is spent only once the provider has answered with a good token: a refused
	// callback (a replayed code, a browser's second request) must not spend the state of
	// the one that holds the login's code. Trying codes with a state gains nothing, since
	// the provider gives tokens only for codes issued to its PKCE challenge.
	id, err := c.verify(ctx, found, code, flow, now)
	var ref *refusal
	if errors.As(err, &ref) && ref.code == CodeRejected {
		// A code refused under a state spent already is a callback opened again (a reload,
		// the back button), which the front end words as such. One read, on this path only.
		if spent, readErr := c.store.FederatedStateSpent(ctx, hash); readErr == nil && spent {
			return "", stateSpent()
		}
	}
	if err != nil {
		return "", err
	}
	return c.login(ctx, id, flow, now, spend)
}

// stateSpent refuses a sealed state that a callback spent already.
func stateSpent() error {
	return refuse(StateInvalid, errors.New("the state was spent by an earlier callback"))
}

// keptStateLength is the length of the states of starts made before the seal (256 random
// bits in base64url); only such a state is looked for in the table.
const keptStateLength = 43

// spentMarkMargin keeps a spent state's mark past the state's expiry: the expiry is checked
// against the clock read before the provider answered, and DynamoDB's TTL may delete an
// item soon after its time, so a mark written at the last moment must not vanish while a
// second callback of the same state is still on its way.
const spentMarkMargin = time.Hour

// finishKept finishes a login started before the state was sealed: its flow was kept in
// the table under the state's hash, and is taken (spent) before the provider is asked.
func (c *callback) finishKept(ctx context.Context, found *discovered, state, code string, now time.Time) (string, error) {
	flow, err := c.store.TakeFederatedFlow(ctx, stateHash(state), now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", refuse(StateInvalid, errors.New("no login in progress with this state"))
	case err != nil:
		return "", err
	}
	id, err := c.verify(ctx, found, code, flow, now)
	if err != nil {
		return "", err
	}
	return c.login(ctx, id, flow, now, nil)
}

// verified is the identity a verified ID token carries.
type verified struct {
	link   string // LinkHash of issuer and subject
	idType identity.IDType
	number string // normalised: the account's login
	name   string // normalised
}

// verify exchanges the code and verifies the ID token it brings.
func (c *callback) verify(ctx context.Context, found *discovered, code string, flow store.FederatedFlow, now time.Time) (verified, error) {
	tok, err := found.oauth.Exchange(c.provider.withClient(ctx), code, oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && (re.Response == nil || re.Response.StatusCode < 500) {
			// The provider's own words may echo the code: only its error code is kept.
			return verified{}, refuse(CodeRejected, fmt.Errorf("token endpoint: %.64q", re.ErrorCode))
		}
		return verified{}, refuse(Unavailable, errors.New("token endpoint unreachable or failing"))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return verified{}, refuse(TokenInvalid, errors.New("no id_token in the token response"))
	}
	idt, err := found.verifier.Verify(ctx, raw)
	if err != nil {
		return verified{}, refuse(TokenInvalid, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		return verified{}, refuse(TokenInvalid, errors.New("nonce mismatch"))
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return verified{}, refuse(TokenInvalid, err)
	}
	return c.provider.cfg.identityOf(idt.Issuer, idt.Subject, claims, now)
}

// identityOf reads the document from the claims the deployment maps; each must be a string.
// The failures name the claim, never its value.
func (cfg Config) identityOf(issuer, subject string, claims map[string]any, now time.Time) (verified, error) {
	if subject == "" {
		return verified{}, refuse(ClaimMissing, errors.New("no subject"))
	}
	get := func(name string) (string, error) {
		v, ok := claims[name].(string)
		if !ok || strings.TrimSpace(v) == "" {
			return "", refuse(ClaimMissing, fmt.Errorf("claim %q missing or not a string", name))
		}
		return v, nil
	}
	rawType, err := get(cfg.Claims.Type)
	if err != nil {
		return verified{}, err
	}
	if mapped, ok := cfg.TypeValues[rawType]; ok {
		rawType = mapped
	}
	rawNumber, err := get(cfg.Claims.Number)
	if err != nil {
		return verified{}, err
	}
	rawName, err := get(cfg.Claims.Name)
	if err != nil {
		return verified{}, err
	}
	t, number, err := identity.CheckDocument(rawType, rawNumber, now.In(clock.CST))
	if err != nil {
		return verified{}, refuse(ClaimMissing, fmt.Errorf("claims %q/%q are no valid document", cfg.Claims.Type, cfg.Claims.Number))
	}
	name, err := identity.NormalizeName(rawName)
	if err != nil {
		return verified{}, refuse(ClaimMissing, fmt.Errorf("claim %q is no valid name", cfg.Claims.Name))
	}
	return verified{link: LinkHash(issuer, subject), idType: t, number: number, name: name}, nil
}

// login maps the identity to an account, linking or creating it the first time, and keeps
// the login's code. Each write holds only on what was read; when a concurrent login of the
// same identity, or a registration of the number, moved first, the mapping is read again.
// spend, when the state is still to be spent, goes alongside the first read, and a state
// spent already (or not spent) ends the login whatever was read.
func (c *callback) login(ctx context.Context, id verified, flow store.FederatedFlow, now time.Time, spend func(context.Context) error) (string, error) {
	for try := 1; try <= mapTries; try++ {
		code := token.New(logincode.SecretBytes)
		codeHash := logincode.Hash(code)
		var link *store.FederatedLink
		var acct *account.Account
		var err error
		find := func(ctx context.Context) { link, acct, err = c.store.FindFederated(ctx, id.link, id.number) }
		if try == 1 && spend != nil {
			var spendErr error
			store.SendTogether(ctx, func(ctx context.Context) { spendErr = spend(ctx) }, find)
			if spendErr != nil {
				return "", spendErr
			}
		} else {
			find(ctx)
		}
		if err != nil {
			return "", err
		}
		switch {
		case link != nil:
			a, err := c.linked(ctx, link, acct)
			if err != nil {
				return "", err
			}
			return code, c.store.IssueLoginCode(ctx, codeHash, loginCode(a, flow, now))
		case acct != nil:
			if acct.Role != account.RoleApplicant || acct.IDType != string(id.idType) || !identity.SameName(acct.Name, id.name) {
				return "", refuse(IdentityMismatch, errors.New("the number's account has another name or document type"))
			}
			if !acct.Verification.Cleared() {
				// A squatter who registered the number with its holder's name would otherwise
				// have the holder working inside an account whose password and contacts are
				// the squatter's.
				return "", refuse(AccountUnverified, errors.New("the number's account is not verified"))
			}
			l := store.FederatedLink{Login: acct.Login, AccountID: acct.AccountID, CreatedAt: now.UTC().Format(time.RFC3339)}
			err := c.store.LinkAndIssue(ctx, id.link, l, *acct, codeHash, loginCode(*acct, flow, now))
			if errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrAccountMoved) {
				continue // linked by a concurrent login, or the account changed: read again
			}
			return code, err
		default:
			a := newAccount(id, flow, now)
			l := store.FederatedLink{Login: a.Login, AccountID: a.AccountID, CreatedAt: a.CreatedAt}
			err := c.store.CreateFederatedAccount(ctx, a, id.link, l, codeHash, loginCode(a, flow, now))
			if errors.Is(err, account.ErrExists) || errors.Is(err, store.ErrExists) {
				continue // created by a concurrent login, or the number registered: read again
			}
			return code, err
		}
	}
	return "", &store.BusyError{Op: "federated login", Cause: errors.New("the mapping kept moving")}
}

// linked is the account a link names, which must still be the account linked (an operator
// may have deleted it, and the number been registered again since).
func (c *callback) linked(ctx context.Context, link *store.FederatedLink, acct *account.Account) (account.Account, error) {
	if acct == nil || acct.Login != link.Login {
		a, err := c.store.GetAccount(ctx, link.Login)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return account.Account{}, refuse(AccountUnavailable, errors.New("the linked account is gone"))
		case err != nil:
			return account.Account{}, err
		}
		acct = &a
	}
	if acct.AccountID != link.AccountID || acct.Role != account.RoleApplicant {
		return account.Account{}, refuse(AccountUnavailable, errors.New("the linked account was replaced"))
	}
	return *acct, nil
}

// newAccount is the account a first login creates: the document and name the provider
// verified, no password and no contacts (it logs in through the provider; it sets a
// password through recovery once it has contacts), and the agreement accepted at the start.
func newAccount(id verified, flow store.FederatedFlow, now time.Time) account.Account {
	return account.Account{
		Login: id.number, AccountID: token.New(16), Role: account.RoleApplicant,
		IDType: string(id.idType), Name: id.name,
		AgreementVersion: flow.AgreementVersion, AgreementAcceptedAt: flow.AcceptedAt,
		CreatedAt:    now.UTC().Format(time.RFC3339),
		Verification: account.Verification{Status: account.StatusUnverified},
	}
}

func loginCode(a account.Account, flow store.FederatedFlow, now time.Time) store.LoginCode {
	return store.LoginCode{
		Login: a.Login, AccountID: a.AccountID, Role: a.Role, Epoch: a.Epoch, NextStep: a.NextStep(),
		Binding: flow.Binding, ExpiresAt: now.Add(logincode.CodeTTL).Unix(),
	}
}
