package registration_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/registration"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

const pw = "Smoke#2026ok"

type world struct {
	*testkit.Kit
	h api.HandlerFunc
}

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	return &world{Kit: k, h: registration.NewRegister(k.Store, k.Clock, testkit.Pepper, "2019.03")}
}

// form is a valid registration whose mobile has been sent a code.
func (w *world) form(t *testing.T) map[string]any {
	t.Helper()
	phone := testkit.Phone()
	send := smscode.NewSend(w.Store, w.Outbox, w.Operators, testkit.SMSLimits, w.Clock, testkit.Pepper)
	res := apitest.Call(t, send, apitest.Request{Method: "POST", Path: "/v1/sms-codes",
		Body: map[string]any{"phone": phone, "purpose": "register", "captcha": w.Solve()}})
	if res.Status != 202 {
		t.Fatalf("sms code: %d %v", res.Status, res.Body)
	}
	return map[string]any{
		"idType": "resident_id", "idNumber": testkit.ResidentID("19900307"), "name": "张三",
		"idValidFrom": "2020-01-01", "idValidTo": "2040-01-01",
		"password": pw, "passwordConfirm": pw, "email": "123456789@qq.com",
		"phone": phone, "smsCode": w.LastCode(phone), "agreementAccepted": true,
	}
}

func (w *world) register(t *testing.T, body any) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.h, apitest.Request{Method: "POST", Path: "/v1/accounts", Body: body})
}

func TestRegisters(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	w.Env.Calls.Reset()
	res := w.register(t, f)
	if res.Status != 201 || res.Str("account") != f["idNumber"] || res.Str("accountId") == "" {
		t.Fatalf("got %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "TransactWriteItems=1 UpdateItem=1" {
		t.Fatalf("round trips: %s", got)
	}
	a, err := w.Env.Store.GetAccount(context.Background(), f["idNumber"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if a.AccountID != res.Str("accountId") || a.Role != "applicant" || a.Phone != "+86"+f["phone"].(string) ||
		a.Email != "123456789@qq.com" || a.IDValidTo != "2040-01-01" || a.Name != "张三" {
		t.Fatalf("stored %+v", a)
	}
	if a.AgreementVersion != "2019.03" || a.AgreementAcceptedAt != w.Clock.Now().UTC().Format(time.RFC3339) {
		t.Fatalf("agreement not stored: %q %q", a.AgreementVersion, a.AgreementAcceptedAt)
	}
	if !strings.HasPrefix(a.PasswordHash, "$argon2id$") {
		t.Fatalf("password stored as %q", a.PasswordHash)
	}
	if ok, _ := password.Verify(pw, a.PasswordHash); !ok {
		t.Fatal("stored hash does not verify")
	}
}

func TestDocumentNumbersAreStoredUpperCase(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	f["idNumber"] = "11010519491231002x"
	f["idValidTo"] = "long-term"
	res := w.register(t, f)
	if res.Status != 201 || res.Str("account") != "11010519491231002X" {
		t.Fatalf("got %d %v", res.Status, res.Body)
	}
	a, _ := w.Env.Store.GetAccount(context.Background(), "11010519491231002X")
	if a.IDValidTo != "long-term" {
		t.Fatalf("validity %q", a.IDValidTo)
	}
}

func TestEveryFieldRuleBeforeTheCode(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	cases := []struct {
		field string
		value any
	}{
		{"idType", "passport"},
		{"idNumber", "110105199003071230"},
		{"idNumber", "１１０１０５１９９００３０７１２３４"},
		{"name", "张"},
		{"name", "张3"},
		{"idValidFrom", "2030-01-01"},
		{"idValidTo", "2021-01-01"},
		{"idValidTo", "2020-02-30"},
		{"password", "short1#"},
		{"password", "Abcdefg1^"},
		{"password", "Abcdefgh1"},
		{"passwordConfirm", "Other#2026ok"},
		{"email", "zhangsan@qq.com"},
		{"email", "123456@qq。com"},
		{"phone", "12800138000"},
		{"smsCode", "12345"},
		{"smsCode", "abcdef"},
		{"agreementAccepted", false},
	}
	for _, c := range cases {
		bad := map[string]any{}
		for k, v := range f {
			bad[k] = v
		}
		bad[c.field] = c.value
		res := w.register(t, bad)
		if res.Status != 422 || res.Code() != api.CodeInvalidField || res.Field() != c.field || res.Message() == "" {
			t.Errorf("%s=%v: got %d %s field %q", c.field, c.value, res.Status, res.Code(), res.Field())
		}
	}
	for _, missing := range []string{"idType", "idNumber", "name", "idValidFrom", "idValidTo", "password", "email", "phone", "smsCode", "agreementAccepted"} {
		bad := map[string]any{}
		for k, v := range f {
			if k != missing {
				bad[k] = v
			}
		}
		if res := w.register(t, bad); res.Status != 422 || res.Field() != missing {
			t.Errorf("without %s: got %d field %q", missing, res.Status, res.Field())
		}
	}
	// Thirty refused forms later the code has had no try: the real form goes through.
	if res := w.register(t, f); res.Status != 201 {
		t.Fatalf("the code was spent by refused forms: %d %v", res.Status, res.Body)
	}
}

func TestMalformedBodies(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	for _, body := range []any{"", "[]", "null", `{"idType": 1}`, map[string]any{"idType": "resident_id", "admin": true}} {
		if res := w.register(t, body); res.Status != 400 || res.Code() != api.CodeBadRequest {
			t.Errorf("%v: %d %s", body, res.Status, res.Code())
		}
	}
	f["agreementAccepted"] = "true"
	if res := w.register(t, f); res.Status != 400 {
		t.Errorf("a string for a boolean: %d", res.Status)
	}
}

func TestWrongCodesAndTheFifthTry(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	right := f["smsCode"].(string)
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	f["smsCode"] = wrong
	for i := 1; i <= 4; i++ {
		res := w.register(t, f)
		if res.Status != 400 || res.Code() != api.CodeCodeInvalid {
			t.Fatalf("wrong code %d: %d %v", i, res.Status, res.Body)
		}
	}
	// The fifth try is the right code, and it is the last one allowed.
	f["smsCode"] = right
	if res := w.register(t, f); res.Status != 201 {
		t.Fatalf("right code on the fifth try: %d %v", res.Status, res.Body)
	}
}

func TestFiveWrongTriesVoidTheCode(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	right := f["smsCode"].(string)
	for i := 0; i < 5; i++ {
		f["smsCode"] = "000000"
		if right == "000000" {
			f["smsCode"] = "111111"
		}
		w.register(t, f)
	}
	f["smsCode"] = right
	if res := w.register(t, f); res.Status != 400 || res.Code() != api.CodeCodeInvalid {
		t.Fatalf("right code after five wrong tries: %d %v", res.Status, res.Body)
	}
}

func TestAnExpiredCodeIsRefused(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	w.Clock.Advance(smscode.TTL)
	if res := w.register(t, f); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("code at 5 minutes: %d %v", res.Status, res.Body)
	}
}

func TestACodeIsForItsOwnMobile(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	g := w.form(t)
	for g["smsCode"] == f["smsCode"] { // one chance in a million
		g = w.form(t)
	}
	f["smsCode"] = g["smsCode"]
	if res := w.register(t, f); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("another mobile's code: %d %v", res.Status, res.Body)
	}
}

func TestANewerCodeReplacesTheOlder(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	older := f["smsCode"].(string)
	send := smscode.NewSend(w.Store, w.Outbox, w.Operators, testkit.SMSLimits, w.Clock, testkit.Pepper)
	newer := older
	for i := 0; i < 2 && newer == older; i++ { // equal codes: one chance in a million
		apitest.Call(t, send, apitest.Request{Method: "POST", Path: "/v1/sms-codes",
			Body: map[string]any{"phone": f["phone"], "purpose": "register", "captcha": w.Solve()}})
		newer = w.LastCode(f["phone"].(string))
	}
	if res := w.register(t, f); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("the older code still works: %d %v", res.Status, res.Body)
	}
	f["smsCode"] = newer
	if res := w.register(t, f); res.Status != 201 {
		t.Fatalf("the newer code: %d %v", res.Status, res.Body)
	}
}

func TestACodeIsSingleUse(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	if res := w.register(t, f); res.Status != 201 {
		t.Fatalf("first: %d", res.Status)
	}
	// Submitted twice: the same account, so the applicant learns it exists.
	if res := w.register(t, f); res.Status != 409 || res.Code() != api.CodeAccountExists {
		t.Fatalf("double submission: %d %v", res.Status, res.Body)
	}
	// The spent code cannot open a second account for another document.
	f["idNumber"] = testkit.ResidentID("19910101")
	if res := w.register(t, f); res.Status != 400 || res.Code() != api.CodeCodeInvalid {
		t.Fatalf("a spent code for another document: %d %v", res.Status, res.Body)
	}
	if _, err := w.Env.Store.GetAccount(context.Background(), f["idNumber"].(string)); err != store.ErrNotFound {
		t.Fatalf("a second account exists: %v", err)
	}
}

func TestOneAccountPerDocumentUnderRace(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.Env.Faults.Set(fault)
			doc := testkit.ResidentID("19850505")
			forms := make([]map[string]any, 6)
			for i := range forms {
				forms[i] = w.form(t)
				forms[i]["idNumber"] = doc
			}
			results := testkit.Race(6, func(i int) apitest.Result { return w.register(t, forms[i]) })
			created, exists := 0, 0
			for _, r := range results {
				switch {
				case r.Status == 201:
					created++
				case r.Status == 409 && r.Code() == api.CodeAccountExists:
					exists++
				default:
					t.Errorf("unexpected %d %v", r.Status, r.Body)
				}
			}
			if created != 1 || exists != 5 {
				t.Fatalf("%d created, %d refused; want 1 and 5", created, exists)
			}
		})
	}
}

// A form sent again and again by an impatient tap: within the code's five tries, every copy
// but one learns that the account exists.
func TestTheSameFormSubmittedFiveTimesAtOnce(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.Env.Faults.Set(fault)
			f := w.form(t)
			results := testkit.Race(smscode.MaxAttempts, func(int) apitest.Result { return w.register(t, f) })
			created, exists := 0, 0
			for _, r := range results {
				switch {
				case r.Status == 201:
					created++
				case r.Status == 409 && r.Code() == api.CodeAccountExists:
					exists++
				default:
					t.Errorf("unexpected %d %v", r.Status, r.Body)
				}
			}
			if created != 1 || exists != smscode.MaxAttempts-1 {
				t.Fatalf("%d created, %d told it exists", created, exists)
			}
		})
	}
}

func TestLogsCarryNoPersonalData(t *testing.T) {
	w := newWorld(t)
	logs := testkit.CaptureLogs(t)
	f := w.form(t)
	w.register(t, f)
	f["password"] = "bad"
	w.register(t, f)
	for _, secret := range []string{f["idNumber"].(string), f["phone"].(string), f["smsCode"].(string), pw, "123456789@qq.com"} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("a log line contains %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs.String(), `"status":201`) {
		t.Fatalf("no request line logged:\n%s", logs)
	}
}

// A registration whose transaction keeps conflicting is a 503 with retryAfter that spends
// nothing: more busy attempts than the code has tries, and the same form then registers.
func TestABusyStoreSpendsNothing(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	w.Env.Faults.Set(storetest.ConflictAlways)
	for i := 0; i <= smscode.MaxAttempts; i++ {
		res := w.register(t, f)
		if res.Status != 503 || res.Code() != api.CodeUnavailable || res.RetryAfter() < 1 {
			t.Fatalf("busy registration %d: %d %v", i, res.Status, res.Body)
		}
	}
	w.Env.Faults.Set(storetest.NoFault)
	if res := w.register(t, f); res.Status != 201 {
		t.Fatalf("the same form once the store is free: %d %v", res.Status, res.Body)
	}
}
