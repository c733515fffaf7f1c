package session_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/reviewer"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/pquerna/otp/totp"
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
		login:  session.NewLogin(k.Store, k.Operators, k.Clock),
		logout: session.NewLogout(k.Store, k.Clock),
		me:     profile.NewMe(k.Store, k.Clock),
	}
}

func (w *world) try(t *testing.T, account, pw string) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": account, "password": pw, "captcha": w.Solve()}})
}

// reviewer logs in with a second-factor code, from an address.
func (w *world) reviewer(t *testing.T, account, pw, otp, from string) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions", From: from,
		Body: map[string]any{"account": account, "password": pw, "captcha": w.Solve(), "otp": otp}})
}

// code is the reviewers' second-factor code at the kit's clock, steps periods on.
func (w *world) code(steps int) string {
	c, err := totp.GenerateCode(testkit.OTPSecret, w.Clock.Now().Add(time.Duration(steps)*session.Period))
	if err != nil {
		panic(err)
	}
	return c
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
	// The slider spent with the guard's count (one transaction), the account read with them;
	// then the session and the guard's new count in one transaction: two round trips.
	if got := w.Env.Calls.String(); got != "GetItem=1 TransactWriteItems=2" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	// 256 random bits, then the login sealed: the number cannot be read from the token.
	random, sealed, _ := strings.Cut(res.Str("token"), ".")
	raw, err := base64.RawURLEncoding.DecodeString(random)
	if err != nil || len(raw) < 32 {
		t.Fatalf("token %q carries %d random bytes (%v), want 256 bits", res.Str("token"), len(raw), err)
	}
	box, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || strings.Contains(string(box), a.Login) || strings.Contains(res.Str("token"), a.Login) {
		t.Fatalf("the seal %q shows the login (%v)", sealed, err)
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
		// Before it becomes a key: DynamoDB refuses keys over 2,048 bytes.
		{map[string]any{"account": strings.Repeat("A", session.MaxAccountLength+1), "password": "x", "captcha": w.Solve()}, "account"},
		{map[string]any{"account": strings.Repeat("中", 3000), "password": "x", "captcha": w.Solve()}, "account"},
	} {
		res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions", Body: c.body})
		if res.Status != 422 || res.Field() != c.field {
			t.Errorf("%v: %d %v", c.body, res.Status, res.Body)
		}
	}
}

func TestTheLongestAccountNameIsAName(t *testing.T) {
	w := newWorld(t)
	res := w.try(t, strings.Repeat("中", session.MaxAccountLength), "Wrong#2026")
	if res.Status != 401 || res.Code() != api.CodeLoginFailed {
		t.Fatalf("%d %v", res.Status, res.Body)
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
	if res.Code() != api.CodeCaptchaFailed {
		t.Fatalf("a failed slider: %v", res.Body)
	}
	for i := 2; i <= 4; i++ { // the first wrong password counted, the failed slider did not
		if res := w.try(t, a.Login, "Wrong#2026ok"); res.Code() != api.CodeLoginFailed {
			t.Fatalf("wrong password %d: %d %v: the failed slider was counted", i, res.Status, res.Body)
		}
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
	for i := 1; i <= 4; i++ { // the lock and the success started the count again
		if res := w.try(t, a.Login, "Wrong#2026ok"); res.Code() != api.CodeLoginFailed {
			t.Fatalf("wrong %d after the lock: %d %v", i, res.Status, res.Body)
		}
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
	for i := 1; i <= 4; i++ {
		if res := w.try(t, a.Login, "Wrong#2026ok"); res.Code() != api.CodeLoginFailed {
			t.Fatalf("wrong %d after a success: %d %v", i, res.Status, res.Body)
		}
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
			compares := session.CountCompares(t)
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
			if n := compares.Load(); n != session.MaxFailures {
				t.Fatalf("%d passwords compared in a burst of 12", n)
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
	if err := reviewer.Create(context.Background(), w.Env.Store, "li.reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	rev := w.reviewer(t, "LI.Reviewer", "Reviewer#2026", w.code(0), "")
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
	h := session.NewLogin(k.Store, k.Operators, k.Clock)
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

// Counted before the compare: of 19 wrong passwords and the right one sent at once, five are
// admitted; the right one, if it is not among them, is told the account is locked, never
// that the password is wrong, and then no more than those five were compared. (If it is
// among them it logs in, and its success starts the count again, as any success does.)
func TestABurstOfGuessesGetsFiveCompared(t *testing.T) {
	for round := 0; round < 4; round++ {
		w := newWorld(t)
		a := w.Applicant("张三")
		answers := make([]any, 20)
		for i := range answers {
			answers[i] = w.Solve()
		}
		right := round * 5 // the right password's place in the burst
		compares := session.CountCompares(t)
		results := testkit.Race(20, func(i int) apitest.Result {
			pw := "Wrong#2026ok"
			if i == right {
				pw = testkit.Password
			}
			return apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
				Body: map[string]any{"account": a.Login, "password": pw, "captcha": answers[i]}})
		})
		wrong, in := 0, false
		for i, r := range results {
			switch {
			case i == right && r.Status == 201:
				in = true
			case i == right && r.Code() != api.CodeAccountLocked:
				t.Fatalf("round %d: the right password: %d %v", round, r.Status, r.Body)
			case i != right && r.Code() == api.CodeLoginFailed:
				wrong++
			case i != right && r.Code() != api.CodeAccountLocked:
				t.Fatalf("round %d, guess %d: %d %v", round, i, r.Status, r.Body)
			}
		}
		// Of the five admitted, the one counted fifth locks, if wrong, and says so; the others
		// wrong are answered LOGIN_FAILED. (A right one among them that lost the race to that
		// lock is told the account is locked.)
		if !in && wrong > session.MaxFailures-1 {
			t.Fatalf("round %d: %d wrong passwords compared and answered LOGIN_FAILED in a burst of 20", round, wrong)
		}
		// Five compared at most; a success among them starts the count again, once.
		limit := int64(session.MaxFailures)
		if in {
			limit *= 2
		}
		if n := compares.Load(); n > limit || n < int64(session.MaxFailures) {
			t.Fatalf("round %d: %d passwords compared in a burst of 20 (right one in: %v)", round, n, in)
		}
	}
}

// A name no account has locks exactly as a registered one: the same answers, in the same
// order, the same round trips.
func TestUnknownAccountsLockAlike(t *testing.T) {
	w := newWorld(t)
	known := w.Applicant("张三").Login
	unknown := testkit.ResidentID("19800101")
	var trips [2][]string
	var answers [2][]string
	for i, name := range []string{known, unknown} {
		for try := 1; try <= 6; try++ {
			a := w.Solve()
			w.Env.Calls.Reset()
			res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
				Body: map[string]any{"account": name, "password": "Wrong#2026ok", "captcha": a}})
			trips[i] = append(trips[i], w.Env.Calls.String())
			answers[i] = append(answers[i], fmt.Sprintf("%d %s %s %d", res.Status, res.Code(), res.Message(), res.RetryAfter()))
		}
	}
	if !slices.Equal(answers[0], answers[1]) || !slices.Equal(trips[0], trips[1]) {
		t.Fatalf("a registered and an unknown name differ:\n%v\n%v\n%v\n%v", answers[0], answers[1], trips[0], trips[1])
	}
	if !strings.HasPrefix(answers[1][4], "423 ACCOUNT_LOCKED") || !strings.HasPrefix(answers[1][3], "401 LOGIN_FAILED") {
		t.Fatalf("an unknown name: %v", answers[1])
	}
}

// Reviewers see applicants' ID photos: a password alone does not let one in, a code is good
// once, and five wrong passwords from outside lock only that address, never the reviewer.
func TestReviewersNeedTheSecondFactorAndLockPerAddress(t *testing.T) {
	w := newWorld(t)
	if err := reviewer.Create(context.Background(), w.Env.Store, "li.reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	const office, outside = "10.0.0.8", "203.0.113.9"
	for _, c := range []struct{ what, otp string }{{"no code", ""}, {"a wrong code", "000000"}, {"an old code", w.code(-2)}} {
		if res := w.reviewer(t, "li.reviewer", "Reviewer#2026", c.otp, office); res.Code() != api.CodeLoginFailed {
			t.Fatalf("%s: %d %v", c.what, res.Status, res.Body)
		}
	}
	w.Env.Calls.Reset()
	if res := w.reviewer(t, "li.reviewer", "Reviewer#2026", w.code(0), office); res.Status != 201 {
		t.Fatalf("password and code: %d %v", res.Status, res.Body)
	}
	// As an applicant's: the admission with the account read, then the session in a
	// transaction that also holds the day's wrong codes under the limit and the code's step.
	if got := w.Env.Calls.String(); got != "GetItem=1 TransactWriteItems=2" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("a reviewer's login: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	if res := w.reviewer(t, "li.reviewer", "Reviewer#2026", w.code(0), office); res.Code() != api.CodeLoginFailed {
		t.Fatalf("the same code twice: %d %v", res.Status, res.Body)
	}
	for i := 1; i <= session.MaxFailures; i++ {
		w.reviewer(t, "li.reviewer", "Wrong#2026ok", "", outside)
	}
	if res := w.reviewer(t, "li.reviewer", "Reviewer#2026", w.code(1), outside); res.Code() != api.CodeAccountLocked {
		t.Fatalf("the address that guessed: %d %v", res.Status, res.Body)
	}
	if res := w.reviewer(t, "li.reviewer", "Reviewer#2026", w.code(1), office); res.Status != 201 {
		t.Fatalf("the reviewer from the office while the outside address is locked: %d %v", res.Status, res.Body)
	}
}

// A reviewer's password lock is per address, so a password holder with many addresses could
// otherwise guess codes without end: after a right password, wrong codes are counted per
// reviewer and day before they are answered; the tenth ends the day's logins, with the wrong
// password's answer, and the operators are told once. Right codes count nothing, and an
// operator's new enrolment lets the reviewer in the same day.
func TestAReviewersCodesAreGuessedTenTimesADayAtMost(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if err := reviewer.Create(ctx, w.Env.Store, "li.reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var tok string
	for i := 0; i < 2*session.SecondFactorTriesPerDay; i++ { // right codes: a busy day's logins
		w.Clock.Advance(session.Period)
		res := w.reviewer(t, "li.reviewer", "Reviewer#2026", w.code(0), "10.0.0.8")
		if res.Status != 201 {
			t.Fatalf("login %d with the right code: %d %v", i, res.Status, res.Body)
		}
		tok = res.Str("token")
	}
	results := testkit.Race(2*session.SecondFactorTriesPerDay, func(i int) apitest.Result {
		return w.reviewer(t, "li.reviewer", "Reviewer#2026", "000000", fmt.Sprintf("198.51.100.%d", i))
	})
	for i, r := range results {
		if r.Code() != api.CodeLoginFailed {
			t.Fatalf("wrong code %d: %d %v", i, r.Status, r.Body)
		}
	}
	w.Clock.Advance(session.Period)
	if res := w.reviewer(t, "li.reviewer", "Reviewer#2026", w.code(0), "10.0.0.8"); res.Code() != api.CodeLoginFailed {
		t.Fatalf("the right code after the day's guesses: %d %v", res.Status, res.Body)
	}
	told := w.Operators.Messages()
	if len(told) != 1 || !strings.Contains(told[0], "LI.REVIEWER") || strings.Contains(told[0], testkit.OTPSecret) {
		t.Fatalf("the operators were told %d times: %q", len(told), told)
	}
	if res := w.getMe(t, tok); res.Status != 403 {
		t.Fatalf("a reviewer's session on an applicant's route: %d", res.Status)
	}
	// The operator gives a new password and second factor: the reviewer is in today, and
	// every session of the old credentials has ended.
	const fresh = "JBSWY3DPEHPK3PXPJBSWY3DP"
	if err := reviewer.Enroll(ctx, w.Env.Store, "li.reviewer", "Reviewer#2027", fresh, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(fresh, w.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res := w.reviewer(t, "li.reviewer", "Reviewer#2027", code, "10.0.0.8"); res.Status != 201 {
		t.Fatalf("after a new enrolment: %d %v", res.Status, res.Body)
	}
	if res := w.getMe(t, tok); res.Status != 401 {
		t.Fatalf("a session of the old credentials: %d", res.Status)
	}
}

// A right code racing the day's last wrong one: a code's judgement is answered only once it
// is counted (a wrong one) or the day's count is checked in the session's transaction (a
// right one), so whichever lands first decides, the day ends exactly full, and no code is let
// in afterwards; round after round, under DynamoDB's conflicts too.
func TestARightCodeRacingTheDaysLastGuess(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.Env.Faults.Set(fault)
			if err := reviewer.Create(t.Context(), w.Env.Store, "li.reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, w.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			won := 0
			for round := range 4 {
				w.Clock.Advance(24 * time.Hour)
				for i := 1; i < session.SecondFactorTriesPerDay; i++ {
					if res := w.reviewer(t, "li.reviewer", "Reviewer#2026", "000000", fmt.Sprintf("192.0.%d.%d", round, i)); res.Code() != api.CodeLoginFailed {
						t.Fatalf("round %d, wrong code %d: %d %v", round, i, res.Status, res.Body)
					}
				}
				codes := []string{w.code(0), "000000"}
				results := testkit.Race(len(codes), func(i int) apitest.Result {
					return w.reviewer(t, "li.reviewer", "Reviewer#2026", codes[i], fmt.Sprintf("198.51.%d.%d", round, i))
				})
				if results[0].Status == 201 {
					won++
				} else if results[0].Code() != api.CodeLoginFailed {
					t.Fatalf("round %d, the right code: %d %v", round, results[0].Status, results[0].Body)
				}
				if results[1].Code() != api.CodeLoginFailed {
					t.Fatalf("round %d, the wrong code: %d %v", round, results[1].Status, results[1].Body)
				}
				w.Clock.Advance(session.Period)
				if res := w.reviewer(t, "li.reviewer", "Reviewer#2026", w.code(0), "10.0.0.8"); res.Code() != api.CodeLoginFailed {
					t.Fatalf("round %d, the right code once the day is full: %d %v", round, res.Status, res.Body)
				}
			}
			t.Logf("the right code came first in %d of 4 rounds", won)
			if told := w.Operators.Messages(); len(told) != 4 {
				t.Fatalf("the operators were told %d times in 4 full days", len(told))
			}
		})
	}
}

// inOrder is a store whose second-factor count or session start waits for a signal, or
// gives one when it is done: it puts a right and a wrong code in an order of the test's.
type inOrder struct {
	*store.Store
	wait, done chan struct{}
}

func (o inOrder) pass(f func() error) error {
	if o.wait != nil {
		<-o.wait
	}
	err := f()
	if o.done != nil {
		close(o.done)
	}
	return err
}

func (o inOrder) StartSession(ctx context.Context, tokenHash string, s account.Session, in store.Login, now time.Time) error {
	return o.pass(func() error { return o.Store.StartSession(ctx, tokenHash, s, in, now) })
}

func (o inOrder) CountSecondFactor(ctx context.Context, login, day string, max int, expires time.Time) error {
	return o.pass(func() error { return o.Store.CountSecondFactor(ctx, login, day, max, expires) })
}

// With one wrong code left in the day, a right code and a wrong one in flight together: the
// one whose write lands first decides. The right code first is let in and the wrong one
// fills the day; the wrong one first fills the day and the right one is refused as wrong.
func TestTheDaysLastTryGoesToWhicheverCodeLandsFirst(t *testing.T) {
	for _, rightFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("right code first: %v", rightFirst), func(t *testing.T) {
			w := newWorld(t)
			if err := reviewer.Create(t.Context(), w.Env.Store, "li.reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, w.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			for i := 1; i < session.SecondFactorTriesPerDay; i++ {
				w.reviewer(t, "li.reviewer", "Reviewer#2026", "000000", fmt.Sprintf("192.0.2.%d", i))
			}
			landed := make(chan struct{})
			right, wrong := inOrder{Store: w.Env.Store, done: landed}, inOrder{Store: w.Env.Store, wait: landed}
			if !rightFirst {
				right, wrong = inOrder{Store: w.Env.Store, wait: landed}, inOrder{Store: w.Env.Store, done: landed}
			}
			stores := []inOrder{right, wrong}
			codes := []string{w.code(0), "000000"}
			bodies := make([]map[string]any, 2)
			for i := range bodies {
				bodies[i] = map[string]any{"account": "li.reviewer", "password": "Reviewer#2026", "captcha": w.Solve(), "otp": codes[i]}
			}
			results := testkit.Race(2, func(i int) apitest.Result {
				return apitest.Call(t, session.NewLogin(stores[i], w.Operators, w.Clock), apitest.Request{
					Method: "POST", Path: "/v1/sessions", From: fmt.Sprintf("198.51.100.%d", i), Body: bodies[i]})
			})
			if want := map[bool]int{true: 201, false: 401}[rightFirst]; results[0].Status != want {
				t.Fatalf("the right code: %d %v, want %d", results[0].Status, results[0].Body, want)
			}
			if results[1].Code() != api.CodeLoginFailed {
				t.Fatalf("the wrong code: %d %v", results[1].Status, results[1].Body)
			}
			w.Clock.Advance(session.Period)
			if res := w.reviewer(t, "li.reviewer", "Reviewer#2026", w.code(0), "10.0.0.8"); res.Code() != api.CodeLoginFailed {
				t.Fatalf("the right code once the day is full: %d %v", res.Status, res.Body)
			}
		})
	}
}

// lockingMeanwhile locks the login's guard just before its session is written: a wrong
// password of the same guard's, counted earlier, locked it while this one was checked.
type lockingMeanwhile struct {
	*store.Store
	env *storetest.Env
}

func (l lockingMeanwhile) StartSession(ctx context.Context, tokenHash string, s account.Session, in store.Login, now time.Time) error {
	if err := l.env.Lock(ctx, in.Guard, now.Add(session.LockFor)); err != nil {
		return err
	}
	return l.Store.StartSession(ctx, tokenHash, s, in, now)
}

// On a full day a right code is answered as a wrong one, even when a lock began on the
// address while it was checked, which alone says 423: the answer never tells a right code
// that the day's count did not admit.
func TestAFullDayAnswersARightCodeAsAWrongOneWhateverElseHappened(t *testing.T) {
	w := newWorld(t)
	if err := reviewer.Create(t.Context(), w.Env.Store, "li.reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < session.SecondFactorTriesPerDay; i++ {
		w.reviewer(t, "li.reviewer", "Reviewer#2026", "000000", fmt.Sprintf("192.0.2.%d", i))
	}
	login := session.NewLogin(lockingMeanwhile{w.Env.Store, w.Env}, w.Operators, w.Clock)
	for i, code := range []string{w.code(0), "000000"} {
		res := apitest.Call(t, login, apitest.Request{Method: "POST", Path: "/v1/sessions", From: fmt.Sprintf("203.0.113.%d", i),
			Body: map[string]any{"account": "li.reviewer", "password": "Reviewer#2026", "captcha": w.Solve(), "otp": code}})
		if res.Code() != api.CodeLoginFailed {
			t.Fatalf("code %d on a full day with a lock begun meanwhile: %d %v", i, res.Status, res.Body)
		}
	}
}

// A guess that was compared never comes back for free: when the lock it should set cannot be
// written (a busy store), the answer is 503, but its slider stays spent and its attempt
// counted, so resending it is no new guess.
func TestAComparedGuessIsNeverGivenBack(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	for i := 1; i < session.MaxFailures; i++ {
		w.try(t, a.Login, "Wrong#2026ok")
	}
	body := map[string]any{"account": a.Login, "password": "Wrong#2026ok", "captcha": w.Solve()}
	w.Env.Faults.ThrottleWhere(func(target string, body []byte) bool {
		return target == "UpdateItem" && bytes.Contains(body, []byte("lockedUntil = :until"))
	})
	res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions", Body: body})
	if res.Status != 503 {
		t.Fatalf("the fifth wrong password with the lock unwritable: %d %v", res.Status, res.Body)
	}
	w.Env.Faults.Set(storetest.NoFault)
	if res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions", Body: body}); res.Code() != api.CodeCaptchaFailed {
		t.Fatalf("the same guess again: %d %v", res.Status, res.Body)
	}
	if res := w.try(t, a.Login, testkit.Password); res.Code() != api.CodeAccountLocked {
		t.Fatalf("the right password after five counted guesses: %d %v", res.Status, res.Body)
	}
}

// The sixth concurrent guess is never compared: with five attempts counted and still being
// checked, even the right password is told the account is locked.
func TestTheSixthGuessInFlightIsNeverCompared(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	for i := 1; i <= session.MaxFailures; i++ { // five guesses admitted, not yet answered
		if n, _, err := w.Env.Admit(t.Context(), a.Login, w.Clock.Now(), session.MaxFailures, session.LockFor); err != nil || n != i {
			t.Fatalf("admission %d: %d, %v", i, n, err)
		}
	}
	if res := w.try(t, a.Login, testkit.Password); res.Code() != api.CodeAccountLocked {
		t.Fatalf("the right password as the sixth guess in flight: %d %v", res.Status, res.Body)
	}
}

// A read is one round trip: the session and the account in one batch (the counters sent
// with it). The idle deadline is written at most once in five minutes.
func TestAReadIsOneRoundTripAndTheIdleDeadlineSlidesLazily(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.try(t, a.Login, testkit.Password).Str("token")
	for i, wait := range []time.Duration{0, time.Minute, 3 * time.Minute} {
		w.Clock.Advance(wait)
		w.Env.Calls.Reset()
		if res := w.getMe(t, tok); res.Status != 200 {
			t.Fatalf("read %d: %d", i, res.Status)
		}
		if got := w.Env.Calls.String(); got != "BatchGetItem=2" || w.Env.Calls.Trips() != 1 {
			t.Fatalf("read %d: %s in %d round trips", i, got, w.Env.Calls.Trips())
		}
	}
	// Past five minutes since the deadline was written, the read moves it on: one write more.
	w.Clock.Advance(2 * time.Minute)
	w.Env.Calls.Reset()
	if res := w.getMe(t, tok); res.Status != 200 {
		t.Fatalf("read after 6 minutes: %d", res.Status)
	}
	if got := w.Env.Calls.String(); got != "BatchGetItem=2 UpdateItem=1" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("the slide: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	slid := w.Clock.Now()
	// The deadline is now 30 minutes from the slide: the request 4 minutes later did not move it.
	w.Clock.Advance(4 * time.Minute)
	if res := w.getMe(t, tok); res.Status != 200 {
		t.Fatalf("4 minutes after the slide: %d", res.Status)
	}
	w.Clock.Set(slid.Add(authn.IdleTimeout - time.Second))
	if res := w.getMe(t, tok); res.Status != 200 {
		t.Fatalf("a second before the deadline: %d", res.Status)
	}
	// That request slid it (its deadline was due within 25 minutes): idle for 30 more, it ends.
	w.Clock.Advance(authn.IdleTimeout)
	if res := w.getMe(t, tok); res.Status != 401 {
		t.Fatalf("30 idle minutes after the last slide: %d", res.Status)
	}
}

// An idle session ends 25 to 30 minutes after its last request, never later.
func TestAnIdleSessionEndsWithinThirtyMinutesOfItsLastRequest(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.try(t, a.Login, testkit.Password).Str("token")
	w.Clock.Advance(authn.SlideEvery - time.Second) // not slid: the last request's deadline stays
	if res := w.getMe(t, tok); res.Status != 200 {
		t.Fatalf("%d", res.Status)
	}
	last := w.Clock.Now()
	w.Clock.Set(last.Add(authn.IdleTimeout - authn.SlideEvery + time.Second))
	if res := w.getMe(t, tok); res.Status != 401 {
		t.Fatalf("%v after the last request: %d", w.Clock.Now().Sub(last), res.Status)
	}
}

// A token issued before tokens named their account (a random string, no seal) works until its
// session ends: its session is read first, then its account.
func TestATokenIssuedBeforeTheSealStillWorks(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	old := w.TokenBeforeTheSeal(a)
	w.Env.Calls.Reset()
	if res := w.getMe(t, old); res.Status != 200 || res.Str("accountId") != a.AccountID {
		t.Fatalf("an old token: %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 GetItem=2" || w.Env.Calls.Trips() != 3 {
		t.Fatalf("an old token: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	w.Clock.Advance(authn.IdleTimeout)
	if res := w.getMe(t, old); res.Status != 401 {
		t.Fatalf("an old token idle for 30 minutes: %d", res.Status)
	}
}

// A seal that does not open is refused before the table is asked: forged tokens cost nothing.
// Neither a seal moved onto another token's random part nor one made under another key opens.
func TestAForgedSealIsRefusedWithoutARead(t *testing.T) {
	w := newWorld(t)
	a, b := w.Applicant("张三"), w.Applicant("李四")
	ta := w.try(t, a.Login, testkit.Password).Str("token")
	tb := w.try(t, b.Login, testkit.Password).Str("token")
	randomA, _, _ := strings.Cut(ta, ".")
	_, sealB, _ := strings.Cut(tb, ".")
	other := w.Env.Store.WithSealKey([]byte("another deployment's key")).NewSessionToken(a.Login, a.Epoch)
	for name, tok := range map[string]string{
		"b's seal on a's token": randomA + "." + sealB,
		"another key's seal":    other,
		"no seal":               randomA + ".",
		"a short random part":   "abc." + sealB,
		"not base64":            randomA + ".!!!",
	} {
		w.Env.Calls.Reset()
		if res := w.getMe(t, tok); res.Status != 401 || res.Code() != api.CodeUnauthenticated {
			t.Errorf("%s: %d %v", name, res.Status, res.Body)
		}
		if got := w.Env.Calls.String(); got != "" {
			t.Errorf("%s reached the table: %s", name, got)
		}
	}
}

// A slider used already is refused in the transaction that would count the attempt: replays
// never reach the login's guard, so they can neither lock it nor use up its five tries.
func TestAReplayedSliderNeverCountsAnAttempt(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	used := w.Solve()
	if res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": "110105194912310025", "password": "Wrong-pass1", "captcha": used}}); res.Status != 401 {
		t.Fatalf("first use: %d %v", res.Status, res.Body)
	}
	errs := testkit.Race(12, func(int) error {
		res := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
			Body: map[string]any{"account": a.Login, "password": "Wrong-pass1", "captcha": used}})
		if res.Status != 400 || res.Code() != api.CodeCaptchaFailed {
			return fmt.Errorf("replay: %d %v", res.Status, res.Body)
		}
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < session.MaxFailures-1; i++ {
		if res := w.try(t, a.Login, "Wrong-pass1"); res.Status != 401 {
			t.Fatalf("wrong password %d after the replays: %d %v", i+1, res.Status, res.Body)
		}
	}
	if res := w.try(t, a.Login, testkit.Password); res.Status != 201 {
		t.Fatalf("the right password after four wrong ones and twelve replays: %d %v", res.Status, res.Body)
	}
}

// panickyAccounts is the store with an account read that panics, as a bug would.
type panickyAccounts struct{ *store.Store }

func (panickyAccounts) GetAccount(context.Context, string) (account.Account, error) {
	panic("the account read went wrong")
}

// A panic in a read sent alongside (on a goroutine of its own) is the request's: it ends as
// a 500 through the handler's recovery, and the process serving other requests lives on.
func TestAPanicInAReadSentAlongsideIsTheRequestsOwn(t *testing.T) {
	k := testkit.New(t)
	a := k.Applicant("张三")
	logs := testkit.CaptureLogs(t)
	h := session.NewLogin(panickyAccounts{k.Store}, k.Operators, k.Clock)
	res := apitest.Call(t, h, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": a.Login, "password": testkit.Password, "captcha": k.Solve()}})
	if res.Status != 500 || res.Code() != api.CodeInternal {
		t.Fatalf("%d %v", res.Status, res.Body)
	}
	if !strings.Contains(logs.String(), "the account read went wrong") {
		t.Fatalf("the panic is not logged:\n%s", logs)
	}
}
