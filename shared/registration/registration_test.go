package registration_test

import (
	"context"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/recovery"
	"github.com/jszg/applicant-accounts/shared/registration"
	"github.com/jszg/applicant-accounts/shared/sitetext"
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
	return &world{Kit: k, h: registration.NewRegister(k.Store, k.Clock, testkit.Pepper)}
}

// form is a valid registration whose mobile has been sent a code.
func (w *world) form(t *testing.T) map[string]any {
	t.Helper()
	return w.formWith(t, testkit.Phone())
}

// formWith is a valid registration of a resident identity card whose mobile, written as
// phone, has been sent a code.
func (w *world) formWith(t *testing.T, phone string) map[string]any {
	t.Helper()
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
	// The version recorded is the one GET /v1/agreement shows.
	shown := apitest.Call(t, sitetext.HandleAgreement, apitest.Request{Method: "GET", Path: "/v1/agreement"})
	if a.AgreementVersion == "" || a.AgreementVersion != shown.Str("version") || a.AgreementAcceptedAt != w.Clock.Now().UTC().Format(time.RFC3339) {
		t.Fatalf("agreement not stored: %q (shown %q) %q", a.AgreementVersion, shown.Str("version"), a.AgreementAcceptedAt)
	}
	if !strings.HasPrefix(a.PasswordHash, "$argon2id$") {
		t.Fatalf("password stored as %q", a.PasswordHash)
	}
	if ok, _ := password.Verify(pw, a.PasswordHash); !ok {
		t.Fatal("stored hash does not verify")
	}
}

// Holders of the three Hong Kong, Macau and Taiwan documents may register a mobile of their
// own place, written as it is written there; it is stored in E.164 and shown masked with its
// country code, in GET /v1/me and in recovery step 1.
func TestPermitHoldersRegisterHongKongMacauAndTaiwanMobiles(t *testing.T) {
	cases := []struct {
		idType, idNumber, phone, stored, masked string
	}{
		{"hk_macau_permit", "H12345678", "+852 9123 4567", "+85291234567", "+852 ****4567"},
		{"hk_macau_permit", "M12345678", "853-66123456", "+85366123456", "+853 ****3456"},
		{"taiwan_permit", "12345678", "0912345678", "+886912345678", "+886 *****5678"},
		{"hmt_residence_permit", hmtPermit("830000", "19900307"), "+886 912-345-679", "+886912345679", "+886 *****5679"},
	}
	for _, c := range cases {
		t.Run(c.idType+" "+c.phone, func(t *testing.T) {
			w := newWorld(t)
			f := w.formWith(t, c.phone)
			f["idType"], f["idNumber"] = c.idType, c.idNumber
			if res := w.register(t, f); res.Status != 201 || res.Str("account") != c.idNumber {
				t.Fatalf("register: %d %v", res.Status, res.Body)
			}
			a := w.Account(c.idNumber)
			if a.Phone != c.stored {
				t.Fatalf("stored %q, want %q", a.Phone, c.stored)
			}
			if sms := w.Outbox.Messages(); sms[len(sms)-1].To != c.stored {
				t.Fatalf("the code went to %q", sms[len(sms)-1].To)
			}
			me := apitest.Call(t, profile.NewMe(w.Store, w.Clock), apitest.Request{Method: "GET", Path: "/v1/me", Token: w.Token(a)})
			if me.Status != 200 || me.Str("phoneMasked") != c.masked {
				t.Fatalf("GET /v1/me: %d %v", me.Status, me.Body)
			}
			step1 := apitest.Call(t, recovery.NewStart(w.Store, w.Clock), apitest.Request{Method: "POST", Path: "/v1/password-resets",
				Body: map[string]any{"idType": c.idType, "idNumber": c.idNumber, "name": "张三", "captcha": w.Solve()}})
			if step1.Status != 201 || step1.Str("phoneMasked") != c.masked {
				t.Fatalf("recovery step 1: %d %v", step1.Status, step1.Body)
			}
		})
	}
}

// hmtPermit is a valid residence-permit number of the region prefix (810000, 820000,
// 830000) born on birth (YYYYMMDD).
func hmtPermit(prefix, birth string) string {
	body := prefix + birth + "001"
	return body + string(identity.CheckChar(body))
}

// A resident identity card goes with a mainland mobile only: one of Hong Kong, Macau or
// Taiwan is refused at phone, before the code is looked at, so it spends none of its tries.
func TestAResidentIDWithAHongKongMobileIsRefusedAtPhone(t *testing.T) {
	w := newWorld(t)
	f := w.formWith(t, "+852 9123 4567")
	right := f["smsCode"].(string)
	f["smsCode"] = "000000"
	if right == "000000" {
		f["smsCode"] = "111111"
	}
	w.Env.Calls.Reset()
	for i := 0; i < 6; i++ { // more than the code's five tries
		res := w.register(t, f)
		if res.Status != 422 || res.Code() != api.CodeInvalidField || res.Field() != "phone" || !strings.Contains(res.Message(), "居民身份证") {
			t.Fatalf("resident_id with +852: %d %v", res.Status, res.Body)
		}
	}
	for _, other := range []string{"0912345678", "+853 6612 3456"} {
		f["phone"] = other
		if res := w.register(t, f); res.Status != 422 || res.Field() != "phone" {
			t.Fatalf("resident_id with %s: %d %v", other, res.Status, res.Body)
		}
	}
	if got := w.Env.Calls.String(); got != "" {
		t.Fatalf("refused forms reached the store: %s", got)
	}
	// The code has had no try: the same mobile with a Hong Kong permit registers with it.
	f["phone"], f["smsCode"], f["idType"], f["idNumber"] = "+852 9123 4567", right, "hk_macau_permit", "H12345678"
	if res := w.register(t, f); res.Status != 201 {
		t.Fatalf("the code was spent by refused forms: %d %v", res.Status, res.Body)
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

// 长期, as the document prints it, is read as long-term and stored so.
func TestAValidityOfChangQiIsLongTerm(t *testing.T) {
	w := newWorld(t)
	f := w.form(t)
	f["idValidTo"] = "长期"
	if res := w.register(t, f); res.Status != 201 {
		t.Fatalf("got %d %v", res.Status, res.Body)
	}
	if a := w.Account(f["idNumber"].(string)); a.IDValidTo != "long-term" {
		t.Fatalf("stored validity %q", a.IDValidTo)
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

// A code tells of one taken number, not of five: a registration refused because its number is
// registered spends the code, so another number with it is refused as a used code (which says
// nothing of that number), and the same form again is told the same as before.
func TestACodeAsksAfterOneTakenNumber(t *testing.T) {
	w := newWorld(t)
	taken, other := w.Applicant("张三"), w.ApplicantWith(identity.ResidentID, testkit.ResidentID("19800101"), "李四")
	f := w.form(t)
	f["idNumber"] = taken.Login
	if res := w.register(t, f); res.Status != 409 || res.Code() != api.CodeAccountExists {
		t.Fatalf("a taken number: %d %v", res.Status, res.Body)
	}
	if res := w.register(t, f); res.Status != 409 || res.Code() != api.CodeAccountExists {
		t.Fatalf("the same form again: %d %v", res.Status, res.Body)
	}
	for _, number := range []string{other.Login, testkit.ResidentID("19910101")} {
		f["idNumber"] = number
		if res := w.register(t, f); res.Status != 400 || res.Code() != api.CodeCodeInvalid {
			t.Fatalf("the code again for %s: %d %v", number[:6], res.Status, res.Body)
		}
	}
}

// triesCountedTogether holds every code try until n have been counted, as when n requests
// with one code are all past their tries before the first reaches its transaction.
type triesCountedTogether struct {
	*store.Store
	counted sync.WaitGroup
}

func (b *triesCountedTogether) AttemptCode(ctx context.Context, k store.CodeKey, now time.Time, max int) (store.Code, error) {
	c, err := b.Store.AttemptCode(ctx, k, now, max)
	b.counted.Done()
	b.counted.Wait()
	return c, err
}

// Requests sent together with one code, whose tries are all counted before any spends it,
// still learn of one number at most: only the request whose spend holds is told its number
// is taken or registers it; the others are told the code is used.
func TestOneCodeSentTogetherTellsOfOneNumber(t *testing.T) {
	for name, free := range map[string]int{"three taken numbers": 0, "two taken and a free one": 1} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			b := &triesCountedTogether{Store: w.Env.Store}
			b.counted.Add(3)
			h := registration.NewRegister(b, w.Clock, testkit.Pepper)
			f := w.form(t)
			forms := make([]map[string]any, 3)
			for i := range forms {
				forms[i] = maps.Clone(f)
				forms[i]["idNumber"] = w.ApplicantWith(identity.ResidentID, testkit.ResidentID("19800101"), "张三").Login
			}
			for i := range free {
				forms[i]["idNumber"] = testkit.ResidentID("19910101")
			}
			results := testkit.Race(3, func(i int) apitest.Result {
				return apitest.Call(t, h, apitest.Request{Method: "POST", Path: "/v1/accounts", Body: forms[i]})
			})
			told := 0
			for _, r := range results {
				switch {
				case r.Status == 201 || r.Code() == api.CodeAccountExists:
					told++
				case r.Code() != api.CodeCodeInvalid:
					t.Errorf("unexpected %d %v", r.Status, r.Body)
				}
			}
			if told != 1 {
				t.Fatalf("one code told of %d numbers: %v", told, results)
			}
		})
	}
}
