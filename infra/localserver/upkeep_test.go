package localserver_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/infra/localserver"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

// applicant drives one applicant over HTTP against a local server.
type applicant struct {
	t    *testing.T
	base string
}

func (a applicant) must(what string, want int, status int, m map[string]any) map[string]any {
	a.t.Helper()
	if status != want {
		a.t.Fatalf("%s: %d %v", what, status, m)
	}
	return m
}

// register registers with a code for phone (as typed) and logs in; it returns the token.
func (a applicant) register(idType, doc, name, phone, email string) string {
	a.t.Helper()
	st, m := do(a.t, "POST", a.base+"/v1/sms-codes", map[string]any{"phone": phone, "purpose": "register", "captcha": solved(a.t, a.base)})
	a.must("sms code to "+phone, 202, st, m)
	to, err := identity.NormalizePhone(phone)
	if err != nil {
		a.t.Fatal(err)
	}
	code := lastOutbox(a.t, a.base, "sms", to, smsCode)
	st, m = do(a.t, "POST", a.base+"/v1/accounts", map[string]any{"idType": idType, "idNumber": doc, "name": name,
		"idValidFrom": "2020-01-01", "idValidTo": "长期", "password": testkit.Password, "passwordConfirm": testkit.Password,
		"email": email, "phone": phone, "smsCode": code, "agreementAccepted": true})
	a.must("register", 201, st, m)
	st, m = do(a.t, "POST", a.base+"/v1/sessions", map[string]any{"account": doc, "password": testkit.Password, "captcha": solved(a.t, a.base)})
	m = a.must("login", 201, st, m)
	tok, _ := m["token"].(string)
	return tok
}

// As a new user would, against the local server with its outbox: a Hong Kong applicant with
// a +852 mobile registers and logs in; a verified applicant changes name and sees
// reapplyRequired; an owner claims back a number someone else registered.
func TestAccountUpkeepAsApplicantsMeetIt(t *testing.T) {
	srv := start(t, nil)
	base := srv.URL
	a := applicant{t, base}

	hkTok := a.register("hk_macau_permit", "H"+testkit.Phone()[3:], "陈大文", "+852 9123 4567", "chan@example.hk")
	st, m := doAs(t, hkTok, "GET", base+"/v1/me", nil)
	a.must("a Hong Kong applicant's me", 200, st, m)
	if m["phoneMasked"] != "+852 ****4567" {
		t.Errorf("the Hong Kong mobile masked: %v", m["phoneMasked"])
	}

	// Verified online (the simulator passes this name), then a name change.
	doc := testkit.ResidentID("19880808")
	tok := a.register("resident_id", doc, "王小明", testkit.Phone(), "wxm@example.cn")
	st, m = doAs(t, tok, "PUT", base+"/v1/me/profile", map[string]any{"ethnicity": "汉族"})
	a.must("profile", 200, st, m)
	st, m = doAs(t, tok, "POST", base+"/v1/me/verifications", nil)
	if m = a.must("verification", 200, st, m); m["result"] != "passed" {
		t.Fatalf("verification: %v", m)
	}
	st, m = doAs(t, tok, "POST", base+"/v1/me/manual-reviews", map[string]any{"kind": "name_change", "name": "王晓明", "idType": "resident_id",
		"idNumber": doc, "idValidFrom": "2020-01-01", "idValidTo": "长期", "photo": testkit.JPEG(64, 64)})
	m = a.must("name change", 202, st, m)
	nameChange, _ := m["reviewId"].(string)
	st, m = reviewerLogin(t, base, srv.Deps.Clock.Now())
	m = a.must("reviewer login", 201, st, m)
	rtok, _ := m["token"].(string)
	st, m = doAs(t, rtok, "POST", base+"/v1/reviews/"+nameChange+"/decision", map[string]any{"decision": "approve"})
	a.must("approve the name change", 200, st, m)
	st, m = doAs(t, tok, "GET", base+"/v1/me", nil)
	m = a.must("me after the name change", 200, st, m)
	if v, _ := m["verification"].(map[string]any); m["name"] != "王晓明" || v["reapplyRequired"] != true || v["status"] != "verified" {
		t.Fatalf("after the name change: %v", m)
	}

	// A squatter registers someone's number and binds a WeChat; the holder claims it back.
	squatted := testkit.ResidentID("19770707")
	squatterPhone := testkit.Phone()
	squatterTok := a.register("resident_id", squatted, "假冒者", squatterPhone, "squat@example.cn")
	st, m = doAs(t, squatterTok, "POST", base+"/v1/me/wechat-binding", map[string]any{"currentPassword": testkit.Password})
	m = a.must("the squatter's binding code", 201, st, m)
	wechat := func(body map[string]any) string {
		t.Helper()
		st, m := do(t, "POST", base+"/local/wechat/o-squatter", body)
		return fmt.Sprint(a.must("the squatter's WeChat", 200, st, m)["reply"])
	}
	if reply := wechat(map[string]any{"text": fmt.Sprint(m["bindCode"])}); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("the squatter's binding: %q", reply)
	}
	holderPhone := testkit.Phone()
	st, m = do(t, "POST", base+"/v1/sms-codes", map[string]any{"phone": holderPhone, "purpose": "contact", "captcha": solved(t, base)})
	a.must("the holder's code", 202, st, m)
	st, m = do(t, "POST", base+"/v1/account-corrections", map[string]any{"kind": "ownership", "idType": "resident_id", "idNumber": squatted,
		"name": "真持有人", "idValidFrom": "2019-05-01", "idValidTo": "2039-05-01", "phone": holderPhone,
		"smsCode": lastOutbox(t, base, "sms", holderPhone, smsCode), "email": "holder@example.cn", "photo": testkit.JPEG(64, 64), "captcha": solved(t, base)})
	m = a.must("claim", 202, st, m)
	claim, _ := m["reviewId"].(string)
	st, m = doAs(t, rtok, "GET", base+"/v1/reviews?kind=ownership", nil)
	a.must("the claims in the queue", 200, st, m)
	st, m = doAs(t, rtok, "GET", base+"/v1/reviews/"+claim, nil)
	a.must("open the claim", 200, st, m)
	st, m = doAs(t, rtok, "POST", base+"/v1/reviews/"+claim+"/decision", map[string]any{"decision": "approve"})
	a.must("the claim's first approval", 200, st, m)
	st, m = reviewerLoginAs(t, base, localserver.LocalSecondReviewer, srv.Deps.Clock.Now())
	m = a.must("the second reviewer's login", 201, st, m)
	rtok2 := fmt.Sprint(m["token"])
	st, m = doAs(t, rtok2, "GET", base+"/v1/reviews/"+claim, nil)
	a.must("the second reviewer opens the claim", 200, st, m)
	st, m = doAs(t, rtok2, "POST", base+"/v1/reviews/"+claim+"/decision", map[string]any{"decision": "approve"})
	a.must("approve the claim", 200, st, m)
	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": squatted, "password": testkit.Password, "captcha": solved(t, base)})
	a.must("the squatter's password", 401, st, m)
	// The squatter's WeChat no longer resets the account's password: the approval took its
	// binding, and no code goes out.
	if reply := wechat(map[string]any{"event": "CLICK", "key": "RESET_PASSWORD"}); !strings.Contains(reply, "尚未绑定") || smsCode.MatchString(reply) {
		t.Fatalf("the squatter's 找回密码 after the hand-over: %q", reply)
	}
	st, m = do(t, "POST", base+"/v1/password-resets", map[string]any{"idType": "resident_id", "idNumber": squatted, "name": "真持有人", "captcha": solved(t, base)})
	m = a.must("the holder's recovery", 201, st, m)
	resetID, _ := m["resetId"].(string)
	st, m = do(t, "POST", base+"/v1/password-resets/"+resetID+"/sms", nil)
	a.must("the holder's reset code", 202, st, m)
	st, m = do(t, "POST", base+"/v1/password-resets/complete", map[string]any{"resetId": resetID,
		"smsCode": lastOutbox(t, base, "sms", holderPhone, smsCode), "newPassword": "Holder#2026ok", "newPasswordConfirm": "Holder#2026ok"})
	a.must("the holder sets a password", 204, st, m)
	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": squatted, "password": "Holder#2026ok", "captcha": solved(t, base)})
	if m = a.must("the holder logs in", 201, st, m); m["nextStep"] != "complete_profile" {
		t.Fatalf("the holder's next step: %v", m)
	}
	told := lastOutbox(t, base, "sms", "+86"+squatterPhone, regexp.MustCompile(`(属于他人)`))
	if told == "" {
		t.Fatal("the squatter's mobile was not told")
	}
}
