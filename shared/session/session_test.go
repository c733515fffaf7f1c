package session_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/reviewer"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

type world struct {
	*testkit.Kit
	gate   *authn.Gate
	login  api.HandlerFunc
	logout api.HandlerFunc
	me     api.HandlerFunc
}

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	return &world{
		Kit:    k,
		gate:   authn.NewGate(k.Store, k.Clock),
		login:  session.NewLogin(k.Store, k.Clock),
		logout: session.NewLogout(k.Store, k.Clock),
		me:     profile.NewMe(k.Store, k.Clock),
	}
}

func (w *world) try(t *testing.T, account, pw string) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": account, "password": pw, "captcha": w.Solve()}})
}

func (w *world) getMe(t *testing.T, tok string) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok})
}

func TestLogin(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	w.Env.Calls.Reset()
	res := w.try(t, a.Login, testkit.Password)
	if res.Status != 201 || res.Str("role") != "applicant" || res.Str("nextStep") != "complete_profile" {
		t.Fatalf("got %d %v", res.Status, res.Body)
	}
	// Solve put one item; login: the slider, the account, the session.
	if got := w.Env.Calls.String(); got != "DeleteItem=1 GetItem=1 PutItem=2" {
		t.Fatalf("round trips: %s", got)
	}
	raw, err := base64.RawURLEncoding.DecodeString(res.Str("token"))
	if err != nil || len(raw) < 16 {
		t.Fatalf("token %q carries %d bytes (%v), want at least 128 bits", res.Str("token"), len(raw), err)
	}
	exp, err := time.Parse(time.RFC3339, res.Str("expiresAt"))
	if err != nil || !exp.Equal(w.Clock.Now().Add(authn.Lifetime).Truncate(time.Second)) {
		t.Fatalf("expiresAt %q: %v", res.Str("expiresAt"), err)
	}
	me := w.getMe(t, res.Str("token"))
	if me.Status != 200 || me.Str("accountId") != a.AccountID {
		t.Fatalf("me: %d %v", me.Status, me.Body)
	}
	// The table holds the token's hash only.
	if strings.Contains(w.Env.Dump(t), res.Str("token")) {
		t.Fatal("the token is stored in the clear")
	}
}

func TestEachLoginGetsANewToken(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	first := w.try(t, a.Login, testkit.Password).Str("token")
	second := w.try(t, a.Login, testkit.Password).Str("token")
	if first == "" || first == second {
		t.Fatalf("tokens %q %q", first, second)
	}
	for _, tok := range []string{first, second} {
		if res := w.getMe(t, tok); res.Status != 200 {
			t.Fatalf("a login's token stopped working: %d", res.Status)
		}
	}
}

func TestDocumentNumbersMatchCaseInsensitively(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("王五")
	a.Login, a.AccountID = "11010519491231002X", "with-x"
	if err := w.Env.Store.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if res := w.try(t, " 11010519491231002x ", testkit.Password); res.Status != 201 {
		t.Fatalf("lower-case x, padded: %d %v", res.Status, res.Body)
	}
}

func TestWrongAccountAndWrongPasswordLookTheSame(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	wrongPw := w.try(t, a.Login, "Wrong#2026ok")
	unknown := w.try(t, testkit.ResidentID("19800101"), testkit.Password)
	if wrongPw.Status != 401 || wrongPw.Code() != api.CodeLoginFailed {
		t.Fatalf("wrong password: %d %v", wrongPw.Status, wrongPw.Body)
	}
	if unknown.Status != wrongPw.Status || unknown.Raw != wrongPw.Raw {
		t.Fatalf("unknown account %q differs from wrong password %q", unknown.Raw, wrongPw.Raw)
	}
}

func TestFieldsAreRequired(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"password": "x", "captcha": w.Solve()}, "account"},
		{map[string]any{"account": "  ", "password": "x", "captcha": w.Solve()}, "account"},
		{map[string]any{"account": "x", "captcha": w.Solve()}, "password"},
		{map[string]any{"account": "x", "password": "x"}, "captcha"},
	} {
		res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions", Body: c.body})
		if res.Status != 422 || res.Field() != c.field {
			t.Errorf("%v: %d %v", c.body, res.Status, res.Body)
		}
	}
}

func TestOneSliderNeverBuysTwoGuesses(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	answer := w.Solve()
	res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": a.Login, "password": "Wrong#2026ok", "captcha": answer}})
	if res.Code() != api.CodeLoginFailed {
		t.Fatalf("first guess: %d %v", res.Status, res.Body)
	}
	res = apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": a.Login, "password": testkit.Password, "captcha": answer}})
	if res.Status != 400 || res.Code() != api.CodeCaptchaFailed {
		t.Fatalf("second guess on one slider: %d %v", res.Status, res.Body)
	}
	// A failed slider is not a password try.
	bad := w.Solve()
	bad.X += 50
	res = apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": a.Login, "password": "Wrong#2026ok", "captcha": bad}})
	if res.Code() != api.CodeCaptchaFailed || w.Account(a.Login).FailedLogins != 1 {
		t.Fatalf("a failed slider counted a password try: %v, count %d", res.Body, w.Account(a.Login).FailedLogins)
	}
}

func TestFiveWrongPasswordsLockFifteenMinutes(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	for i := 1; i <= 4; i++ {
		if res := w.try(t, a.Login, "Wrong#2026ok"); res.Status != 401 {
			t.Fatalf("wrong %d: %d %v", i, res.Status, res.Body)
		}
	}
	res := w.try(t, a.Login, "Wrong#2026ok")
	e, _ := res.Body["error"].(map[string]any)
	if res.Status != 423 || res.Code() != api.CodeAccountLocked || e["retryAfter"] != float64(900) || !strings.Contains(res.Message(), "2026-11-27 10:15:00") {
		t.Fatalf("fifth wrong: %d %v", res.Status, res.Body)
	}
	// Locked: even the right password is refused, without counting.
	w.Clock.Advance(14*time.Minute + 59*time.Second)
	if res := w.try(t, a.Login, testkit.Password); res.Status != 423 || res.Headers["Retry-After"] != "1" {
		t.Fatalf("right password while locked: %d %v", res.Status, res.Headers)
	}
	w.Clock.Advance(time.Second)
	if res := w.try(t, a.Login, testkit.Password); res.Status != 201 {
		t.Fatalf("right password after 15 minutes: %d %v", res.Status, res.Body)
	}
	if got := w.Account(a.Login).FailedLogins; got != 0 {
		t.Fatalf("count after the lock and a success: %d", got)
	}
}

func TestASuccessResetsTheCount(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	for round := 0; round < 2; round++ {
		for i := 0; i < 4; i++ {
			w.try(t, a.Login, "Wrong#2026ok")
		}
		if res := w.try(t, a.Login, testkit.Password); res.Status != 201 {
			t.Fatalf("round %d: right password after 4 wrong: %d %v", round, res.Status, res.Body)
		}
	}
	if got := w.Account(a.Login).FailedLogins; got != 0 {
		t.Fatalf("count %d after a success", got)
	}
}

func TestConcurrentWrongPasswordsLockOnce(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.Env.Faults.Set(fault)
			a := w.Applicant("张三")
			answers := make([]any, 12)
			for i := range answers {
				answers[i] = w.Solve()
			}
			results := testkit.Race(12, func(i int) apitest.Result {
				return apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
					Body: map[string]any{"account": a.Login, "password": "Wrong#2026ok", "captcha": answers[i]}})
			})
			failed, locked := 0, 0
			for _, r := range results {
				switch r.Code() {
				case api.CodeLoginFailed:
					failed++
				case api.CodeAccountLocked:
					locked++
				default:
					t.Errorf("unexpected %d %v", r.Status, r.Body)
				}
			}
			// Exactly four were counted as plain failures; the fifth locked, the rest found it locked.
			if failed != session.MaxFailures-1 || locked != 12-failed {
				t.Fatalf("%d failed, %d locked", failed, locked)
			}
			acct := w.Account(a.Login)
			if _, isLocked := acct.Locked(w.Clock.Now()); !isLocked {
				t.Fatal("twelve wrong passwords did not lock the account")
			}
			if res := w.try(t, a.Login, testkit.Password); res.Status != 423 {
				t.Fatalf("right password after the race: %d", res.Status)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.try(t, a.Login, testkit.Password).Str("token")
	if res := apitest.Call(t, w.logout, apitest.Request{Method: "DELETE", Path: "/v1/sessions/current", Token: tok}); res.Status != 204 || res.Raw != "" {
		t.Fatalf("logout: %d %q", res.Status, res.Raw)
	}
	if res := w.getMe(t, tok); res.Status != 401 || res.Code() != api.CodeUnauthenticated {
		t.Fatalf("me after logout: %d %v", res.Status, res.Body)
	}
	if res := apitest.Call(t, w.logout, apitest.Request{Method: "DELETE", Path: "/v1/sessions/current", Token: tok}); res.Status != 401 {
		t.Fatalf("second logout: %d", res.Status)
	}
	if res := apitest.Call(t, w.logout, apitest.Request{Method: "DELETE", Path: "/v1/sessions/current"}); res.Status != 401 {
		t.Fatalf("logout without a token: %d", res.Status)
	}
}

func TestSessionLifetimeAndIdleTimeout(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.try(t, a.Login, testkit.Password).Str("token")
	// Used every 29 minutes, it lives its 12 hours and not a second more.
	start := w.Clock.Now()
	for w.Clock.Now().Add(29 * time.Minute).Before(start.Add(authn.Lifetime)) {
		w.Clock.Advance(29 * time.Minute)
		if res := w.getMe(t, tok); res.Status != 200 {
			t.Fatalf("at %v: %d", w.Clock.Now().Sub(start), res.Status)
		}
	}
	w.Clock.Set(start.Add(authn.Lifetime))
	if res := w.getMe(t, tok); res.Status != 401 {
		t.Fatalf("at 12 hours: %d", res.Status)
	}

	tok = w.try(t, a.Login, testkit.Password).Str("token")
	w.Clock.Advance(authn.IdleTimeout)
	if res := w.getMe(t, tok); res.Status != 401 {
		t.Fatalf("after 30 idle minutes: %d", res.Status)
	}
}

func TestBadTokens(t *testing.T) {
	w := newWorld(t)
	for _, tok := range []string{"", "nope", strings.Repeat("a", 200)} {
		if res := w.getMe(t, tok); res.Status != 401 || res.Code() != api.CodeUnauthenticated {
			t.Errorf("%q: %d %v", tok, res.Status, res.Body)
		}
	}
}

func TestRolesRefuseEachOther(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	if err := reviewer.Create(context.Background(), w.Env.Store, "li.reviewer", "李审核", "Reviewer#2026", w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	rev := w.try(t, "LI.Reviewer", "Reviewer#2026")
	if rev.Status != 201 || rev.Str("role") != "reviewer" || rev.Str("nextStep") != "none" {
		t.Fatalf("reviewer login: %d %v", rev.Status, rev.Body)
	}
	app := w.try(t, a.Login, testkit.Password).Str("token")
	if res := w.getMe(t, rev.Str("token")); res.Status != 403 || res.Code() != api.CodeForbidden {
		t.Fatalf("reviewer on an applicant route: %d %v", res.Status, res.Body)
	}
	reviewerOnly := w.gate.Reviewer(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		return api.JSON(200, map[string]string{"login": p.Account.Login}), nil
	})
	if res := apitest.Call(t, reviewerOnly, apitest.Request{Method: "GET", Path: "/v1/reviews", Token: app, Unlisted: true}); res.Status != 403 || res.Code() != api.CodeForbidden {
		t.Fatalf("applicant on a reviewer route: %d %v", res.Status, res.Body)
	}
	if res := apitest.Call(t, reviewerOnly, apitest.Request{Method: "GET", Path: "/v1/reviews", Token: rev.Str("token"), Unlisted: true}); res.Status != 200 {
		t.Fatalf("reviewer on a reviewer route: %d %v", res.Status, res.Body)
	}
	// Logout works for both.
	for _, tok := range []string{app, rev.Str("token")} {
		if res := apitest.Call(t, w.logout, apitest.Request{Method: "DELETE", Path: "/v1/sessions/current", Token: tok}); res.Status != 204 {
			t.Fatalf("logout: %d", res.Status)
		}
	}
}

// An unknown account must cost what a known one does: compare the two with
// go test -bench Login ./shared/session/
func BenchmarkLogin(b *testing.B) {
	k := testkit.New(b)
	h := session.NewLogin(k.Store, k.Clock)
	a := k.Applicant("张三")
	for _, c := range []struct{ name, account, want string }{
		{"known-account", a.Login, ""},
		{"unknown-account", testkit.ResidentID("19700101"), api.CodeLoginFailed},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res := apitest.Call(b, h, apitest.Request{Method: "POST", Path: "/v1/sessions",
					Body: map[string]any{"account": c.account, "password": testkit.Password, "captcha": k.Solve()}})
				if res.Code() != c.want {
					b.Fatalf("got %d %v", res.Status, res.Body)
				}
			}
		})
	}
}

// A login whose session could not be written for a busy store is a 503 that gives the slider
// back: the same request, slider and all, then logs in.
func TestABusyStoreSpendsNoSlider(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	if res := w.try(t, a.Login, "Wrong#2026ok"); res.Code() != api.CodeLoginFailed {
		t.Fatalf("wrong password: %v", res.Body) // a count to clear: the login is a transaction
	}
	body := map[string]any{"account": a.Login, "password": testkit.Password, "captcha": w.Solve()}
	w.Env.Faults.Set(storetest.ConflictAlways)
	res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions", Body: body})
	if res.Status != 503 || res.Code() != api.CodeUnavailable || res.RetryAfter() < 1 {
		t.Fatalf("busy login: %d %v", res.Status, res.Body)
	}
	w.Env.Faults.Set(storetest.NoFault)
	if res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions", Body: body}); res.Status != 201 {
		t.Fatalf("the same login once the store is free: %d %v", res.Status, res.Body)
	}
}
