package upkeep_test

import (
	"context"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/token"
)

// An account a first 教育部 login made has no password and no contacts: right after a login
// it sets its mobile without a current password (the login is the proof), and later it must
// log in again first; it gets a password through recovery, not here.
func TestAnAccountWithoutAPasswordSetsItsMobileRightAfterItsLogin(t *testing.T) {
	w := newWorld(t)
	a := account.Account{Login: testkit.ResidentID("19900307"), AccountID: token.New(16), Role: account.RoleApplicant,
		IDType: string(identity.ResidentID), Name: "李雷", Verification: account.Verification{Status: account.StatusUnverified}}
	if err := w.Store.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	code := func(phone string) string {
		t.Helper()
		if res := apitest.Call(t, w.codeH, apitest.Request{Method: "POST", Path: "/v1/sms-codes",
			Body: map[string]any{"phone": phone, "purpose": "contact", "captcha": w.Solve()}}); res.Status != 202 {
			t.Fatalf("code: %d %v", res.Status, res.Body)
		}
		return w.LastCode(phone)
	}

	stale := w.Token(a)
	w.Clock.Advance(session.FreshLogin + time.Minute)
	phone := testkit.Phone()
	res := w.put(t, w.phoneH, "/v1/me/phone", stale, map[string]any{"phone": phone, "smsCode": code(phone)})
	if res.Status != 401 || res.Code() != api.CodeUnauthenticated {
		t.Fatalf("a login older than %v: %d %v", session.FreshLogin, res.Status, res.Body)
	}

	tok := w.Token(a)
	if res := w.put(t, w.pwH, "/v1/me/password", tok, map[string]any{"currentPassword": "x", "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"}); res.Status != 422 || res.Field() != "currentPassword" {
		t.Fatalf("a password set here: %d %v", res.Status, res.Body)
	}
	res = w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"phone": phone, "smsCode": code(phone)})
	if res.Status != 204 {
		t.Fatalf("the mobile right after the login: %d %v", res.Status, res.Body)
	}
	if got := w.Account(a.Login); got.Phone != "+86"+phone || got.PasswordHash != "" {
		t.Fatalf("account %+v", got)
	}
}
