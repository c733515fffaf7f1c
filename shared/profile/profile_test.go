package profile_test

import (
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

type world struct {
	*testkit.Kit
	put, me api.HandlerFunc
}

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	return &world{Kit: k, put: profile.NewEdit(k.Store, k.Clock), me: profile.NewMe(k.Store, k.Clock)}
}

func (w *world) send(t *testing.T, tok string, body map[string]any) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.put, apitest.Request{Method: "PUT", Path: "/v1/me/profile", Token: tok, Body: body})
}

func withCheck(body17 string) string { return body17 + string(identity.CheckChar(body17)) }

func TestResidentIDNeedsOnlyTheEthnicity(t *testing.T) {
	w := newWorld(t)
	a := w.ApplicantWith(identity.ResidentID, withCheck("11010519900307124"), "张三")
	tok := w.Token(a)
	before := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok})
	if before.Str("nextStep") != "complete_profile" || before.Body["profileComplete"] != false {
		t.Fatalf("before: %v", before.Body)
	}
	for _, extra := range []string{"gender", "birthDate", "localIdNumber", "permitNumber"} {
		res := w.send(t, tok, map[string]any{"ethnicity": "汉族", extra: "x"})
		if res.Status != 422 || res.Field() != extra {
			t.Errorf("resident_id with %s: %d %v", extra, res.Status, res.Body)
		}
	}
	if res := w.send(t, tok, map[string]any{"ethnicity": "汉"}); res.Status != 422 || res.Field() != "ethnicity" {
		t.Fatalf("unknown ethnicity: %d %v", res.Status, res.Body)
	}
	w.Env.Calls.Reset()
	res := w.send(t, tok, map[string]any{"ethnicity": "05"})
	if res.Status != 200 || res.Body["profileComplete"] != true || res.Str("nextStep") != "verify_identity" {
		t.Fatalf("ethnicity by code: %d %v", res.Status, res.Body)
	}
	// The session, the account and the counters in one round trip; the update in a second.
	if got := w.Env.Calls.String(); got != "BatchGetItem=2 UpdateItem=1" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	p := res.Body["profile"].(map[string]any)
	// Gender and birth date come from the number: 17th digit 4 is female.
	if p["ethnicity"] != "维吾尔族" || p["ethnicityCode"] != "05" || p["gender"] != "female" || p["birthDate"] != "1990-03-07" {
		t.Fatalf("profile %v", p)
	}
	if got := w.Account(a.Login).Profile; got == nil || got.Gender != "female" {
		t.Fatalf("stored %+v", got)
	}
}

func TestPermitHoldersGiveGenderBirthAndTheirLocalCard(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		name    string
		idType  identity.IDType
		number  string
		good    map[string]any
		bad     map[string]any
		badWhat string
	}{
		{"hong kong permit", identity.HKMacauPermit, "H12345678",
			map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "1988-05-06", "localIdNumber": "A123456(3)"},
			map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "1988-05-06", "localIdNumber": "A123456(4)"}, "localIdNumber"},
		{"macau permit", identity.HKMacauPermit, "M12345678",
			map[string]any{"ethnicity": "汉族", "gender": "female", "birthDate": "1988-05-06", "localIdNumber": "1234567(8)"},
			map[string]any{"ethnicity": "汉族", "gender": "female", "birthDate": "1988-05-06", "localIdNumber": "A123456(3)"}, "localIdNumber"},
		{"taiwan permit", identity.TaiwanPermit, "12345678",
			map[string]any{"ethnicity": "高山族", "gender": "male", "birthDate": "1988-05-06", "localIdNumber": "A123456789"},
			map[string]any{"ethnicity": "高山族", "gender": "male", "birthDate": "1988-05-06", "localIdNumber": "A123456789", "permitNumber": "12345678"}, "permitNumber"},
		{"permit without gender", identity.TaiwanPermit, "87654321",
			map[string]any{"ethnicity": "汉族", "gender": "female", "birthDate": "1990-01-01", "localIdNumber": "A223456781"},
			map[string]any{"ethnicity": "汉族", "birthDate": "1990-01-01", "localIdNumber": "A223456781"}, "gender"},
		{"permit born in the future", identity.HKMacauPermit, "H87654321",
			map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "2000-02-29", "localIdNumber": "G123456(A)"},
			map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "2030-01-01", "localIdNumber": "G123456(A)"}, "birthDate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := w.Token(w.ApplicantWith(c.idType, c.number, "陈大文"))
			if res := w.send(t, tok, c.bad); res.Status != 422 || res.Field() != c.badWhat {
				t.Fatalf("bad: %d %v, want 422 on %s", res.Status, res.Body, c.badWhat)
			}
			if res := w.send(t, tok, c.good); res.Status != 200 || res.Body["profileComplete"] != true {
				t.Fatalf("good: %d %v", res.Status, res.Body)
			}
		})
	}
}

func TestResidencePermitsMustAgreeWithTheirNumber(t *testing.T) {
	w := newWorld(t)
	hk := withCheck("81000019900101123") // born 1990-01-01, 17th digit 3: male
	mo := withCheck("82000019850615222") // female
	tw := withCheck("83000019851231456") // 17th digit 6: female
	cases := []struct {
		name   string
		number string
		body   map[string]any
		field  string // "" for accepted
	}{
		{"hk ok", hk, map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "1990-01-01", "localIdNumber": "A123456(3)", "permitNumber": "H12345678"}, ""},
		{"hk birth date differs", hk, map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "1990-01-02", "localIdNumber": "A123456(3)", "permitNumber": "H12345678"}, "birthDate"},
		{"hk gender differs", hk, map[string]any{"ethnicity": "汉族", "gender": "female", "birthDate": "1990-01-01", "localIdNumber": "A123456(3)", "permitNumber": "H12345678"}, "gender"},
		{"hk given a macau permit", hk, map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "1990-01-01", "localIdNumber": "A123456(3)", "permitNumber": "M12345678"}, "permitNumber"},
		{"hk without a permit", hk, map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "1990-01-01", "localIdNumber": "A123456(3)"}, "permitNumber"},
		{"hk permit with renewal digits", hk, map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "1990-01-01", "localIdNumber": "A123456(3)", "permitNumber": "H1234567801"}, "permitNumber"},
		{"hk given a taiwan card", hk, map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "1990-01-01", "localIdNumber": "A123456789", "permitNumber": "H12345678"}, "localIdNumber"},
		{"macau ok", mo, map[string]any{"ethnicity": "汉族", "gender": "female", "birthDate": "1985-06-15", "localIdNumber": "5234567(8)", "permitNumber": "M12345678"}, ""},
		{"taiwan ok", tw, map[string]any{"ethnicity": "汉族", "gender": "female", "birthDate": "1985-12-31", "localIdNumber": "A223456781", "permitNumber": "12345678"}, ""},
		{"taiwan given an hk permit", tw, map[string]any{"ethnicity": "汉族", "gender": "female", "birthDate": "1985-12-31", "localIdNumber": "A223456781", "permitNumber": "H12345678"}, "permitNumber"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := w.Env.Store.GetAccount(t.Context(), c.number)
			if err != nil {
				a = w.ApplicantWith(identity.HMTResidencePermit, c.number, "陈大文")
			}
			res := w.send(t, w.Token(a), c.body)
			if c.field == "" && res.Status != 200 {
				t.Fatalf("want 200: %d %v", res.Status, res.Body)
			}
			if c.field != "" && (res.Status != 422 || res.Field() != c.field) {
				t.Fatalf("want 422 on %s: %d %v", c.field, res.Status, res.Body)
			}
		})
	}
}

func TestNoProfileChangeWhileAReviewIsPending(t *testing.T) {
	w := newWorld(t)
	a := w.ApplicantWith(identity.TaiwanPermit, "12345678", "陈大文")
	a = w.Profiled(a)
	if _, err := w.Env.Store.SubmitReview(t.Context(), a, casework.Review{ID: "r1", Login: a.Login, Status: casework.Pending, SubmittedAt: 1}, []byte{1}, quota.Limit{Period: "2026-2", Max: 3, Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	res := w.send(t, w.Token(a), map[string]any{"ethnicity": "汉族", "gender": "male", "birthDate": "1988-05-06", "localIdNumber": "A123456789"})
	if res.Status != 409 || res.Code() != api.CodeReviewPending {
		t.Fatalf("profile change while pending: %d %v", res.Status, res.Body)
	}
}

func TestReviewersHaveNoProfile(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("审核")
	a.Role, a.Login, a.AccountID = account.RoleReviewer, "REV", "rev"
	if err := w.Env.Store.CreateAccount(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if res := w.send(t, w.Token(a), map[string]any{"ethnicity": "汉族"}); res.Status != 403 || res.Code() != api.CodeForbidden {
		t.Fatalf("reviewer: %d %v", res.Status, res.Body)
	}
}
