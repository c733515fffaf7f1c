// Package federation is the 教育部 unified login (教育部账号登录) as OpenID Connect federation:
// the authorization-code flow with PKCE (S256), the nonce and the verifier sealed into a
// state that lives ten minutes and is spent once, the ID token verified with go-oidc (signature, issuer, audience,
// expiry) and its nonce compared here. The callback maps the verified identity to an account
// (an existing link, else the applicant's account of the same document number and name,
// else a new account made from the claims) and hands the front end a one-time code, never a
// session token in a URL; the front end that started the login exchanges the code for a
// session like the one POST /v1/sessions gives.
package federation

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/token"
)

const (
	// FlowTTL is how long a login may stay at the provider: its state, nonce and verifier
	// live that long, and are spent by the first callback that names the state.
	FlowTTL = 10 * time.Minute
)

// Claims are the names of the ID token's claims that carry the document, as the provider
// spells them; each deployment configures its own.
type Claims struct {
	Number string // the document number
	Type   string // the document type, one of the contract's idType values
	Name   string // the name on the document
}

// DefaultClaims are the claim names when a deployment sets none.
var DefaultClaims = Claims{Number: "id_number", Type: "id_type", Name: "name"}

// Config is one deployment's registration with the provider.
type Config struct {
	Issuer       string // the provider's issuer URL (its discovery document is under it)
	ClientID     string
	ClientSecret string // only the callback needs it
	// CallbackURL is the redirect_uri registered with the provider: this API's
	// GET /v1/federated-logins/callback as the browser reaches it.
	CallbackURL string
	// ReturnURL is the front end's page the callback sends the browser to, with ?code= or
	// ?error=; only the callback needs it.
	ReturnURL string
	Scopes    []string // openid, and what the claims need
	Claims    Claims
	// TypeValues maps the type claim's values, where the provider spells a document type
	// otherwise than the contract's idType (e.g. "1" → "resident_id"); nil: as they are.
	TypeValues map[string]string
}

// ParseTypeValues reads "value=idType,…" (e.g. "1=resident_id,2=hk_macau_permit"); "" is none.
func ParseTypeValues(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		from, to, ok := strings.Cut(pair, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if _, err := identity.ParseIDType(to); !ok || from == "" || err != nil {
			return nil, fmt.Errorf("federation: type values: %q is not value=idType", pair)
		}
		out[from] = to
	}
	return out, nil
}

// ParseScopes reads a space-separated scope list; openid is always among them.
func ParseScopes(s string) []string {
	out := []string{oidc.ScopeOpenID}
	for _, f := range strings.Fields(s) {
		if f != oidc.ScopeOpenID {
			out = append(out, f)
		}
	}
	return out
}

// check refuses a configuration that cannot work: a stop at start, not on an applicant's page.
func (c Config) check() error {
	if c.ClientID == "" {
		return errors.New("federation: no client id")
	}
	for name, u := range map[string]string{"issuer": c.Issuer, "callback URL": c.CallbackURL} {
		if err := checkURL(u); err != nil {
			return fmt.Errorf("federation: %s: %w", name, err)
		}
	}
	if c.ReturnURL != "" {
		if err := checkURL(c.ReturnURL); err != nil {
			return fmt.Errorf("federation: return URL: %w", err)
		}
	}
	return nil
}

// checkURL accepts an absolute https URL, or http on loopback (the local provider).
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	if u.Scheme == "https" {
		return nil
	}
	if ip := net.ParseIP(u.Hostname()); u.Scheme == "http" && (u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("%q is not https", s)
}

// Provider is the OpenID provider as this deployment uses it. Its discovery document is read
// on first use and kept for the life of the process (a failed read is tried again by the
// next request), so that a function starts without reaching the provider.
type Provider struct {
	cfg    Config
	client *http.Client
	clock  clock.Clock

	mu    sync.Mutex
	found *discovered
}

type discovered struct {
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// HTTPTimeout bounds each call to the provider (discovery, token, keys): well inside a
// function's 10 s.
const HTTPTimeout = 4 * time.Second

// NewProvider checks cfg and returns the provider it describes; client nil is a client with
// HTTPTimeout. clk is the time ID tokens' expiry is checked against.
func NewProvider(cfg Config, client *http.Client, clk clock.Clock) (*Provider, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Claims == (Claims{}) {
		cfg.Claims = DefaultClaims
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = ParseScopes("")
	}
	if client == nil {
		client = &http.Client{Timeout: HTTPTimeout}
	}
	return &Provider{cfg: cfg, client: client, clock: clk}, nil
}

// Config is the configuration the provider was made with.
func (p *Provider) Config() Config { return p.cfg }

// withClient is ctx carrying the provider's HTTP client, where oauth2 and go-oidc look for it.
func (p *Provider) withClient(ctx context.Context) context.Context {
	return context.WithValue(oidc.ClientContext(ctx, p.client), oauth2.HTTPClient, p.client)
}

// discover reads the provider's discovery document once per process.
func (p *Provider) discover(ctx context.Context) (*discovered, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.found != nil {
		return p.found, nil
	}
	op, err := oidc.NewProvider(p.withClient(ctx), p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("federation: discovery: %w", err)
	}
	p.found = &discovered{
		oauth: oauth2.Config{
			ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret,
			Endpoint: op.Endpoint(), RedirectURL: p.cfg.CallbackURL, Scopes: p.cfg.Scopes,
		},
		verifier: op.Verifier(&oidc.Config{ClientID: p.cfg.ClientID, Now: p.clock.Now}),
	}
	return p.found, nil
}

// stateHash is how a login's state is kept: SHA-256, bound to its use.
func stateHash(state string) string { return token.Encode(token.Hash("federation-state", state)) }

// LinkHash names a provider identity in the table: SHA-256 of issuer and subject, so the
// table never holds the subject itself.
func LinkHash(issuer, subject string) string {
	return token.Encode(token.Hash("federation-link", issuer, subject))
}
