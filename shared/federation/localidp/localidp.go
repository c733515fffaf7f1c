// Package localidp is an OpenID provider on loopback standing in for the 教育部 unified login,
// for `make run` and the tests: github.com/oauth2-proxy/mockoidc (discovery, authorization
// with PKCE, token endpoint, keys), issuing ID tokens that carry the document claims a
// deployment maps; a page at its authorization endpoint where a tester picks one of a few
// identities; and, for tests, ways to tamper with what it issues. Only the local server and
// tests import it: no Lambda function links mockoidc.
package localidp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/jszg/applicant-accounts/shared/federation"
	"github.com/jszg/applicant-accounts/shared/identity"
)

// Identity is a person the provider can log in: the subject it knows them by, and the
// document it vouches for.
type Identity struct {
	Subject string
	IDType  string // the contract's idType, as the type claim carries it
	Number  string
	Name    string
}

// Pick is the query parameter of the authorization endpoint that names the identity to log
// in, by subject; without it the endpoint shows the page that offers them.
const Pick = "identity"

// Identities are the ones `make run` offers: two mainland ones (the second fails the local
// identity-verification simulator, whose rule is a name containing 核验失败), a Hong Kong
// and a Taiwan permit holder. Register an account with one's number and name first to try
// the link; log in with one never registered to try the account made from the claims.
func Identities() []Identity {
	resident := func(body string) string { return body + string(identity.CheckChar(body)) }
	return []Identity{
		{Subject: "moe-local-0001", IDType: string(identity.ResidentID), Number: resident("11010519880808123"), Name: "张明"},
		{Subject: "moe-local-0002", IDType: string(identity.ResidentID), Number: resident("31010419760606246"), Name: "王核验失败"},
		{Subject: "moe-local-0003", IDType: string(identity.HKMacauPermit), Number: "H60123457", Name: "陈大文"},
		{Subject: "moe-local-0004", IDType: string(identity.TaiwanPermit), Number: "87654321", Name: "林美玲"},
	}
}

// Server is the running provider.
type Server struct {
	mock   *mockoidc.MockOIDC
	claims federation.Claims
	now    func() time.Time

	// serial runs one request at a time: mockoidc's session store is a plain map.
	serial sync.Mutex

	mu         sync.Mutex
	identities map[string]Identity
	order      []string
	tweak      func(claims map[string]any)
	forge      func(idToken string) string
	// answered keeps the token endpoint's answer to each code while codes may be exchanged
	// again (AnswerCodesTwice); nil otherwise.
	answered map[string]recorded
}

type recorded struct {
	header http.Header
	body   []byte
}

// Start runs a provider on 127.0.0.1 that knows ids and names their document with the
// claims of cfg; now is the time its tokens are issued at (the tests' clock).
func Start(claims federation.Claims, ids []Identity, now func() time.Time) (*Server, error) {
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		return nil, err
	}
	m.CodeChallengeMethodsSupported = []string{mockoidc.CodeChallengeMethodS256}
	s := &Server{mock: m, claims: claims, now: now, identities: map[string]Identity{}}
	for _, id := range ids {
		s.Add(id)
	}
	for _, mw := range []func(http.Handler) http.Handler{s.oneAtATime, s.picker, s.forger, s.repeater} {
		if err := m.AddMiddleware(mw); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if err := m.Start(ln, nil); err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops the provider.
func (s *Server) Close() { _ = s.mock.Shutdown() }

// Issuer is the issuer URL (its discovery document is under it).
func (s *Server) Issuer() string { return s.mock.Issuer() }

// Config is a deployment's configuration against this provider.
func (s *Server) Config(callbackURL, returnURL string) federation.Config {
	return federation.Config{
		Issuer: s.Issuer(), ClientID: s.mock.ClientID, ClientSecret: s.mock.ClientSecret,
		CallbackURL: callbackURL, ReturnURL: returnURL, Claims: s.claims,
		Scopes: federation.ParseScopes("profile"),
	}
}

// Add makes one more identity known.
func (s *Server) Add(id Identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.identities[id.Subject]; !ok {
		s.order = append(s.order, id.Subject)
	}
	s.identities[id.Subject] = id
}

// Tweak changes the claims of every ID token issued from now on (nil: none), after the
// provider has set them: a test's wrong audience, past expiry, other nonce, missing claim.
func (s *Server) Tweak(f func(claims map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tweak = f
}

// Forge replaces the ID token of every token response from now on with f's (nil: none): a
// test's token signed by another key.
func (s *Server) Forge(f func(idToken string) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forge = f
}

// SignWithOtherKey is a forgery: the token's header and claims as issued, signed by a key
// that is not the provider's, under the provider's key id.
func (s *Server) SignWithOtherKey(idToken string) string {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(idToken, claims); err != nil {
		panic(err)
	}
	other, err := mockoidc.RandomKeypair(2048)
	if err != nil {
		panic(err)
	}
	if other.Kid, err = s.mock.Keypair.KeyID(); err != nil {
		panic(err)
	}
	forged, err := other.SignJWT(claims)
	if err != nil {
		panic(err)
	}
	return forged
}

// Authorize plays the browser at the authorization URL a start answered, logging in as the
// identity with subject, and returns where the provider sends it back (the callback, with
// code and state).
func (s *Server) Authorize(authorizationURL, subject string) (*url.URL, error) {
	u, err := url.Parse(authorizationURL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set(Pick, subject)
	u.RawQuery = q.Encode()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(u.String())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("authorize: %s", resp.Status)
	}
	return url.Parse(resp.Header.Get("Location"))
}

func (s *Server) oneAtATime(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serial.Lock()
		defer s.serial.Unlock()
		next.ServeHTTP(w, r)
	})
}

// picker serves the authorization endpoint: without Pick, the page that offers the
// identities; with it, the login of that identity.
func (s *Server) picker(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != mockoidc.AuthorizationEndpoint {
			next.ServeHTTP(w, r)
			return
		}
		s.mu.Lock()
		id, ok := s.identities[r.URL.Query().Get(Pick)]
		offered := make([]Identity, 0, len(s.order))
		for _, sub := range s.order {
			offered = append(offered, s.identities[sub])
		}
		s.mu.Unlock()
		if ok {
			s.mock.QueueUser(&user{id: id, server: s})
			next.ServeHTTP(w, r)
			return
		}
		if r.URL.Query().Has(Pick) {
			http.Error(w, "unknown identity", http.StatusBadRequest)
			return
		}
		type choice struct {
			Identity
			Link string
		}
		choices := make([]choice, len(offered))
		for i, id := range offered {
			q := r.URL.Query()
			q.Set(Pick, id.Subject)
			choices[i] = choice{Identity: id, Link: r.URL.Path + "?" + q.Encode()}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = page.Execute(w, choices)
	})
}

var page = template.Must(template.New("pick").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>教育部统一身份认证（本地模拟）</title></head>
<body>
<h1>教育部统一身份认证（本地模拟）</h1>
<p>仅供本地测试：选择一个身份登录，然后返回中国教师资格网。</p>
<ul>
{{range .}}<li><a href="{{.Link}}">{{.Name}}</a> — {{.IDType}} {{.Number}}（{{.Subject}}）</li>
{{end}}</ul>
</body></html>
`))

// AnswerCodesTwice makes the token endpoint answer a code exchanged again with the tokens
// of its first exchange, as a provider that does not hold codes to one use would (RFC 6749
// says it must): what the callback does then rests on the state alone.
func (s *Server) AnswerCodesTwice() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answered = map[string]recorded{}
}

// repeater serves AnswerCodesTwice.
func (s *Server) repeater(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		repeating := s.answered != nil
		s.mu.Unlock()
		if r.URL.Path != mockoidc.TokenEndpoint || !repeating {
			next.ServeHTTP(w, r)
			return
		}
		form, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		values, _ := url.ParseQuery(string(form))
		code := values.Get("code")
		s.mu.Lock()
		first, seen := s.answered[code]
		s.mu.Unlock()
		if !seen {
			r.Body = io.NopCloser(bytes.NewReader(form))
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			first = recorded{header: rec.Header(), body: rec.Body.Bytes()}
			if rec.Code != http.StatusOK {
				copyAnswer(w, rec.Code, first)
				return
			}
			s.mu.Lock()
			s.answered[code] = first
			s.mu.Unlock()
		}
		copyAnswer(w, http.StatusOK, first)
	})
}

func copyAnswer(w http.ResponseWriter, status int, a recorded) {
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(a.body)
}

// forger applies Forge to the token endpoint's answers.
func (s *Server) forger(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		forge := s.forge
		s.mu.Unlock()
		if r.URL.Path != mockoidc.TokenEndpoint || forge == nil {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var answer map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(body, &answer) == nil {
			if raw, ok := answer["id_token"].(string); ok {
				answer["id_token"] = forge(raw)
				body, _ = json.Marshal(answer)
			}
		}
		copyAnswer(w, rec.Code, recorded{header: rec.Header(), body: body})
	})
}

// user is an identity as mockoidc issues tokens for it.
type user struct {
	id     Identity
	server *Server
}

func (u *user) ID() string { return u.id.Subject }

func (u *user) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": u.id.Subject})
}

// Claims are the ID token's: mockoidc's registered claims and nonce, times from the
// server's clock, the document under the configured names, then any test's tweak.
func (u *user) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if base == nil || base.RegisteredClaims == nil {
		return nil, errors.New("localidp: no registered claims")
	}
	now := u.server.now()
	c := jwt.MapClaims{
		"iss": base.Issuer, "sub": u.id.Subject, "aud": []string(base.Audience), "jti": base.ID,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
	if base.Nonce != "" {
		c["nonce"] = base.Nonce
	}
	cl := u.server.claims
	c[cl.Number], c[cl.Type], c[cl.Name] = u.id.Number, u.id.IDType, u.id.Name
	u.server.mu.Lock()
	tweak := u.server.tweak
	u.server.mu.Unlock()
	if tweak != nil {
		tweak(c)
	}
	return c, nil
}

// compile-time check that user is a mockoidc.User.
var _ mockoidc.User = (*user)(nil)
