package localserver_test

import (
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/infra/localserver"
	"github.com/jszg/applicant-accounts/shared/federation/localidp"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

// browser follows no redirect: each hop of a federated login is looked at.
var browser = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// hop GETs u and returns where it redirects to.
func hop(t *testing.T, u string) *url.URL {
	t.Helper()
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	to, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// federatedLogin is a tester's 教育部 login against make run: the start, the local provider's
// page with an identity picked, the callback, the local front end's page and the exchange.
// It returns the exchange's answer and every secret the browser carried.
// federatedPage runs a 教育部 login as subject up to the front end's page and returns what
// the page shows (a code, or an error).
func federatedPage(t *testing.T, base, subject string) (int, map[string]any) {
	t.Helper()
	st, m := do(t, "POST", base+"/v1/federated-logins", map[string]any{"agreementAccepted": true})
	if st != 201 {
		t.Fatalf("start: %d %v", st, m)
	}
	picked, _ := url.Parse(m["authorizationUrl"].(string))
	q := picked.Query()
	q.Set(localidp.Pick, subject)
	picked.RawQuery = q.Encode()
	return do(t, "GET", hop(t, hop(t, picked.String()).String()).String(), nil)
}

func federatedLogin(t *testing.T, base, subject string) (int, map[string]any, []string) {
	t.Helper()
	st, m := do(t, "POST", base+"/v1/federated-logins", map[string]any{"agreementAccepted": true})
	if st != 201 {
		t.Fatalf("start: %d %v", st, m)
	}
	authURL, flowKey := m["authorizationUrl"].(string), m["flowKey"].(string)
	picked, _ := url.Parse(authURL)
	q := picked.Query()
	q.Set(localidp.Pick, subject)
	picked.RawQuery = q.Encode()
	callback := hop(t, picked.String())
	if !strings.HasPrefix(callback.String(), base+"/v1/federated-logins/callback?") {
		t.Fatalf("the provider sent the browser to %s", callback)
	}
	page := hop(t, callback.String())
	if !strings.HasPrefix(page.String(), base+localserver.LocalReturnPath+"?") {
		t.Fatalf("the callback sent the browser to %s", page)
	}
	st, shown := do(t, "GET", page.String(), nil)
	code, _ := shown["code"].(string)
	if st != 200 || code == "" {
		t.Fatalf("the front end's page shows %d %v", st, shown)
	}
	st, m = do(t, "POST", base+"/v1/federated-logins/exchange", map[string]any{"code": code, "flowKey": flowKey})
	secrets := []string{flowKey, code, q.Get("state"), q.Get("nonce"), callback.Query().Get("code"), subject}
	if tok, ok := m["token"].(string); ok {
		secrets = append(secrets, tok)
	}
	return st, m, secrets
}

// The local provider's page offers its identities, each a link that logs it in.
func TestTheLocalProviderOffersItsIdentities(t *testing.T) {
	srv := start(t, nil)
	st, m := do(t, "POST", srv.URL+"/v1/federated-logins", map[string]any{"agreementAccepted": true})
	if st != 201 {
		t.Fatalf("start: %d %v", st, m)
	}
	resp, err := browser.Get(m["authorizationUrl"].(string))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("the page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, id := range localidp.Identities() {
		if !strings.Contains(string(body), id.Name) || !strings.Contains(string(body), localidp.Pick+"="+id.Subject) {
			t.Errorf("the page does not offer %s:\n%s", id.Name, body)
		}
	}
}

// As a tester meets it: a first login makes an account; a registered number and name are
// linked; a callback opened again is refused, as the front end's page shows.
func TestFederatedLoginsAsATesterMeetsThem(t *testing.T) {
	srv := start(t, nil)
	ids := localidp.Identities()
	st, m, _ := federatedLogin(t, srv.URL, ids[2].Subject)
	if st != 201 || m["nextStep"] != "complete_profile" {
		t.Fatalf("first login: %d %v", st, m)
	}
	st, me := doAs(t, m["token"].(string), "GET", srv.URL+"/v1/me", nil)
	if st != 200 || me["name"] != ids[2].Name || me["phoneMasked"] != nil {
		t.Fatalf("me: %d %v", st, me)
	}

	resident := ids[0]
	registerWith(t, srv.URL, resident.IDType, resident.Number, resident.Name)
	if _, shown := federatedPage(t, srv.URL, resident.Subject); shown["error"] != "ACCOUNT_UNVERIFIED" {
		t.Fatalf("an unverified registration was linked: %v", shown)
	}
	verifyResident(t, srv.URL, resident.Number)
	st, m, _ = federatedLogin(t, srv.URL, resident.Subject)
	if st != 201 {
		t.Fatalf("linked login: %d %v", st, m)
	}
	st, me = doAs(t, m["token"].(string), "GET", srv.URL+"/v1/me", nil)
	if st != 200 || me["phoneMasked"] == nil {
		t.Fatalf("the linked account is not the registered one: %d %v", st, me)
	}

	st, m = do(t, "POST", srv.URL+"/v1/federated-logins", map[string]any{"agreementAccepted": true})
	if st != 201 {
		t.Fatalf("start: %d", st)
	}
	picked, _ := url.Parse(m["authorizationUrl"].(string))
	q := picked.Query()
	q.Set(localidp.Pick, ids[3].Subject)
	picked.RawQuery = q.Encode()
	callback := hop(t, picked.String())
	hop(t, callback.String())
	again := hop(t, callback.String())
	if _, shown := do(t, "GET", again.String(), nil); shown["error"] != "STATE_INVALID" {
		t.Fatalf("a callback opened twice: %v", shown)
	}
}

// verifyResident completes a resident_id account's profile and passes its online
// verification over HTTP, as its holder would: only a verified account is linked to a
// 教育部 identity.
func verifyResident(t *testing.T, base, number string) {
	t.Helper()
	st, m := do(t, "POST", base+"/v1/sessions", map[string]any{"account": number, "password": "Smoke#2026ok", "captcha": solved(t, base)})
	if st != 201 {
		t.Fatalf("login: %d %v", st, m)
	}
	tok, _ := m["token"].(string)
	if st, m := doAs(t, tok, "PUT", base+"/v1/me/profile", map[string]any{"ethnicity": "汉族"}); st != 200 {
		t.Fatalf("profile: %d %v", st, m)
	}
	if st, m := doAs(t, tok, "POST", base+"/v1/me/verifications", nil); st != 200 || m["result"] != "passed" {
		t.Fatalf("verification: %d %v", st, m)
	}
}

// registerWith registers an account for a document over HTTP, as an applicant would.
func registerWith(t *testing.T, base, idType, number, name string) {
	t.Helper()
	phone := testkit.Phone()
	st, m := do(t, "POST", base+"/v1/sms-codes", map[string]any{"phone": phone, "purpose": "register", "captcha": solved(t, base)})
	if st != 202 {
		t.Fatalf("sms code: %d %v", st, m)
	}
	code := lastOutbox(t, base, "sms", phone, smsCode)
	st, m = do(t, "POST", base+"/v1/accounts", map[string]any{"idType": idType, "idNumber": number, "name": name,
		"idValidFrom": "2020-01-01", "idValidTo": "2040-01-01", "password": "Smoke#2026ok", "passwordConfirm": "Smoke#2026ok",
		"email": "135792468@qq.com", "phone": phone, "smsCode": code, "agreementAccepted": true})
	if st != 201 {
		t.Fatalf("register %s: %d %v", idType, st, m)
	}
}

// federatedFlows is everyFlow's part of the 教育部 login: a first login that makes an
// account, a registered account linked and logged in twice, a logout, and a callback opened
// twice. It returns the secrets and personal values it met.
func federatedFlows(t *testing.T, base string) []string {
	t.Helper()
	ids := localidp.Identities()
	var secrets []string
	st, m, s := federatedLogin(t, base, ids[2].Subject)
	if st != 201 {
		t.Fatalf("a first federated login: %d %v", st, m)
	}
	secrets = append(secrets, s...)
	resident := ids[0]
	registerWith(t, base, resident.IDType, resident.Number, resident.Name)
	verifyResident(t, base, resident.Number)
	for range 2 {
		st, m, s = federatedLogin(t, base, resident.Subject)
		if st != 201 {
			t.Fatalf("a linked federated login: %d %v", st, m)
		}
		secrets = append(secrets, s...)
	}
	if st, m := doAs(t, m["token"].(string), "DELETE", base+"/v1/sessions/current", nil); st != 204 {
		t.Fatalf("federated logout: %d %v", st, m)
	}
	st, m = do(t, "POST", base+"/v1/federated-logins", map[string]any{"agreementAccepted": true})
	if st != 201 {
		t.Fatalf("start: %d %v", st, m)
	}
	picked, _ := url.Parse(m["authorizationUrl"].(string))
	q := picked.Query()
	q.Set(localidp.Pick, ids[3].Subject)
	picked.RawQuery = q.Encode()
	callback := hop(t, picked.String())
	hop(t, callback.String())
	if _, shown := do(t, "GET", hop(t, callback.String()).String(), nil); shown["error"] != "STATE_INVALID" {
		t.Fatalf("a callback opened twice: %v", shown)
	}
	for _, id := range ids {
		secrets = append(secrets, id.Number, id.Name)
	}
	return append(secrets, callback.Query().Get("code"), callback.Query().Get("state"))
}

// The seed's way for an account a first 教育部 login made ("或在本网站重置密码后登录"): right
// after the login it sets a mobile, proven by a code, with no password to give; then it
// sets a password through recovery, and logs in with it.
func TestAnAccountMadeByAFederatedLoginSetsAPasswordThroughRecovery(t *testing.T) {
	srv := start(t, nil)
	base, tw := srv.URL, localidp.Identities()[3]
	st, m, _ := federatedLogin(t, base, tw.Subject)
	if st != 201 {
		t.Fatalf("first login: %d %v", st, m)
	}
	tok := m["token"].(string)
	st, m = do(t, "POST", base+"/v1/password-resets", map[string]any{"idType": tw.IDType, "idNumber": tw.Number, "name": tw.Name, "captcha": solved(t, base)})
	if st != 404 {
		t.Fatalf("recovery without contacts: %d %v", st, m)
	}
	phone := testkit.Phone()
	if st, m = do(t, "POST", base+"/v1/sms-codes", map[string]any{"phone": phone, "purpose": "contact", "captcha": solved(t, base)}); st != 202 {
		t.Fatalf("contact code: %d %v", st, m)
	}
	if st, m = doAs(t, tok, "PUT", base+"/v1/me/phone", map[string]any{"phone": phone, "smsCode": lastOutbox(t, base, "sms", phone, smsCode)}); st != 204 {
		t.Fatalf("the mobile: %d %v", st, m)
	}
	st, m = do(t, "POST", base+"/v1/password-resets", map[string]any{"idType": tw.IDType, "idNumber": tw.Number, "name": tw.Name, "captcha": solved(t, base)})
	if st != 201 || m["emailMasked"] != nil {
		t.Fatalf("recovery step 1: %d %v", st, m)
	}
	id := m["resetId"].(string)
	if st, m = do(t, "POST", base+"/v1/password-resets/"+id+"/sms", nil); st != 202 {
		t.Fatalf("reset code: %d %v", st, m)
	}
	pw := "First#2026pw"
	if st, m = do(t, "POST", base+"/v1/password-resets/complete", map[string]any{"resetId": id, "smsCode": lastOutbox(t, base, "sms", phone, smsCode),
		"newPassword": pw, "newPasswordConfirm": pw}); st != 204 {
		t.Fatalf("reset: %d %v", st, m)
	}
	if st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": tw.Number, "password": pw, "captcha": solved(t, base)}); st != 201 {
		t.Fatalf("password login: %d %v", st, m)
	}
	if st, m, _ = federatedLogin(t, base, tw.Subject); st != 201 {
		t.Fatalf("the 教育部 login still works: %d %v", st, m)
	}
}

// mockoidc (and the well-known key it signs with) is for make run and tests: no function
// links it, and the exchange links no OpenID Connect library at all.
func TestNoFunctionLinksTheLocalProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: lists every function's dependencies")
	}
	for _, fn := range functions(t) {
		cmd := exec.Command("go", "list", "-deps", "./functions/"+fn.Name())
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", fn.Name(), err)
		}
		deps := string(out)
		if strings.Contains(deps, "github.com/oauth2-proxy/mockoidc") || strings.Contains(deps, "github.com/golang-jwt/jwt") ||
			strings.Contains(deps, "shared/federation/localidp") {
			t.Errorf("%s links the local provider", fn.Name())
		}
		if oidc := strings.Contains(deps, "github.com/coreos/go-oidc"); oidc != (fn.Name() == "start-federated-login" || fn.Name() == "federated-login-callback") {
			t.Errorf("%s: links go-oidc %v", fn.Name(), oidc)
		}
	}
}
