package localserver_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/infra/localserver"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

// lastOutbox finds the newest message of a channel to an address ending in to in the local
// outbox, and returns the first match of pattern's group in its body.
func lastOutbox(t *testing.T, base, channel, to string, pattern *regexp.Regexp) string {
	t.Helper()
	_, box := do(t, "GET", base+"/local/outbox", nil)
	msgs := box["messages"].([]any)
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i].(map[string]any)
		if m["channel"] != channel || !strings.HasSuffix(m["to"].(string), to) {
			continue
		}
		if got := pattern.FindStringSubmatch(m["body"].(string)); got != nil {
			return got[1]
		}
	}
	t.Fatalf("no %s to %s in the outbox matches %s", channel, to, pattern)
	return ""
}

var (
	smsCode   = regexp.MustCompile(`(?:^|\D)(\d{6})(?:\D|$)`)
	linkToken = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)
)

// SPEC §3: no secret, code, token, password or full document number in a log line — nor a
// mobile, an e-mail or a name. Every flow runs once over HTTP, failures included, and every
// value an applicant or reviewer would not want printed is looked for in what was logged.
func TestNoLogLineCarriesASecretOrPersonalData(t *testing.T) {
	logs := testkit.CaptureLogs(t)
	srv := start(t, nil)
	base := srv.URL
	expect := func(what string, status, want int, m map[string]any) {
		t.Helper()
		if status != want {
			t.Fatalf("%s: %d %v", what, status, m)
		}
	}

	phone, doc, name, email := testkit.Phone(), testkit.ResidentID("19900307"), "王核验失败", "987654321@qq.com"
	pw, wrongPw, newPw := "Smoke#2026ok", "Wrong#2026ok", "Newer#2026ok"
	st, m := do(t, "POST", base+"/v1/sms-codes", map[string]any{"phone": phone, "purpose": "register", "captcha": solved(t, base)})
	expect("sms code", st, 202, m)
	code := lastOutbox(t, base, "sms", phone, smsCode)
	form := map[string]any{"idType": "resident_id", "idNumber": doc, "name": name, "idValidFrom": "2020-01-01",
		"idValidTo": "2040-01-01", "password": pw, "passwordConfirm": pw, "email": email, "phone": phone,
		"smsCode": code, "agreementAccepted": true}
	form["password"] = "nodigits#"
	st, m = do(t, "POST", base+"/v1/accounts", form)
	expect("a refused form", st, 422, m)
	form["password"] = pw
	st, m = do(t, "POST", base+"/v1/accounts", form)
	expect("register", st, 201, m)

	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": doc, "password": wrongPw, "captcha": solved(t, base)})
	expect("a wrong password", st, 401, m)
	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": doc, "password": pw, "captcha": solved(t, base)})
	expect("login", st, 201, m)
	tok, _ := m["token"].(string)
	st, m = doAs(t, tok, "PUT", base+"/v1/me/profile", map[string]any{"ethnicity": "汉族"})
	expect("profile", st, 200, m)
	st, m = doAs(t, tok, "POST", base+"/v1/me/verifications", nil)
	expect("verification (the simulator fails the name)", st, 200, m)
	st, m = doAs(t, tok, "POST", base+"/v1/me/manual-reviews", map[string]any{"name": name, "idType": "resident_id",
		"idNumber": doc, "idValidFrom": "2020-01-01", "idValidTo": "2040-01-01", "photo": testkit.JPEG(64, 64)})
	expect("manual review", st, 202, m)
	reviewID, _ := m["reviewId"].(string)

	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": localserver.LocalReviewer,
		"password": localserver.LocalReviewerPassword, "captcha": solved(t, base)})
	expect("reviewer login", st, 201, m)
	rtok, _ := m["token"].(string)
	st, m = doAs(t, rtok, "GET", base+"/v1/reviews?status=pending", nil)
	expect("queue", st, 200, m)
	st, m = doAs(t, rtok, "GET", base+"/v1/reviews/"+reviewID, nil)
	expect("open a review", st, 200, m)
	st, m = doAs(t, rtok, "POST", base+"/v1/reviews/"+reviewID+"/decision", map[string]any{"decision": "approve"})
	expect("decision", st, 200, m)

	st, m = do(t, "POST", base+"/v1/password-resets", map[string]any{"idType": "resident_id", "idNumber": doc, "name": name, "captcha": solved(t, base)})
	expect("recovery step 1", st, 201, m)
	resetID, _ := m["resetId"].(string)
	st, m = do(t, "POST", base+"/v1/password-resets/"+resetID+"/email", nil)
	expect("reset mail", st, 202, m)
	link := lastOutbox(t, base, "email", email, linkToken)
	st, m = do(t, "POST", base+"/v1/password-resets/"+resetID+"/sms", nil)
	expect("reset code", st, 202, m)
	resetCode := lastOutbox(t, base, "sms", phone, smsCode)
	st, m = do(t, "POST", base+"/v1/password-resets/complete", map[string]any{"resetId": resetID, "smsCode": resetCode, "newPassword": newPw, "newPasswordConfirm": newPw})
	expect("reset", st, 204, m)
	st, m = doAs(t, tok, "DELETE", base+"/v1/sessions/current", nil)
	expect("a session ended by the reset", st, 401, m)
	st, m = doAs(t, rtok, "DELETE", base+"/v1/sessions/current", nil)
	expect("reviewer logout", st, 204, m)

	secrets := []string{phone, "+86" + phone, doc, doc[:14], name, email, pw, wrongPw, newPw,
		localserver.LocalReviewerPassword, code, resetCode, link, tok, rtok, resetID}
	got := logs.String()
	if strings.Count(got, `"status":`) < 20 {
		t.Fatalf("the request lines were not captured:\n%s", got)
	}
	for _, s := range secrets {
		if s == "" || strings.Contains(got, s) {
			t.Errorf("%q is in the logs (or was never issued)", s)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", got)
	}
}
