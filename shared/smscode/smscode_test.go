package smscode_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/token"
)

func send(t *testing.T, c *smscode.Issuer, phone string) (int, error) {
	t.Helper()
	return c.Send(context.Background(), smscode.RegisterKey("+86"+phone), "+86"+phone, "192.0.2.1", notify.RegisterCodeSMS, smscode.Owner{})
}

// A 6-digit code has a million values: a plain hash in a copied table gives it back.
func TestStoredHashesAreKeyedByThePepper(t *testing.T) {
	k := testkit.New(t)
	ctx := context.Background()
	phone := testkit.Phone()
	key := smscode.RegisterKey("+86" + phone)
	if _, err := send(t, smscode.NewIssuer(k.Store, k.Outbox, k.Operators, testkit.SMSLimits, k.Clock, testkit.Pepper), phone); err != nil {
		t.Fatal(err)
	}
	code := k.LastCode(phone)
	stored, err := k.Env.Store.AttemptCode(ctx, key, k.Clock.Now(), smscode.MaxAttempts)
	if err != nil {
		t.Fatal(err)
	}
	if token.Equal(stored.Hash, token.Hash("sms-code", key.Purpose, key.Subject, code)) {
		t.Fatal("the code is stored under a plain hash")
	}
	if !token.Equal(stored.Hash, token.Keyed([]byte(testkit.Pepper), "sms-code", key.Purpose, key.Subject, code)) {
		t.Fatal("the stored hash is not the code keyed by the pepper")
	}

	other := smscode.NewChecker(k.Store, k.Clock, []byte("another-pepper-0123456789"))
	var apiErr *api.Error
	if _, err := other.Check(ctx, key, code); !errors.As(err, &apiErr) || apiErr.Code != api.CodeCodeInvalid {
		t.Fatalf("the right code under another pepper: %v", err)
	}
	if _, err := smscode.NewChecker(k.Store, k.Clock, testkit.Pepper).Check(ctx, key, code); err != nil {
		t.Fatalf("the right code under the right pepper: %v", err)
	}
}

// A function deployed without its pepper fails closed, and no applicant pays for it.
func TestWithoutAPepperNothingIsSpent(t *testing.T) {
	k := testkit.New(t)
	ctx := context.Background()
	phone := testkit.Phone()
	key := smscode.RegisterKey("+86" + phone)
	short := []byte("too-short")
	if _, err := send(t, smscode.NewIssuer(k.Store, k.Outbox, k.Operators, testkit.SMSLimits, k.Clock, short), phone); err == nil {
		t.Fatal("a code was sent without a pepper")
	}
	if n := len(k.Outbox.Messages()); n != 0 {
		t.Fatalf("%d messages went out", n)
	}
	left, err := send(t, smscode.NewIssuer(k.Store, k.Outbox, k.Operators, testkit.SMSLimits, k.Clock, testkit.Pepper), phone)
	if err != nil || left != 2 {
		t.Fatalf("the failed send spent quota: %d left, %v", left, err)
	}
	code := k.LastCode(phone)
	for range smscode.MaxAttempts {
		if _, err := smscode.NewChecker(k.Store, k.Clock, short).Check(ctx, key, code); err == nil {
			t.Fatal("a code was checked without a pepper")
		}
	}
	if _, err := smscode.NewChecker(k.Store, k.Clock, testkit.Pepper).Check(ctx, key, code); err != nil {
		t.Fatalf("checks without a pepper spent the code's tries: %v", err)
	}
}

// Whoever types codes for a mobile that is not theirs learns nothing from the refusals: no
// code, a wrong code with tries left, a code spent by its tries and a code someone else used
// all get the same answer.
func TestEveryRefusedCodeGetsOneAnswer(t *testing.T) {
	k := testkit.New(t)
	ctx := context.Background()
	issuer := smscode.NewIssuer(k.Store, k.Outbox, k.Operators, testkit.SMSLimits, k.Clock, testkit.Pepper)
	checker := smscode.NewChecker(k.Store, k.Clock, testkit.Pepper)
	refusal := func(phone, code string) string {
		t.Helper()
		_, err := checker.Check(ctx, smscode.RegisterKey("+86"+phone), code)
		var apiErr *api.Error
		if !errors.As(err, &apiErr) || apiErr.Code != api.CodeCodeInvalid {
			t.Fatalf("%s: %v", phone, err)
		}
		return apiErr.Message
	}
	wrong := func(code string) string { return map[bool]string{true: "000001", false: "000000"}[code == "000000"] }
	answers := map[string]string{"no code sent": refusal(testkit.Phone(), "123456")}

	pending := testkit.Phone()
	if _, err := send(t, issuer, pending); err != nil {
		t.Fatal(err)
	}
	answers["a wrong code, four tries left"] = refusal(pending, wrong(k.LastCode(pending)))

	spent := testkit.Phone()
	if _, err := send(t, issuer, spent); err != nil {
		t.Fatal(err)
	}
	for range smscode.MaxAttempts {
		refusal(spent, wrong(k.LastCode(spent)))
	}
	answers["the right code after five wrong ones"] = refusal(spent, k.LastCode(spent))

	used := testkit.Phone()
	if _, err := send(t, issuer, used); err != nil {
		t.Fatal(err)
	}
	key := smscode.RegisterKey("+86" + used)
	code, err := checker.Check(ctx, key, k.LastCode(used))
	if err != nil {
		t.Fatal(err)
	}
	holder := account.Account{Login: testkit.ResidentID("19900101"), AccountID: token.New(16), Role: account.RoleApplicant}
	if err := k.Env.Store.RegisterAccount(ctx, holder, key, code.Hash, k.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	answers["a wrong code for a used one"] = refusal(used, wrong(k.LastCode(used)))

	for what, msg := range answers {
		if msg != answers["no code sent"] {
			t.Errorf("%s: %q, unlike the answer when no code was sent: %q", what, msg, answers["no code sent"])
		}
	}
}
