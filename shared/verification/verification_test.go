package verification_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/idv"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/verification"
)

type world struct {
	*testkit.Kit
	h        api.HandlerFunc
	me       api.HandlerFunc
	business api.HandlerFunc
}

// guideURL is where the deployment under test keeps the CTID guide.
const guideURL = "https://guide.example.cn/ctid.pdf"

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	return &world{Kit: k,
		h:  verification.NewVerify(k.Store, idv.Simulator{}, k.Clock, guideURL),
		me: profile.NewMe(k.Store, k.Clock),
		business: authn.NewGate(k.Store, k.Clock).Business(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
			return api.JSON(200, map[string]string{"ok": "yes"}), nil
		}),
	}
}

func (w *world) verify(t *testing.T, tok string) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.h, apitest.Request{Method: "POST", Path: "/v1/me/verifications", Token: tok})
}

func TestPassAndTheBusinessGate(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	// Before the profile nothing but profile, me and logout works.
	if res := w.verify(t, tok); res.Status != 403 || res.Code() != api.CodeProfileIncomplete {
		t.Fatalf("before the profile: %d %v", res.Status, res.Body)
	}
	if res := apitest.Call(t, w.business, apitest.Request{Method: "POST", Path: "/v1/applications", Token: tok, Unlisted: true}); res.Code() != api.CodeProfileIncomplete {
		t.Fatalf("business before the profile: %d %v", res.Status, res.Body)
	}
	w.Profiled(a)
	if res := apitest.Call(t, w.business, apitest.Request{Method: "POST", Path: "/v1/applications", Token: tok, Unlisted: true}); res.Status != 403 || res.Code() != api.CodeVerificationRequired {
		t.Fatalf("business before verification: %d %v", res.Status, res.Body)
	}
	w.Env.Calls.Reset()
	res := w.verify(t, tok)
	if res.Status != 200 || res.Str("result") != "passed" || res.Int("remainingToday") != 2 || res.Body["guidance"] != nil || res.Body["guideUrl"] != nil {
		t.Fatalf("verify: %d %v", res.Status, res.Body)
	}
	// The session and the account, with the day's try counted alongside; the result.
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 UpdateItem=2" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	if got := w.Account(a.Login).Verification.Status; got != account.StatusVerified {
		t.Fatalf("status %s", got)
	}
	if res := apitest.Call(t, w.business, apitest.Request{Method: "POST", Path: "/v1/applications", Token: tok, Unlisted: true}); res.Status != 200 {
		t.Fatalf("business after verification: %d %v", res.Status, res.Body)
	}
	me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok})
	v := me.Body["verification"].(map[string]any)
	if me.Str("nextStep") != "none" || v["status"] != "verified" || v["remainingToday"] != float64(2) {
		t.Fatalf("me: %v", me.Body)
	}
}

func TestFailureGuidanceByDocument(t *testing.T) {
	w := newWorld(t)
	resident := w.Profiled(w.Applicant("李四核验失败"))
	res := w.verify(t, w.Token(resident))
	g, _ := res.Body["guidance"].(string)
	if res.Status != 200 || res.Str("result") != "failed" || !strings.Contains(g, "CTID") || !strings.Contains(g, "人工审核") {
		t.Fatalf("resident_id failure: %d %v", res.Status, res.Body)
	}
	// The guide is linked at the deployment's address, in the text and on its own.
	if !strings.Contains(g, "《居民身份证网上功能凭证开通指南》（"+guideURL+"）") || res.Str("guideUrl") != guideURL {
		t.Fatalf("resident_id failure without the guide's link: %v", res.Body)
	}
	acct := w.Account(resident.Login)
	if acct.Verification.Status != account.StatusUnverified || !acct.Verification.OnlineFailed {
		t.Fatalf("after a failure: %+v", acct.Verification)
	}
	permit := w.Profiled(w.ApplicantWith(identity.HKMacauPermit, "H12345678", "陈大文核验失败"))
	res = w.verify(t, w.Token(permit))
	g, _ = res.Body["guidance"].(string)
	if res.Str("result") != "failed" || strings.Contains(g, "CTID") || !strings.Contains(g, "人工审核") || res.Body["guideUrl"] != nil {
		t.Fatalf("permit failure: %v", res.Body)
	}
}

func TestThreeTriesPerDayUnderRace(t *testing.T) {
	w := newWorld(t)
	w.Clock.Set(time.Date(2026, 11, 27, 23, 59, 59, 0, clock.CST))
	a := w.Profiled(w.Applicant("李四核验失败"))
	tok := w.Token(a)
	results := testkit.Race(6, func(int) apitest.Result { return w.verify(t, tok) })
	ran, refused := 0, 0
	for _, r := range results {
		switch {
		case r.Status == 200:
			ran++
		case r.Status == 429 && r.Code() == api.CodeQuotaExceeded && r.Headers["Retry-After"] == "1":
			refused++
		default:
			t.Errorf("unexpected %d %v %v", r.Status, r.Body, r.Headers)
		}
	}
	if ran != 3 || refused != 3 {
		t.Fatalf("%d ran, %d refused", ran, refused)
	}
	// 00:00:00 CST: a new day, three new tries; the ended day's counter blocks no one.
	w.Clock.Advance(time.Second)
	if res := w.verify(t, tok); res.Status != 200 || res.Int("remainingToday") != 2 {
		t.Fatalf("first try of the next day: %d %v", res.Status, res.Body)
	}
}

func TestAnOutageSpendsNoTry(t *testing.T) {
	w := newWorld(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Error(rw, "maintenance", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	down, err := idv.NewHTTPS(srv.URL, "key", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	a := w.Profiled(w.Applicant("张三"))
	tok := w.Token(a)
	w.h = verification.NewVerify(w.Store, down, w.Clock, guideURL)
	for i := 0; i < 4; i++ {
		if res := w.verify(t, tok); res.Status != 503 || res.Code() != api.CodeUnavailable {
			t.Fatalf("outage %d: %d %v", i, res.Status, res.Body)
		}
	}
	w.h = verification.NewVerify(w.Store, idv.Simulator{}, w.Clock, guideURL)
	if res := w.verify(t, tok); res.Status != 200 || res.Int("remainingToday") != 2 {
		t.Fatalf("after the outage: %d %v", res.Status, res.Body)
	}
	if got := w.Account(a.Login).Verification.Status; got != account.StatusVerified {
		t.Fatalf("status %s", got)
	}
}

func TestAfterAnApprovedReviewAFailChangesNothing(t *testing.T) {
	w := newWorld(t)
	a := w.Profiled(w.ApplicantWith(identity.HKMacauPermit, "H12345678", "陈大文核验失败"))
	if _, err := w.Env.Store.SubmitReview(t.Context(), a, casework.Review{ID: "r1", Login: a.Login, Name: a.Name, NameBefore: a.Name,
		IDValidFrom: a.IDValidFrom, IDValidTo: a.IDValidTo, Status: casework.Pending, SubmittedAt: 1}, []byte{1}, quota.Limit{Period: "2026-2", Max: 3, Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tok := w.Token(a)
	if res := w.verify(t, tok); res.Status != 409 || res.Code() != api.CodeReviewPending {
		t.Fatalf("verify while pending: %d %v", res.Status, res.Body)
	}
	rev, err := w.Env.Store.GetReviewMeta(t.Context(), "r1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Env.Store.DecideReview(t.Context(), casework.Decision{Review: rev, Approve: true, DecidedBy: "x", At: w.Clock.Now()}, w.Clock.Now().Add(casework.PhotoRetention)); err != nil {
		t.Fatal(err)
	}
	if res := w.verify(t, tok); res.Str("result") != "failed" {
		t.Fatalf("verify after approval: %v", res.Body)
	}
	if got := w.Account(a.Login).Verification.Status; got != account.StatusReviewApproved {
		t.Fatalf("a failed verification changed an approval to %s", got)
	}
	if res := apitest.Call(t, w.business, apitest.Request{Method: "POST", Path: "/v1/applications", Token: tok, Unlisted: true}); res.Status != 200 {
		t.Fatalf("business after approval: %d", res.Status)
	}
	// A later pass records verified.
	w.h = verification.NewVerify(w.Store, matchEveryone{}, w.Clock, guideURL)
	if res := w.verify(t, tok); res.Str("result") != "passed" {
		t.Fatalf("verify: %v", res.Body)
	}
	if got := w.Account(a.Login).Verification.Status; got != account.StatusVerified {
		t.Fatalf("a pass after approval left %s", got)
	}
}

// matchEveryone is a provider whose register matches every identity.
type matchEveryone struct{}

func (matchEveryone) Verify(context.Context, idv.Identity) (bool, error) { return true, nil }

// The day's try is counted alongside the session's read, before the caller is known; a try
// counted for anyone not let through to the provider is given back, so refusals, ended
// sessions and reviews pending cost no try.
func TestATryCountedForARefusedCallerIsGivenBack(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	usedToday := func() int {
		u, err := w.Env.Store.GetUsage(t.Context(), a.Login, clock.Day(w.Clock.Now()), clock.Cycle(w.Clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		return u.VerificationsToday
	}
	// Refused by the gate's profile check, after the count: given back.
	for i := 0; i < 4; i++ {
		if res := w.verify(t, tok); res.Status != 403 || res.Code() != api.CodeProfileIncomplete {
			t.Fatalf("before the profile: %d %v", res.Status, res.Body)
		}
	}
	if n := usedToday(); n != 0 {
		t.Fatalf("tries counted for refusals: %d", n)
	}
	w.Profiled(a)
	// A session that ended: the token still names the login, so the try was counted; given back.
	w.Clock.Advance(authn.IdleTimeout)
	if res := w.verify(t, tok); res.Status != 401 {
		t.Fatalf("an ended session: %d %v", res.Status, res.Body)
	}
	if n := usedToday(); n != 0 {
		t.Fatalf("a try counted for an ended session: %d", n)
	}
	// Let through to the provider, it stays counted.
	tok = w.Token(a)
	if res := w.verify(t, tok); res.Status != 200 || res.Int("remainingToday") != 2 {
		t.Fatalf("verify: %d %v", res.Status, res.Body)
	}
	if n := usedToday(); n != 1 {
		t.Fatalf("tries after one verification: %d", n)
	}
}
