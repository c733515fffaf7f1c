package recovery_test

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/notify/notifytest"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/recovery"
	"github.com/jszg/applicant-accounts/shared/reset"
	"github.com/jszg/applicant-accounts/shared/reviewer"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/token"
)

const newPw = "Reset#2026ok"

type world struct {
	*testkit.Kit
	ses                             *notifytest.SES
	startH, email_, sms_, completeH api.HandlerFunc
	login                           api.HandlerFunc
	me                              api.HandlerFunc
}

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	ses := notifytest.NewSES(t)
	return &world{Kit: k, ses: ses,
		startH:    recovery.NewStart(k.Store, k.Clock),
		email_:    recovery.NewEmail(k.Store, ses.Mailer("noreply@jszg.edu.cn"), k.Clock, "https://www.jszg.edu.cn/reset-password"),
		sms_:      recovery.NewSMS(k.Store, k.Outbox, k.Operators, testkit.SMSLimits, k.Clock, testkit.Pepper),
		completeH: recovery.NewComplete(k.Store, k.Outbox, k.Outbox, k.Clock, testkit.Pepper),
		login:     session.NewLogin(k.Store, k.Operators, k.Clock),
		me:        profile.NewMe(k.Store, k.Clock)}
}

func (w *world) start(t *testing.T, a account.Account) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.startH, apitest.Request{Method: "POST", Path: "/v1/password-resets",
		Body: map[string]any{"idType": a.IDType, "idNumber": a.Login, "name": a.Name, "captcha": w.Solve()}})
}

func (w *world) resetID(t *testing.T, a account.Account) string {
	t.Helper()
	res := w.start(t, a)
	if res.Status != 201 {
		t.Fatalf("start: %d %v", res.Status, res.Body)
	}
	return res.Str("resetId")
}

func (w *world) post(t *testing.T, h api.HandlerFunc, path, id string) apitest.Result {
	t.Helper()
	return apitest.Call(t, h, apitest.Request{Method: "POST", Path: path, Params: map[string]string{"resetId": id}})
}

func (w *world) email(t *testing.T, id string) apitest.Result {
	return w.post(t, w.email_, "/v1/password-resets/"+url.PathEscape(id)+"/email", id)
}

func (w *world) sms(t *testing.T, id string) apitest.Result {
	return w.post(t, w.sms_, "/v1/password-resets/"+url.PathEscape(id)+"/sms", id)
}

// mailed starts a reset for a new applicant and has its link mailed: the link's token.
func (w *world) mailed(t *testing.T) (a account.Account, tok string) {
	t.Helper()
	a = w.Applicant("张三")
	if res := w.email(t, w.resetID(t, a)); res.Status != 202 {
		t.Fatalf("reset mail: %d %v", res.Status, res.Body)
	}
	return a, w.mailedToken(t)
}

// texted starts a reset for a new applicant and has its code sent.
func (w *world) texted(t *testing.T) (a account.Account, id, code string) {
	t.Helper()
	a = w.Applicant("张三")
	id = w.resetID(t, a)
	if res := w.sms(t, id); res.Status != 202 {
		t.Fatalf("reset code: %d %v", res.Status, res.Body)
	}
	return a, id, w.LastCode(a.Phone)
}

var linkToken = regexp.MustCompile(`token=([A-Za-z0-9_\-.~%]+)`)

// mailedToken is the token of the newest mail's link, read from the request SES received.
func (w *world) mailedToken(t *testing.T) string {
	t.Helper()
	sent := w.ses.Sent()
	if len(sent) == 0 {
		t.Fatal("no mail sent")
	}
	m := linkToken.FindStringSubmatch(sent[len(sent)-1].Content.Simple.Body.Text.Data)
	if m == nil {
		t.Fatal("no link in the mail")
	}
	tok, err := url.QueryUnescape(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (w *world) complete(t *testing.T, body map[string]any) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.completeH, apitest.Request{Method: "POST", Path: "/v1/password-resets/complete", Body: body})
}

func (w *world) tryLogin(t *testing.T, a account.Account, pw string) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": a.Login, "password": pw, "captcha": w.Solve()}})
}

func TestStepOneRevealsOnlyOnAnExactMatch(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	res := w.start(t, a)
	phone := strings.TrimPrefix(a.Phone, "+86")
	if res.Status != 201 || res.Str("phoneMasked") != phone[:3]+"****"+phone[7:] ||
		res.Str("emailMasked") != "12****@qq.com" || res.Int("expiresIn") != 1800 || len(res.Str("resetId")) < 22 {
		t.Fatalf("match: %d %v", res.Status, res.Body)
	}
	var refusal string
	for name, body := range map[string]map[string]any{
		"wrong name":     {"idType": a.IDType, "idNumber": a.Login, "name": "李四"},
		"wrong type":     {"idType": "hmt_residence_permit", "idNumber": "810000" + a.Login[6:17] + "0", "name": a.Name},
		"unknown number": {"idType": a.IDType, "idNumber": testkit.ResidentID("19700101"), "name": a.Name},
	} {
		body["captcha"] = w.Solve()
		res := apitest.Call(t, w.startH, apitest.Request{Method: "POST", Path: "/v1/password-resets", Body: body})
		if name == "wrong type" && res.Status == 422 {
			continue // the number does not fit the type: a form error, still nothing revealed
		}
		if res.Status != 404 || res.Code() != api.CodeAccountNotFound {
			t.Errorf("%s: %d %v", name, res.Status, res.Body)
		}
		if refusal == "" {
			refusal = res.Raw
		}
		if res.Raw != refusal || strings.Contains(res.Raw, "****") {
			t.Errorf("%s: refusals differ or reveal something: %s", name, res.Raw)
		}
	}
	if err := reviewer.Create(t.Context(), w.Env.Store, "li.reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	res = apitest.Call(t, w.startH, apitest.Request{Method: "POST", Path: "/v1/password-resets",
		Body: map[string]any{"idType": "resident_id", "idNumber": "LI.REVIEWER", "name": "李审核", "captcha": w.Solve()}})
	if res.Status == 201 {
		t.Fatal("a reviewer account was found by applicant recovery")
	}
}

// The name is compared as registration stores it: a name stored before a normalisation rule
// existed (a compatibility ideograph, a look-alike dot) still matches what its holder types,
// and Latin letters match in any case; a different name never does.
func TestStepOneComparesNamesAsRegistrationStoresThem(t *testing.T) {
	w := newWorld(t)
	for stored, typed := range map[string]string{
		"阿依古丽•买买提":     "阿依古丽·买买提", // stored with a look-alike dot
		"\uF900明":      "豈明",       // a compatibility ideograph, as registration no longer stores it
		"CHAN TAI MAN": "Chan Tai Man",
	} {
		a := w.ApplicantWith(identity.ResidentID, testkit.ResidentID("19850101"), stored)
		a.Name = typed
		if res := w.start(t, a); res.Status != 201 {
			t.Errorf("stored %q, typed %q: %d %v", stored, typed, res.Status, res.Body)
		}
	}
	a := w.ApplicantWith(identity.ResidentID, testkit.ResidentID("19850101"), "CHAN TAI MAN")
	a.Name = "CHAN TAI MAY"
	if res := w.start(t, a); res.Status != 404 {
		t.Errorf("a different Latin name matched: %d %v", res.Status, res.Body)
	}
}

func TestStepOneNeedsTheSlider(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	res := apitest.Call(t, w.startH, apitest.Request{Method: "POST", Path: "/v1/password-resets",
		Body: map[string]any{"idType": a.IDType, "idNumber": a.Login, "name": a.Name}})
	if res.Status != 422 || res.Field() != "captcha" {
		t.Fatalf("no slider: %d %v", res.Status, res.Body)
	}
	bad := w.Solve()
	bad.X += 40
	res = apitest.Call(t, w.startH, apitest.Request{Method: "POST", Path: "/v1/password-resets",
		Body: map[string]any{"idType": a.IDType, "idNumber": a.Login, "name": a.Name, "captcha": bad}})
	if res.Code() != api.CodeCaptchaFailed {
		t.Fatalf("wrong slider: %d %v", res.Status, res.Body)
	}
}

func TestRecoverByEmail(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	old := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": a.Login, "password": testkit.Password, "captcha": w.Solve()}}).Str("token")
	w.Env.Calls.Reset()
	id := w.resetID(t, a)
	// The slider spent and the account read together; the reset stored.
	if got := w.Env.Calls.String(); got != "GetItem=1 PutItem=2" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("step one: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	w.Env.Calls.Reset()
	if res := w.email(t, id); res.Status != 202 || res.Int("expiresIn") != 86400 {
		t.Fatalf("email: %d %v", res.Status, res.Body)
	}
	// The reset's count; then the account's count, the address's, the link and the account,
	// sent together.
	if got := w.Env.Calls.String(); got != "GetItem=1 PutItem=1 UpdateItem=3" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	sent := w.ses.Sent()[0]
	if sent.Destination.ToAddresses[0] != a.Email || !strings.Contains(sent.Content.Simple.Body.Text.Data, "https://www.jszg.edu.cn/reset-password?token=") {
		t.Fatalf("mail %+v", sent)
	}
	tok := w.mailedToken(t)
	if strings.Contains(w.Env.Dump(t), tok) {
		t.Fatal("the link token is stored in the clear")
	}
	w.Env.Calls.Reset()
	if res := w.complete(t, map[string]any{"token": tok, "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 204 {
		t.Fatalf("complete: %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "GetItem=1 TransactWriteItems=1" {
		t.Fatalf("round trips: %s", got)
	}
	if res := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: old}); res.Status != 401 {
		t.Fatalf("the session from before the reset still works: %d", res.Status)
	}
	if res := w.tryLogin(t, a, testkit.Password); res.Code() != api.CodeLoginFailed {
		t.Fatalf("the old password: %d %v", res.Status, res.Body)
	}
	if res := w.tryLogin(t, a, newPw); res.Status != 201 {
		t.Fatalf("the new password: %d %v", res.Status, res.Body)
	}
	// Single use.
	if res := w.complete(t, map[string]any{"token": tok, "newPassword": "Again#2026ok", "newPasswordConfirm": "Again#2026ok"}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("the link again: %d %v", res.Status, res.Body)
	}
}

func TestALinkLastsADay(t *testing.T) {
	w := newWorld(t)
	_, tok := w.mailed(t)
	w.Clock.Advance(recovery.LinkTTL)
	if res := w.complete(t, map[string]any{"token": tok, "newPassword": newPw, "newPasswordConfirm": newPw}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("a link at 24 hours: %d %v", res.Status, res.Body)
	}
	w.Clock.Advance(-time.Second)
	if res := w.complete(t, map[string]any{"token": tok, "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 204 {
		t.Fatalf("a link a second before 24 hours: %d %v", res.Status, res.Body)
	}
}

func TestARefusedFormLeavesTheLinkUsable(t *testing.T) {
	w := newWorld(t)
	_, tok := w.mailed(t)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"token": tok, "newPassword": "short1#", "newPasswordConfirm": "short1#"}, "newPassword"},
		{map[string]any{"token": tok, "newPassword": "Abcdefgh1", "newPasswordConfirm": "Abcdefgh1"}, "newPassword"},
		{map[string]any{"token": tok, "newPassword": newPw, "newPasswordConfirm": "Other#2026ok"}, "newPasswordConfirm"},
		{map[string]any{"newPassword": newPw, "newPasswordConfirm": newPw}, "token"},
	} {
		if res := w.complete(t, c.body); res.Status != 422 || res.Field() != c.field {
			t.Errorf("%v: %d %v", c.body, res.Status, res.Body)
		}
	}
	if res := w.complete(t, map[string]any{"token": tok, "resetId": "x", "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 400 {
		t.Errorf("both ways at once: %d %v", res.Status, res.Body)
	}
	if res := w.complete(t, map[string]any{"token": "not-a-token", "newPassword": newPw, "newPasswordConfirm": newPw}); res.Code() != api.CodeCodeInvalid {
		t.Errorf("a made-up token: %d %v", res.Status, res.Body)
	}
	if res := w.complete(t, map[string]any{"token": tok, "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 204 {
		t.Fatalf("the link after refused forms: %d %v", res.Status, res.Body)
	}
}

// Five refused forms with the right code: had any counted a try, the code would be void.
func TestARefusedFormLeavesTheCodeUsable(t *testing.T) {
	w := newWorld(t)
	_, id, code := w.texted(t)
	refused := []map[string]any{
		{"resetId": id, "smsCode": code, "newPassword": "short1#", "newPasswordConfirm": "short1#"},
		{"resetId": id, "smsCode": code, "newPassword": "Abcdefgh1", "newPasswordConfirm": "Abcdefgh1"},
		{"resetId": id, "smsCode": code, "newPassword": "Abc defg#1", "newPasswordConfirm": "Abc defg#1"},
		{"resetId": id, "smsCode": code, "newPassword": newPw, "newPasswordConfirm": "Other#2026ok"},
		{"resetId": id, "smsCode": code, "newPassword": newPw},
	}
	if len(refused) < smscode.MaxAttempts {
		t.Fatal("fewer refused forms than a code has tries")
	}
	for _, body := range refused {
		if res := w.complete(t, body); res.Status != 422 {
			t.Errorf("%v: %d %v", body, res.Status, res.Body)
		}
	}
	if res := w.complete(t, map[string]any{"resetId": id, "smsCode": code, "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 204 {
		t.Fatalf("the code after refused forms: %d %v", res.Status, res.Body)
	}
}

func TestTwoCompletionsRacingWithOneToken(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.Env.Faults.Set(fault)
			a, tok := w.mailed(t)
			results := testkit.Race(2, func(i int) apitest.Result {
				pw := []string{"First#2026ok", "Second#2026ok"}[i]
				return w.complete(t, map[string]any{"token": tok, "newPassword": pw, "newPasswordConfirm": pw})
			})
			ok, invalid := 0, 0
			for _, r := range results {
				switch {
				case r.Status == 204:
					ok++
				case r.Code() == api.CodeCodeInvalid:
					invalid++
				default:
					t.Errorf("unexpected %d %v", r.Status, r.Body)
				}
			}
			if ok != 1 || invalid != 1 {
				t.Fatalf("%d succeeded, %d refused", ok, invalid)
			}
			if w.Account(a.Login).Epoch != 1 {
				t.Fatalf("epoch %d, want one reset applied", w.Account(a.Login).Epoch)
			}
		})
	}
}

func TestRecoverBySMS(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	id := w.resetID(t, a)
	w.Env.Calls.Reset()
	res := w.sms(t, id)
	if res.Status != 202 || res.Int("expiresIn") != 300 || res.Int("remainingToday") != 2 {
		t.Fatalf("sms: %d %v", res.Status, res.Body)
	}
	// The counts (the mobile's, the address's, the hour's budget) with the reset and its
	// account, sent together (the id names the mobile); the code.
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 PutItem=1 UpdateItem=3" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	code := w.LastCode(a.Phone)
	w.Env.Calls.Reset()
	if res := w.complete(t, map[string]any{"resetId": id, "smsCode": code, "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 204 {
		t.Fatalf("complete: %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "TransactWriteItems=1 UpdateItem=1" {
		t.Fatalf("round trips: %s", got)
	}
	if res := w.tryLogin(t, a, newPw); res.Status != 201 {
		t.Fatalf("the new password: %d %v", res.Status, res.Body)
	}
	if res := w.complete(t, map[string]any{"resetId": id, "smsCode": code, "newPassword": "Again#2026ok", "newPasswordConfirm": "Again#2026ok"}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("the code again: %d %v", res.Status, res.Body)
	}
}

func TestResetCodesFollowTheCodeRules(t *testing.T) {
	w := newWorld(t)
	a, id, right := w.texted(t)
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	body := func(code string) map[string]any {
		return map[string]any{"resetId": id, "smsCode": code, "newPassword": newPw, "newPasswordConfirm": newPw}
	}
	if res := w.complete(t, map[string]any{"resetId": id, "smsCode": "12", "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 422 || res.Field() != "smsCode" {
		t.Fatalf("malformed code: %d %v", res.Status, res.Body)
	}
	for i := 0; i < smscode.MaxAttempts; i++ {
		if res := w.complete(t, body(wrong)); res.Code() != api.CodeCodeInvalid {
			t.Fatalf("wrong %d: %d %v", i, res.Status, res.Body)
		}
	}
	if res := w.complete(t, body(right)); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("the right code after five wrong: %d %v", res.Status, res.Body)
	}
	// A new code for the same reset works, and expires after five minutes.
	w.sms(t, id)
	w.Clock.Advance(smscode.TTL)
	if res := w.complete(t, body(w.LastCode(a.Phone))); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("a code at 5 minutes: %d %v", res.Status, res.Body)
	}
}

func TestResetCodesShareTheMobilesDailyQuota(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	register := smscode.NewSend(w.Store, w.Outbox, w.Operators, testkit.SMSLimits, w.Clock, testkit.Pepper)
	res := apitest.Call(t, register, apitest.Request{Method: "POST", Path: "/v1/sms-codes",
		Body: map[string]any{"phone": a.Phone, "purpose": "register", "captcha": w.Solve()}})
	if res.Status != 202 {
		t.Fatalf("registration code: %d", res.Status)
	}
	id := w.resetID(t, a)
	for want := 1; want >= 0; want-- {
		if res := w.sms(t, id); res.Status != 202 || res.Int("remainingToday") != want {
			t.Fatalf("reset code: %d %v, want remaining %d", res.Status, res.Body, want)
		}
	}
	if res := w.sms(t, id); res.Status != 429 || res.Code() != api.CodeQuotaExceeded {
		t.Fatalf("fourth code of the day: %d %v", res.Status, res.Body)
	}
}

func TestAResetIDLastsThirtyMinutes(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	id := w.resetID(t, a)
	w.Clock.Advance(recovery.ResetTTL)
	for name, res := range map[string]apitest.Result{"email": w.email(t, id), "sms": w.sms(t, id)} {
		if res.Status != 404 || res.Code() != api.CodeNotFound {
			t.Errorf("%s at 30 minutes: %d %v", name, res.Status, res.Body)
		}
	}
	if res := w.email(t, "made-up"); res.Status != 404 {
		t.Errorf("unknown reset: %d", res.Status)
	}
	if len(w.ses.Sent()) != 0 || len(w.Outbox.Messages()) != 0 {
		t.Fatal("something was sent for an expired reset")
	}
	// The id says when it ends: an expired one is refused without a read.
	w.Env.Calls.Reset()
	if res := w.sms(t, id); res.Status != 404 || w.Env.Calls.String() != "" {
		t.Fatalf("SMS at 30 minutes: %d, requests %q", res.Status, w.Env.Calls.String())
	}
}

func TestAResetIDHidesTheMobileAndTheNumber(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	id := w.resetID(t, a)
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	// Every id is as long as every other: its length tells nothing of the document or mobile.
	hk := w.ApplicantWith(identity.HKMacauPermit, "H12345678", "陈大文")
	if other := w.resetID(t, hk); len(other) != len(id) {
		t.Fatalf("ids of %d and %d characters", len(id), len(other))
	}
	national := strings.TrimPrefix(a.Phone, "+86")
	for _, secret := range []string{a.Login, national, national[3:7]} {
		if strings.Contains(id, secret) || strings.Contains(string(raw), secret) {
			t.Fatalf("the id shows %q", secret)
		}
	}
	// An id changed by one character, or spelled another way (an unused bit of its last
	// character set, a line break a decoder would skip), opens nothing and sends nothing.
	mid := len(id) / 2
	forged := id[:mid] + map[bool]string{true: "A", false: "B"}[id[mid] != 'A'] + id[mid+1:]
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	twin := id[:len(id)-1] + string(alphabet[strings.IndexByte(alphabet, id[len(id)-1])^1])
	for name, bad := range map[string]string{"forged": forged, "twin": twin, "line-broken": id[:5] + "\n" + id[5:]} {
		w.Env.Calls.Reset()
		if res := w.sms(t, bad); res.Status != 404 || res.Code() != api.CodeNotFound {
			t.Fatalf("%s id: %d %v", name, res.Status, res.Body)
		}
		if got := w.Env.Calls.String(); got != "GetItem=1" {
			t.Fatalf("a %s id: %s, want only the read of an id from before the seal", name, got)
		}
	}
	if res := w.sms(t, id); res.Status != 202 || res.Int("remainingToday") != 2 {
		t.Fatalf("the real id after the forged one: %d %v", res.Status, res.Body)
	}
}

// Resets started before the seal key named their mobile in the id live out their 30 minutes.
func TestAResetFromBeforeTheSealStillTexts(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	id := token.New(16)
	if err := w.Store.PutReset(t.Context(), reset.Request{ID: id, Login: a.Login, Name: a.Name, Epoch: a.Epoch,
		Phone: a.Phone, Email: a.Email, ExpiresAt: w.Clock.Now().Add(recovery.ResetTTL).Unix()}); err != nil {
		t.Fatal(err)
	}
	w.Env.Calls.Reset()
	if res := w.sms(t, id); res.Status != 202 || res.Int("remainingToday") != 2 {
		t.Fatalf("sms: %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 GetItem=1 PutItem=1 UpdateItem=3" || w.Env.Calls.Trips() != 3 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	if res := w.complete(t, map[string]any{"resetId": id, "smsCode": w.LastCode(a.Phone), "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 204 {
		t.Fatalf("complete: %d %v", res.Status, res.Body)
	}
}

func TestAResetSendsAtMostThreeMails(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	id := w.resetID(t, a)
	w.ses.Fail(true)
	if res := w.email(t, id); res.Status != 503 || res.Code() != api.CodeUnavailable {
		t.Fatalf("SES down: %d %v", res.Status, res.Body)
	}
	w.ses.Fail(false)
	for i := 0; i < recovery.MailsPerReset; i++ {
		if res := w.email(t, id); res.Status != 202 {
			t.Fatalf("mail %d (the failed one not counted): %d %v", i, res.Status, res.Body)
		}
	}
	if res := w.email(t, id); res.Status != 429 || res.Code() != api.CodeQuotaExceeded {
		t.Fatalf("fourth mail: %d %v", res.Status, res.Body)
	}
}

func TestACompletedResetVoidsEveryOtherLinkAndCode(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	first := w.resetID(t, a)
	w.email(t, first)
	otherLink := w.mailedToken(t)
	second := w.resetID(t, a)
	w.sms(t, second)
	otherCode := w.LastCode(a.Phone)
	third := w.resetID(t, a)
	w.email(t, third)
	// A code asked in WeChat by the account's bound user, which holds by the binding.
	if _, err := w.Env.Client.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
		TableName: aws.String(storetest.Table), UpdateExpression: aws.String("SET wechat = :u"),
		Key:                       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ACCOUNT#" + a.Login}, "sk": &types.AttributeValueMemberS{Value: "ACCOUNT"}},
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": &types.AttributeValueMemberS{Value: "wx-user"}},
	}); err != nil {
		t.Fatal(err)
	}
	wechatKey := smscode.WechatResetKey(a.Login)
	hash, _ := smscode.HashCode(testkit.Pepper, wechatKey, "246810")
	if err := w.Store.PutCode(t.Context(), wechatKey, store.Code{Hash: hash, Expires: w.Clock.Now().Add(smscode.TTL), Login: a.Login, WechatUser: "wx-user"}); err != nil {
		t.Fatal(err)
	}
	if res := w.complete(t, map[string]any{"token": w.mailedToken(t), "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 204 {
		t.Fatalf("complete: %d %v", res.Status, res.Body)
	}
	if res := w.complete(t, map[string]any{"account": a.Login, "wechatCode": "246810", "newPassword": "Other#2026ok", "newPasswordConfirm": "Other#2026ok"}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("an outstanding WeChat code after a reset: %d %v", res.Status, res.Body)
	}
	// A reset proven by the account's mailbox also removes the WeChat binding, which needed
	// only the password.
	if w.Account(a.Login).WechatUser != "" {
		t.Fatal("the WeChat binding outlasted a reset by mail")
	}
	if res := w.complete(t, map[string]any{"token": otherLink, "newPassword": "Other#2026ok", "newPasswordConfirm": "Other#2026ok"}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("an older link after a reset: %d %v", res.Status, res.Body)
	}
	if res := w.complete(t, map[string]any{"resetId": second, "smsCode": otherCode, "newPassword": "Other#2026ok", "newPasswordConfirm": "Other#2026ok"}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("an outstanding code after a reset: %d %v", res.Status, res.Body)
	}
	if res := w.tryLogin(t, a, newPw); res.Status != 201 {
		t.Fatalf("the completed reset's password: %d %v", res.Status, res.Body)
	}
}

func TestAResetUnlocksTheAccount(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	for i := 0; i < 5; i++ {
		w.tryLogin(t, a, "Wrong#2026ok")
	}
	if res := w.tryLogin(t, a, testkit.Password); res.Status != 423 {
		t.Fatalf("not locked: %d", res.Status)
	}
	w.email(t, w.resetID(t, a))
	if res := w.complete(t, map[string]any{"token": w.mailedToken(t), "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 204 {
		t.Fatalf("complete: %d %v", res.Status, res.Body)
	}
	if res := w.tryLogin(t, a, newPw); res.Status != 201 {
		t.Fatalf("after the reset: %d %v", res.Status, res.Body)
	}
}

// A completion whose transaction keeps conflicting is a 503 that spends nothing: more busy
// attempts than the code has tries, and the same completion then resets the password; a
// mailed link likewise stays usable.
func TestABusyStoreSpendsNoProof(t *testing.T) {
	w := newWorld(t)
	a, id, code := w.texted(t)
	body := map[string]any{"resetId": id, "smsCode": code, "newPassword": newPw, "newPasswordConfirm": newPw}
	w.Env.Faults.Set(storetest.ConflictAlways)
	for i := 0; i <= smscode.MaxAttempts; i++ {
		if res := w.complete(t, body); res.Status != 503 || res.RetryAfter() < 1 {
			t.Fatalf("busy completion %d: %d %v", i, res.Status, res.Body)
		}
	}
	w.Env.Faults.Set(storetest.NoFault)
	if res := w.complete(t, body); res.Status != 204 {
		t.Fatalf("the same completion once the store is free: %d %v", res.Status, res.Body)
	}
	if res := w.tryLogin(t, a, newPw); res.Status != 201 {
		t.Fatalf("login with the new password: %d %v", res.Status, res.Body)
	}

	_, tok := w.mailed(t)
	body = map[string]any{"token": tok, "newPassword": newPw, "newPasswordConfirm": newPw}
	w.Env.Faults.Set(storetest.ConflictAlways)
	if res := w.complete(t, body); res.Status != 503 {
		t.Fatalf("busy completion by link: %d %v", res.Status, res.Body)
	}
	w.Env.Faults.Set(storetest.NoFault)
	if res := w.complete(t, body); res.Status != 204 {
		t.Fatalf("the link once the store is free: %d %v", res.Status, res.Body)
	}
}

// Many step 1s cannot flood an inbox: an account gets MailsPerAccountDay reset mails a CST
// day, whatever the number of resets asking.
func TestAnAccountGetsFiveResetMailsADay(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	sent := 0
	for r := 0; r < 3; r++ {
		id := w.resetID(t, a)
		for m := 0; m < recovery.MailsPerReset; m++ {
			res := w.email(t, id)
			switch {
			case res.Status == 202:
				sent++
			case res.Code() == api.CodeQuotaExceeded && sent == recovery.MailsPerAccountDay:
			default:
				t.Fatalf("reset %d, mail %d after %d sent: %d %v", r, m, sent, res.Status, res.Body)
			}
		}
	}
	if sent != recovery.MailsPerAccountDay || len(w.ses.Sent()) != sent {
		t.Fatalf("%d mails answered 202, %d sent", sent, len(w.ses.Sent()))
	}
	w.Clock.Advance(24 * time.Hour)
	if res := w.email(t, w.resetID(t, a)); res.Status != 202 {
		t.Fatalf("the next day: %d %v", res.Status, res.Body)
	}
}

// A completed reset ends its request and every other made before it: none sends a mail with
// a dead link or an SMS that spends the mobile's quota.
func TestACompletedResetLeavesNoRequestThatSends(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	other := w.resetID(t, a)
	used := w.resetID(t, a)
	if res := w.email(t, used); res.Status != 202 {
		t.Fatalf("mail: %d %v", res.Status, res.Body)
	}
	if res := w.complete(t, map[string]any{"token": w.mailedToken(t), "newPassword": newPw, "newPasswordConfirm": newPw}); res.Status != 204 {
		t.Fatalf("complete: %d %v", res.Status, res.Body)
	}
	mails, texts := len(w.ses.Sent()), len(w.Outbox.Messages())
	for _, id := range []string{used, other} {
		if res := w.email(t, id); res.Status != 404 || res.Code() != api.CodeNotFound {
			t.Fatalf("mail from %s after the reset: %d %v", id, res.Status, res.Body)
		}
		if res := w.sms(t, id); res.Status != 404 || res.Code() != api.CodeNotFound {
			t.Fatalf("SMS from %s after the reset: %d %v", id, res.Status, res.Body)
		}
	}
	if len(w.ses.Sent()) != mails || len(w.Outbox.Messages()) != texts {
		t.Fatal("a dead reset sent something")
	}
	// The mobile's quota is whole: a new reset sends its code.
	if res := w.sms(t, w.resetID(t, a)); res.Status != 202 || res.Int("remainingToday") != 2 {
		t.Fatalf("a new reset's code: %d %v", res.Status, res.Body)
	}
}

// A WeChat reset code kept before codes held by their binding carries the account's epoch
// instead, and completes as it did: only at that epoch.
func TestAWechatCodeKeptByItsEpochCompletesAtThatEpoch(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	key := smscode.WechatResetKey(a.Login)
	keep := func(code string, epoch int64) {
		hash, _ := smscode.HashCode(testkit.Pepper, key, code)
		if err := w.Store.PutCode(t.Context(), key, store.Code{Hash: hash, Expires: w.Clock.Now().Add(smscode.TTL), Login: a.Login, Epoch: epoch}); err != nil {
			t.Fatal(err)
		}
	}
	complete := func(code string) apitest.Result {
		return w.complete(t, map[string]any{"account": a.Login, "wechatCode": code, "newPassword": newPw, "newPasswordConfirm": newPw})
	}
	keep("135790", a.Epoch+1)
	if res := complete("135790"); res.Code() != api.CodeCodeInvalid || !strings.Contains(res.Message(), "微信验证码") {
		t.Fatalf("a code of another epoch: %d %v", res.Status, res.Body)
	}
	// A WeChat code refused is named as one, not as an SMS code.
	for _, code := range []string{"000000", "12345"} {
		if res := complete(code); !strings.Contains(res.Message(), "微信验证码") {
			t.Fatalf("the code %q: %d %v", code, res.Status, res.Body)
		}
	}
	keep("246801", a.Epoch)
	if res := complete("246801"); res.Status != 204 {
		t.Fatalf("a code of the account's epoch: %d %v", res.Status, res.Body)
	}
}

// Accounts naming one address (registration proves none) have at most
// notify.MailsPerMailboxDay reset links mailed to it a day between them.
func TestAnAddressGetsAtMostTheDaysLinksAcrossAccounts(t *testing.T) {
	w := newWorld(t)
	sent, boxFull := 0, 0
	for range 3 {
		a := w.Applicant("张三") // every test applicant's address is the same
		for range 2 {
			id := w.resetID(t, a)
			for range recovery.MailsPerReset {
				switch res := w.email(t, id); {
				case res.Status == 202:
					sent++
				case res.Status == 429 && strings.Contains(res.Message(), "该邮箱今日"):
					boxFull++
				case res.Status == 429: // the reset's or the account's
				default:
					t.Fatalf("a link: %d %v", res.Status, res.Body)
				}
			}
		}
	}
	if sent != notify.MailsPerMailboxDay || len(w.ses.Sent()) != sent || boxFull == 0 {
		t.Fatalf("%d links mailed (%d mails), %d refused for the address", sent, len(w.ses.Sent()), boxFull)
	}
	w.Clock.Advance(24 * time.Hour)
	if res := w.email(t, w.resetID(t, w.Applicant("李四"))); res.Status != 202 {
		t.Fatalf("the next day: %d %v", res.Status, res.Body)
	}
}
