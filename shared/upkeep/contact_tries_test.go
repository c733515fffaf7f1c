package upkeep_test

import (
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/upkeep"
)

// texted sends a contact code to a new mobile: the mobile, its code, and a code that is not it.
func (w *world) texted(t *testing.T) (phone, code, wrong string) {
	t.Helper()
	phone = testkit.Phone()
	if res := apitest.Call(t, w.codeH, apitest.Request{Method: "POST", Path: "/v1/sms-codes",
		Body: map[string]any{"phone": phone, "purpose": "contact", "captcha": w.Solve()}}); res.Status != 202 {
		t.Fatalf("code: %d %v", res.Status, res.Body)
	}
	code = w.LastCode(phone)
	return phone, code, map[bool]string{true: "000001", false: "000000"}[code == "000000"]
}

// The new mobile's code try is counted with the current password's attempt, alongside the
// session, and the change is the transaction: two round trips.
func TestAMobileChangeTakesTwoRoundTrips(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	phone, code, _ := w.texted(t)
	w.Env.Calls.Reset()
	if res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": phone, "smsCode": code}); res.Status != 204 {
		t.Fatalf("change: %d %v", res.Status, res.Body)
	}
	// The session batch ∥ the attempt (a transaction with the session's liveness) ∥ the
	// code's try; the transaction ∥ the attempt back.
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 TransactWriteItems=2 UpdateItem=2" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
}

// A try counted before the password is known is given back when the password is wrong, when
// the form is refused before it is compared (with the password's attempt: no lock comes
// nearer), or when the caller has no session: a stolen session spends none of the new
// mobile's five tries, and neither do refused forms.
func TestOnlyAProvenHolderSpendsTheNewMobilesCodeTries(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	phone, code, wrong := w.texted(t)
	for i := 0; i < session.MaxFailures-1; i++ {
		res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": "Wrong#2026ok", "phone": phone, "smsCode": code})
		if res.Status != 422 || res.Field() != "currentPassword" {
			t.Fatalf("wrong password %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	for i := 0; i < smscode.MaxAttempts+session.MaxFailures; i++ {
		// No current password: refused before one is compared, its attempt given back too.
		res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": "", "phone": phone, "smsCode": code})
		if res.Status != 422 || res.Field() != "currentPassword" {
			t.Fatalf("no password %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	// A token whose seal opens but that no session has: counted for, then refused.
	ended := w.Store.NewSessionToken(a.Login, a.Epoch)
	for i := 0; i < smscode.MaxAttempts; i++ {
		res := w.put(t, w.phoneH, "/v1/me/phone", ended, map[string]any{"currentPassword": testkit.Password, "phone": phone, "smsCode": wrong})
		if res.Status != 401 {
			t.Fatalf("no session %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	for i := 0; i < smscode.MaxAttempts-1; i++ {
		res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": phone, "smsCode": wrong})
		if res.Code() != api.CodeCodeInvalid {
			t.Fatalf("wrong code %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	// Four wrong codes by the holder: the fifth try is the right code.
	if res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": phone, "smsCode": code}); res.Status != 204 {
		t.Fatalf("the right code on its fifth try: %d %v", res.Status, res.Body)
	}
}

// Concurrent guesses by the holder get five tries in all: each is counted before it is
// compared. (Right passwords racing can find the login's five attempts all in flight: 423,
// and their code tries given back.)
func TestRacingGuessesOfTheNewMobilesCodeGetFiveTries(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	phone, code, wrong := w.texted(t)
	results := testkit.Race(20, func(int) apitest.Result {
		return w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": phone, "smsCode": wrong})
	})
	locked := 0
	for _, r := range results {
		switch {
		case r.Status == 423:
			locked++
		case r.Code() != api.CodeCodeInvalid:
			t.Fatalf("a wrong code: %d %v", r.Status, r.Body)
		}
	}
	// The tries kept are the wrong codes judged, at most five. The first five tries are
	// always counted, and only a 423 gives one back (its password attempt found the login's
	// five in flight), so at least five less the 423s are kept. None may be: a CODE_INVALID
	// can be a try refused because five were counted at that moment, by requests that then
	// met a 423 and gave theirs back (on a loaded machine, 4 to 19 runs in 100).
	judged := w.codeAttempts(t, "CODE#contact#+86"+phone)
	if judged > smscode.MaxAttempts || judged < smscode.MaxAttempts-locked {
		t.Fatalf("%d tries kept, %d locked out", judged, locked)
	}
	res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": phone, "smsCode": code})
	if judged == smscode.MaxAttempts && res.Code() != api.CodeCodeInvalid || judged < smscode.MaxAttempts && res.Status != 204 {
		t.Fatalf("the right code after %d wrong ones judged: %d %v", judged, res.Status, res.Body)
	}
}

// codeAttempts is the tries counted on the code item pk.
func (w *world) codeAttempts(t *testing.T, pk string) int {
	t.Helper()
	out, err := w.Env.Client.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(storetest.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: "CODE"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("code %s: %v", pk, err)
	}
	n, ok := out.Item["attempts"].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("code %s has no attempts", pk)
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The e-mail change counts the same way: two round trips.
func TestAnAddressChangeTakesTwoRoundTrips(t *testing.T) {
	w := newWorld(t)
	mailer := w.ses.Mailer("noreply@jszg.edu.cn")
	a := w.Applicant("张三")
	tok := w.Token(a)
	ask := apitest.Call(t, upkeep.NewSendEmailCode(w.Store, mailer, w.Clock, testkit.Pepper), apitest.Request{Method: "POST", Path: "/v1/me/email-codes", Token: tok, Body: map[string]any{"email": "zhangsan@example.cn"}})
	if ask.Status != 202 {
		t.Fatalf("code: %d %v", ask.Status, ask.Body)
	}
	sent := w.ses.Sent()
	code := mailedCode.FindStringSubmatch(sent[len(sent)-1].Content.Simple.Body.Text.Data)
	w.Env.Calls.Reset()
	if res := w.put(t, upkeep.NewChangeEmail(w.Store, w.Outbox, mailer, w.Clock, testkit.Pepper), "/v1/me/email", tok, map[string]any{"currentPassword": testkit.Password, "email": "zhangsan@example.cn", "code": code[1]}); res.Status != 204 {
		t.Fatalf("change: %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 TransactWriteItems=2 UpdateItem=2" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
}

// While the login is locked, a change counts its code try and gives it back once: the tries
// the holder spent stay as they were.
func TestALockedLoginLeavesTheCodesTriesAsTheyWere(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	phone, code, wrong := w.texted(t)
	pk := "CODE#contact#+86" + phone
	for i := 0; i < 2; i++ {
		if res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": phone, "smsCode": wrong}); res.Code() != api.CodeCodeInvalid {
			t.Fatalf("wrong code: %d %v", res.Status, res.Body)
		}
	}
	for i := 0; i < session.MaxFailures+3; i++ {
		res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": "Wrong#2026ok", "phone": phone, "smsCode": code})
		if i >= session.MaxFailures-1 && res.Status != 423 {
			t.Fatalf("attempt %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	if got := w.codeAttempts(t, pk); got != 2 {
		t.Fatalf("%d tries kept, want the holder's 2", got)
	}
}

// Through a token whose seal names no epoch (issued before seals did), the attempt is counted
// after the session's read, and the new mobile's code is tried once, after the password: the
// read; the attempt; the try; the transaction with the attempt back.
func TestAMobileChangeThroughATokenSealedWithoutAnEpochTriesTheCodeOnce(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.TokenBeforeTheEpoch(a)
	phone, code, _ := w.texted(t)
	w.Env.Calls.Reset()
	if res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": phone, "smsCode": code}); res.Status != 204 {
		t.Fatalf("change: %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 TransactWriteItems=2 UpdateItem=2" || w.Env.Calls.Trips() != 4 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
}
