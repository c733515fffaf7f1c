package recovery_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/token"
)

// An account a first 教育部 login made has no contacts: recovery says how it gets one, and
// sends nothing; once it has a mobile only, the mobile is the way and the mail is refused.
func TestRecoveryOfAnAccountWithoutContacts(t *testing.T) {
	w := newWorld(t)
	a := account.Account{Login: testkit.ResidentID("19900307"), AccountID: token.New(16), Role: account.RoleApplicant,
		IDType: string(identity.ResidentID), Name: "李雷", Verification: account.Verification{Status: account.StatusUnverified}}
	if err := w.Store.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	res := w.start(t, a)
	if res.Status != 404 || res.Code() != api.CodeAccountNotFound || !strings.Contains(res.Message(), "教育部账号登录") {
		t.Fatalf("step 1 without contacts: %d %v", res.Status, res.Body)
	}

	b := a
	b.Login, b.AccountID, b.Phone = testkit.ResidentID("19900307"), token.New(16), "+86"+testkit.Phone()
	if err := w.Store.CreateAccount(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	res = w.start(t, b)
	if res.Status != 201 || res.Body["emailMasked"] != nil || res.Str("phoneMasked") == "" {
		t.Fatalf("step 1 with a mobile only: %d %v", res.Status, res.Body)
	}
	id := res.Str("resetId")
	if res := w.email(t, id); res.Status != 404 || res.Code() != api.CodeNotFound {
		t.Fatalf("a mail to no address: %d %v", res.Status, res.Body)
	}
	if len(w.ses.Sent()) != 0 {
		t.Fatal("a mail went out")
	}
	if res := w.sms(t, id); res.Status != 202 {
		t.Fatalf("the code to the mobile: %d %v", res.Status, res.Body)
	}
}
