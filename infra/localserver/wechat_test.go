package localserver_test

import (
	"fmt"
	"testing"

	"github.com/jszg/applicant-accounts/shared/testkit"
)

// As a new user would, against the local server: a WeChat user taps 取验证码, sends a
// document number and registers with the code; later, bound, resets the password from
// WeChat and logs in with the new one.
func TestTheWeChatDoorAsApplicantsMeetIt(t *testing.T) {
	wechatDoor(t, start(t, nil).URL)
}

// wechatDoor is that flow against the server at base (the policy test runs it too).
func wechatDoor(t *testing.T, base string) {
	t.Helper()
	a := applicant{t, base}
	wx := func(openID string, body map[string]any) string {
		t.Helper()
		st, m := do(t, "POST", base+"/local/wechat/"+openID, body)
		a.must("wechat", 200, st, m)
		return fmt.Sprint(m["reply"])
	}
	code := func(reply string) string {
		t.Helper()
		c := smsCode.FindStringSubmatch(reply)
		if c == nil {
			t.Fatalf("no code in %q", reply)
		}
		return c[1]
	}
	doc := testkit.ResidentID("19950505")
	wx("o-new", map[string]any{"event": "subscribe"})
	wx("o-new", map[string]any{"event": "CLICK", "key": "GET_CODE"})
	wechatCode := code(wx("o-new", map[string]any{"text": doc}))
	st, m := do(t, "POST", base+"/v1/accounts", map[string]any{"idType": "resident_id", "idNumber": doc, "name": "李微信",
		"idValidFrom": "2020-01-01", "idValidTo": "长期", "password": testkit.Password, "passwordConfirm": testkit.Password,
		"email": "wx@example.cn", "phone": testkit.Phone(), "wechatCode": wechatCode, "agreementAccepted": true})
	a.must("register with the WeChat code", 201, st, m)
	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": doc, "password": testkit.Password, "captcha": solved(t, base)})
	m = a.must("login", 201, st, m)
	tok, _ := m["token"].(string)
	st, m = doAs(t, tok, "GET", base+"/v1/me", nil)
	if m = a.must("me", 200, st, m); m["phoneVerified"] != false || m["wechatBound"] != false {
		t.Fatalf("me after a WeChat registration: %v", m)
	}
	st, m = doAs(t, tok, "POST", base+"/v1/me/wechat-binding", map[string]any{"currentPassword": testkit.Password})
	m = a.must("binding code", 201, st, m)
	if m["qrUrl"] == nil {
		t.Fatalf("no QR code from the local fake API: %v", m)
	}
	wx("o-new", map[string]any{"text": fmt.Sprint(m["bindCode"])})
	resetCode := code(wx("o-new", map[string]any{"event": "CLICK", "key": "RESET_PASSWORD"}))
	st, m = do(t, "POST", base+"/v1/password-resets/complete", map[string]any{"account": doc, "wechatCode": resetCode,
		"newPassword": "Wechat#2026ok", "newPasswordConfirm": "Wechat#2026ok"})
	a.must("reset with the WeChat code", 204, st, m)
	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": doc, "password": "Wechat#2026ok", "captcha": solved(t, base)})
	a.must("login with the new password", 201, st, m)
}
