package localserver_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/infra/localserver"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/pquerna/otp/totp"
)

// everyFlow drives every HTTP function of the template once over HTTP, refusals included:
// an applicant registers, fails online verification, is rejected by a reviewer, submits
// again (that review stays pending) and resets the password by SMS after asking for a mail.
// It returns every secret and personal value it used or was given.
func everyFlow(t *testing.T, srv *localserver.Server) []string {
	t.Helper()
	base := srv.URL
	expect := func(what string, status, want int, m map[string]any) {
		t.Helper()
		if status != want {
			t.Fatalf("%s: %d %v", what, status, m)
		}
	}
	st, m := do(t, "GET", base+"/v1/ethnicities", nil)
	expect("ethnicities", st, 200, m)
	st, m = do(t, "GET", base+"/v1/nowhere", nil)
	expect("an unknown route", st, 404, m)
	st, m = do(t, "GET", base+"/v1/agreement", nil)
	expect("agreement", st, 200, m)
	st, m = do(t, "GET", base+"/v1/verification-guide", nil)
	expect("verification guide", st, 200, m)

	phone, doc, name, email := testkit.Phone(), testkit.ResidentID("19900307"), "王核验失败", "987654321@qq.com"
	pw, wrongPw, newPw := "Smoke#2026ok", "Wrong#2026ok", "Newer#2026ok"
	st, m = do(t, "POST", base+"/v1/sms-codes", map[string]any{"phone": phone, "purpose": "register", "captcha": solved(t, base)})
	expect("sms code", st, 202, m)
	code := lastOutbox(t, base, "sms", phone, smsCode)
	form := map[string]any{"idType": "resident_id", "idNumber": doc, "name": name, "idValidFrom": "2020-01-01",
		"idValidTo": "2040-01-01", "password": "nodigits#", "passwordConfirm": "nodigits#", "email": email, "phone": phone,
		"smsCode": code, "agreementAccepted": true}
	st, m = do(t, "POST", base+"/v1/accounts", form)
	expect("a refused form", st, 422, m)
	form["password"], form["passwordConfirm"] = pw, pw
	st, m = do(t, "POST", base+"/v1/accounts", form)
	expect("register", st, 201, m)

	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": doc, "password": wrongPw, "captcha": solved(t, base)})
	expect("a wrong password", st, 401, m)
	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": doc, "password": pw, "captcha": solved(t, base)})
	expect("login", st, 201, m)
	tok, _ := m["token"].(string)
	st, m = doAs(t, tok, "GET", base+"/v1/me", nil)
	expect("me", st, 200, m)
	st, m = doAs(t, tok, "PUT", base+"/v1/me/profile", map[string]any{"ethnicity": "汉族"})
	expect("profile", st, 200, m)
	st, m = doAs(t, tok, "POST", base+"/v1/me/verifications", nil)
	expect("verification (the simulator fails the name)", st, 200, m)
	if m["guideUrl"] != srv.Deps.GuideURL {
		t.Fatalf("a failed resident_id is not sent to the CTID guide at %s: %v", srv.Deps.GuideURL, m)
	}
	review := map[string]any{"name": name, "idType": "resident_id", "idNumber": doc, "idValidFrom": "2020-01-01",
		"idValidTo": "2040-01-01", "photo": testkit.JPEG(64, 64)}
	st, m = doAs(t, tok, "POST", base+"/v1/me/manual-reviews", review)
	expect("manual review", st, 202, m)
	reviewID, _ := m["reviewId"].(string)
	st, m = doAs(t, tok, "GET", base+"/v1/me/manual-reviews", nil)
	expect("my reviews", st, 200, m)

	st, m = reviewerLogin(t, base, srv.Deps.Clock.Now())
	expect("reviewer login", st, 201, m)
	rtok, _ := m["token"].(string)
	st, m = doAs(t, rtok, "GET", base+"/v1/reviews?status=pending", nil)
	expect("queue", st, 200, m)
	st, m = doAs(t, rtok, "GET", base+"/v1/reviews/"+reviewID, nil)
	expect("open a review", st, 200, m)
	st, m = doAs(t, rtok, "POST", base+"/v1/reviews/"+reviewID+"/decision", map[string]any{"decision": "reject", "reason": "照片不清晰"})
	expect("decision", st, 200, m)
	review["idValidTo"] = "长期" // as the document prints it: read as long-term
	st, m = doAs(t, tok, "POST", base+"/v1/me/manual-reviews", review)
	expect("manual review again, valid 长期", st, 202, m)
	againID, _ := m["reviewId"].(string)

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

	// The mobile and mailbox are lost: a correction, proven by a code to the new mobile and
	// a photo, approved by the reviewer.
	newPhone, newEmail := testkit.Phone(), "246813579@qq.com"
	st, m = do(t, "POST", base+"/v1/sms-codes", map[string]any{"phone": newPhone, "purpose": "contact", "captcha": solved(t, base)})
	expect("contact code", st, 202, m)
	contactCode := lastOutbox(t, base, "sms", newPhone, smsCode)
	st, m = do(t, "POST", base+"/v1/account-corrections", map[string]any{"kind": "contact", "idType": "resident_id", "idNumber": doc,
		"name": name, "idValidFrom": "2020-01-01", "idValidTo": "2040-01-01", "phone": newPhone, "smsCode": contactCode,
		"email": newEmail, "photo": testkit.JPEG(64, 64), "captcha": solved(t, base)})
	expect("contact correction", st, 202, m)
	correctionID, _ := m["reviewId"].(string)
	st, m = doAs(t, rtok, "GET", base+"/v1/reviews/"+correctionID, nil)
	expect("open the correction", st, 200, m)
	st, m = doAs(t, rtok, "POST", base+"/v1/reviews/"+correctionID+"/decision", map[string]any{"decision": "approve", "approval": "first"})
	expect("the correction's first approval", st, 200, m)
	if m["status"] != "pending" {
		t.Fatalf("a correction decided by one reviewer: %v", m)
	}
	st, m = reviewerLoginAs(t, base, localserver.LocalSecondReviewer, srv.Deps.Clock.Now())
	expect("the second reviewer's login", st, 201, m)
	rtok2, _ := m["token"].(string)
	st, m = doAs(t, rtok2, "GET", base+"/v1/reviews/"+correctionID, nil)
	expect("the second reviewer opens it", st, 200, m)
	st, m = doAs(t, rtok2, "POST", base+"/v1/reviews/"+correctionID+"/decision", map[string]any{"decision": "approve", "approval": "second"})
	expect("correction approved", st, 200, m)

	// Logged in again: the password, then the mobile, changed by the applicant.
	newerPw, thirdPhone := "Newest#2026ok", testkit.Phone()
	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": doc, "password": newPw, "captcha": solved(t, base)})
	expect("login after the correction", st, 201, m)
	tok2, _ := m["token"].(string)
	st, m = doAs(t, tok2, "PUT", base+"/v1/me/password", map[string]any{"currentPassword": newPw, "newPassword": newerPw, "newPasswordConfirm": newerPw})
	expect("password change", st, 204, m)
	st, m = do(t, "POST", base+"/v1/sms-codes", map[string]any{"phone": thirdPhone, "purpose": "contact", "captcha": solved(t, base)})
	expect("code for the new mobile", st, 202, m)
	phoneCode := lastOutbox(t, base, "sms", thirdPhone, smsCode)
	st, m = doAs(t, tok2, "PUT", base+"/v1/me/phone", map[string]any{"currentPassword": newerPw, "phone": thirdPhone, "smsCode": phoneCode})
	expect("mobile change", st, 204, m)
	newestEmail := "112233445@qq.com"
	st, m = doAs(t, tok2, "POST", base+"/v1/me/email-codes", map[string]any{"email": newestEmail})
	expect("code for the new address", st, 202, m)
	emailCode := lastOutbox(t, base, "email", newestEmail, mailCode)
	st, m = doAs(t, tok2, "PUT", base+"/v1/me/email", map[string]any{"currentPassword": newerPw, "email": newestEmail, "code": emailCode})
	expect("e-mail change", st, 204, m)

	// WeChat: a binding code from the site, sent in WeChat; 找回密码 there; unbinding.
	openID := "o-flow-user"
	st, m = doAs(t, tok2, "POST", base+"/v1/me/wechat-binding", map[string]any{"currentPassword": newerPw})
	expect("binding code", st, 201, m)
	bindCode, _ := m["bindCode"].(string)
	st, m = do(t, "POST", base+"/local/wechat/"+openID, map[string]any{"text": bindCode})
	expect("bind in WeChat", st, 200, m)
	st, m = do(t, "POST", base+"/local/wechat/"+openID, map[string]any{"event": "CLICK", "key": "RESET_PASSWORD"})
	expect("找回密码 in WeChat", st, 200, m)
	wechatReset := smsCode.FindStringSubmatch(fmt.Sprint(m["reply"]))
	if wechatReset == nil {
		t.Fatalf("no reset code in the reply: %v", m)
	}
	st, m = doAs(t, tok2, "DELETE", base+"/v1/me/wechat-binding", map[string]any{"currentPassword": newerPw})
	expect("unbind", st, 204, m)
	st, m = do(t, "POST", base+"/local/wechat/"+openID, map[string]any{"event": "CLICK", "key": "GET_CODE"})
	expect("取验证码", st, 200, m)
	wechatDoc := testkit.ResidentID("19920202")
	st, m = do(t, "POST", base+"/local/wechat/"+openID, map[string]any{"text": wechatDoc})
	expect("the number in WeChat", st, 200, m)
	wechatCode := smsCode.FindStringSubmatch(fmt.Sprint(m["reply"]))
	if wechatCode == nil {
		t.Fatalf("no registration code in the reply: %v", m)
	}

	// The 教育部 login: a first login makes an account; a registered number and name are
	// linked and log in again; the federated session logs out.
	fed := federatedFlows(t, base)

	// The number claimed back by a holder, approved by both reviewers once the account's own
	// review is decided: the account is theirs.
	st, m = doAs(t, rtok, "POST", base+"/v1/reviews/"+againID+"/decision", map[string]any{"decision": "approve"})
	expect("the review approved", st, 200, m)
	holderPhone := testkit.Phone()
	st, m = do(t, "POST", base+"/v1/sms-codes", map[string]any{"phone": holderPhone, "purpose": "contact", "captcha": solved(t, base)})
	expect("the holder's code", st, 202, m)
	holderCode := lastOutbox(t, base, "sms", holderPhone, smsCode)
	st, m = do(t, "POST", base+"/v1/account-corrections", map[string]any{"kind": "ownership", "idType": "resident_id", "idNumber": doc,
		"name": "真持有人", "idValidFrom": "2020-01-01", "idValidTo": "2040-01-01", "phone": holderPhone, "smsCode": holderCode,
		"email": "holder@example.cn", "photo": testkit.JPEG(64, 64), "captcha": solved(t, base)})
	expect("ownership claim", st, 202, m)
	claimID, _ := m["reviewId"].(string)
	for _, tok := range []string{rtok2, rtok} {
		st, m = doAs(t, tok, "GET", base+"/v1/reviews/"+claimID, nil)
		expect("open the claim", st, 200, m)
	}
	st, m = doAs(t, rtok2, "POST", base+"/v1/reviews/"+claimID+"/decision", map[string]any{"decision": "approve"})
	expect("the claim's first approval", st, 200, m)
	st, m = doAs(t, rtok, "POST", base+"/v1/reviews/"+claimID+"/decision", map[string]any{"decision": "approve"})
	expect("claim approved", st, 200, m)
	st, m = do(t, "POST", base+"/v1/sessions", map[string]any{"account": doc, "password": newerPw, "captcha": solved(t, base)})
	expect("the previous holder's password", st, 401, m)
	st, m = doAs(t, rtok2, "DELETE", base+"/v1/sessions/current", nil)
	expect("the second reviewer's logout", st, 204, m)

	st, m = doAs(t, rtok, "DELETE", base+"/v1/sessions/current", nil)
	expect("reviewer logout", st, 204, m)

	return append(fed, phone, "+86"+phone, doc, doc[:14], name, email, pw, wrongPw, newPw,
		localserver.LocalReviewerPassword, localserver.LocalReviewerOTPSecret, code, resetCode, link, tok, rtok, resetID,
		rtok2, holderPhone, "+86"+holderPhone, holderCode,
		newPhone, "+86"+newPhone, newEmail, contactCode, newerPw, thirdPhone, "+86"+thirdPhone, phoneCode, tok2, newestEmail, emailCode, openID, bindCode, wechatReset[1], wechatDoc, wechatCode[1])
}

// reviewerLogin logs the local reviewer in with SPEC §4's password and the second factor's
// code for the server's time at.
func reviewerLogin(t *testing.T, base string, at time.Time) (int, map[string]any) {
	t.Helper()
	return reviewerLoginAs(t, base, localserver.LocalReviewer, at)
}

func reviewerLoginAs(t *testing.T, base, login string, at time.Time) (int, map[string]any) {
	t.Helper()
	code, err := totp.GenerateCode(localserver.LocalReviewerOTPSecret, at)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, "POST", base+"/v1/sessions", map[string]any{"account": login,
		"password": localserver.LocalReviewerPassword, "otp": code, "captcha": solved(t, base)})
}
