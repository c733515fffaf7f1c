package smscode_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

func handler(k *testkit.Kit) api.HandlerFunc {
	return smscode.NewSend(k.Store, k.Outbox, k.Operators, testkit.SMSLimits, k.Clock, testkit.Pepper)
}

func ask(t *testing.T, k *testkit.Kit, body any) apitest.Result {
	t.Helper()
	return askThrough(t, handler(k), body)
}

func askThrough(t *testing.T, h api.HandlerFunc, body any) apitest.Result {
	t.Helper()
	return apitest.Call(t, h, apitest.Request{Method: "POST", Path: "/v1/sms-codes", Body: body})
}

// Each counter is one UpdateItem whether it is the first of its period or a later one, and
// the three are sent together with the slider's spending: two round trips in all (the slider
// and the counters, the code).
func TestEveryCodeOfTheDayTakesTwoRoundTrips(t *testing.T) {
	k := testkit.New(t)
	phone := testkit.Phone()
	for i := 0; i < 3; i++ {
		a := k.Solve()
		k.Env.Calls.Reset()
		if res := ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": a}); res.Status != 202 {
			t.Fatalf("code %d: %d %v", i, res.Status, res.Body)
		}
		if got := k.Env.Calls.String(); got != "PutItem=2 UpdateItem=3" || k.Env.Calls.Trips() != 2 {
			t.Fatalf("code %d: %s in %d round trips", i, got, k.Env.Calls.Trips())
		}
	}
}

func TestSendsACode(t *testing.T) {
	k := testkit.New(t)
	phone := testkit.Phone()
	k.Env.Calls.Reset()
	res := ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()})
	if res.Status != 202 || res.Int("expiresIn") != 300 || res.Int("remainingToday") != 2 {
		t.Fatalf("got %d %v", res.Status, res.Body)
	}
	// The slider spent, the mobile's day, the address's hour and the hour's budget counted,
	// together (one UpdateItem each, the first of a period too); the code.
	if got := k.Env.Calls.String(); got != "PutItem=2 UpdateItem=3" || k.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, k.Env.Calls.Trips())
	}

	msgs := k.Outbox.Messages()
	if len(msgs) != 1 || msgs[0].Channel != "sms" || msgs[0].To != "+86"+phone {
		t.Fatalf("outbox %+v", msgs)
	}
	code := k.LastCode(phone)
	if len(code) != 6 {
		t.Fatalf("code %q", code)
	}
	if strings.Contains(k.Env.Dump(t), code) {
		t.Fatal("the code is stored in the clear")
	}
}

// The route does not know the document, so it sends to a mobile of any of the four places
// (registration decides whether it fits the document), always to its E.164 form.
func TestCodesGoToHongKongMacauAndTaiwanMobilesInE164(t *testing.T) {
	k := testkit.New(t)
	for phone, e164 := range map[string]string{
		"+852 9123 4567":    "+85291234567",
		"853-66123456":      "+85366123456",
		"0912-345-678":      "+886912345678",
		"+886 0987 654 321": "+886987654321",
	} {
		if res := ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()}); res.Status != 202 {
			t.Fatalf("%s: %d %v", phone, res.Status, res.Body)
		}
		msgs := k.Outbox.Messages()
		if last := msgs[len(msgs)-1]; last.To != e164 {
			t.Fatalf("%s: sent to %q, want %q", phone, last.To, e164)
		}
	}
	for _, bad := range []string{"+852 2123 4567", "+853 2812 3456", "+886 2 2345 6789", "+1 415 555 0100"} {
		if res := ask(t, k, map[string]any{"phone": bad, "purpose": "register", "captcha": k.Solve()}); res.Status != 422 || res.Field() != "phone" {
			t.Errorf("%s: %d %v", bad, res.Status, res.Body)
		}
	}
}

// Three codes a day per mobile, however it is written: the count is kept by E.164.
func TestTheDailyQuotaIsPerMobileHoweverItIsWritten(t *testing.T) {
	k := testkit.New(t)
	for i, phone := range []string{"+852 9123 4567", "852-91234567", "+85291234567"} {
		if res := ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()}); res.Status != 202 || res.Int("remainingToday") != 2-i {
			t.Fatalf("%s: %d %v", phone, res.Status, res.Body)
		}
	}
	if res := ask(t, k, map[string]any{"phone": "85291234567", "purpose": "register", "captcha": k.Solve()}); res.Status != 429 {
		t.Fatalf("a fourth code to the same mobile: %d %v", res.Status, res.Body)
	}
}

func TestFieldErrorsComeBeforeTheSlider(t *testing.T) {
	k := testkit.New(t)
	answer := k.Solve()
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"bad phone", map[string]any{"phone": "12345", "purpose": "register", "captcha": answer}, "phone"},
		{"full-width phone", map[string]any{"phone": "１３８００１３８０００", "purpose": "register", "captcha": answer}, "phone"},
		{"reset purpose", map[string]any{"phone": "13800138000", "purpose": "reset", "captcha": answer}, "purpose"},
		{"no purpose", map[string]any{"phone": "13800138000", "captcha": answer}, "purpose"},
		{"no captcha", map[string]any{"phone": "13800138000", "purpose": "register"}, "captcha"},
		{"empty captcha id", map[string]any{"phone": "13800138000", "purpose": "register", "captcha": map[string]any{"id": "", "x": 1}}, "captcha"},
	}
	for _, c := range cases {
		res := ask(t, k, c.body)
		if res.Status != 422 || res.Code() != api.CodeInvalidField || res.Field() != c.field {
			t.Errorf("%s: got %d %s %s", c.name, res.Status, res.Code(), res.Field())
		}
	}
	if len(k.Outbox.Messages()) != 0 {
		t.Fatal("a refused form sent an SMS")
	}
	// None of them spent the slider.
	res := ask(t, k, map[string]any{"phone": "13800138000", "purpose": "register", "captcha": answer})
	if res.Status != 202 {
		t.Fatalf("the slider was spent by a refused form: %d %v", res.Status, res.Body)
	}
}

func TestBadJSONIsRefused(t *testing.T) {
	k := testkit.New(t)
	for _, body := range []string{``, `[]`, `{"phone":13800138000,"purpose":"register"}`, `{"phone":"13800138000","purpose":"register","extra":1}`, `{"Phone":"13800138000"}`} {
		if res := ask(t, k, body); res.Status != 400 || res.Code() != api.CodeBadRequest {
			t.Errorf("%q: %d %s", body, res.Status, res.Code())
		}
	}
}

func TestTheSliderIsSpentOnce(t *testing.T) {
	k := testkit.New(t)
	answer := k.Solve()
	body := map[string]any{"phone": testkit.Phone(), "purpose": "register", "captcha": answer}
	if res := ask(t, k, body); res.Status != 202 {
		t.Fatalf("first: %d %v", res.Status, res.Body)
	}
	if res := ask(t, k, body); res.Status != 400 || res.Code() != api.CodeCaptchaFailed {
		t.Fatalf("reused slider: %d %v", res.Status, res.Body)
	}
}

func TestAWrongDropSpendsTheSlider(t *testing.T) {
	k := testkit.New(t)
	phone := testkit.Phone()
	for _, dx := range []float64{-captcha.Tolerance - 1, captcha.Tolerance + 1} {
		answer := k.Solve()
		answer.X += dx
		if res := ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": answer}); res.Code() != api.CodeCaptchaFailed {
			t.Fatalf("off by %v: %d %v", dx, res.Status, res.Body)
		}
		answer.X -= dx
		if res := ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": answer}); res.Code() != api.CodeCaptchaFailed {
			t.Fatalf("a corrected retry of a spent slider passed: %d", res.Status)
		}
	}
	for _, dx := range []float64{-captcha.Tolerance, captcha.Tolerance, 0.4} {
		answer := k.Solve()
		answer.X += dx
		if res := ask(t, k, map[string]any{"phone": testkit.Phone(), "purpose": "register", "captcha": answer}); res.Status != 202 {
			t.Fatalf("off by %v, within tolerance: %d %v", dx, res.Status, res.Body)
		}
	}
}

func TestAnExpiredSliderFails(t *testing.T) {
	k := testkit.New(t)
	answer := k.Solve()
	k.Clock.Advance(captcha.TTL + time.Second)
	if res := ask(t, k, map[string]any{"phone": testkit.Phone(), "purpose": "register", "captcha": answer}); res.Code() != api.CodeCaptchaFailed {
		t.Fatalf("expired slider: %d %v", res.Status, res.Body)
	}
	if res := ask(t, k, map[string]any{"phone": testkit.Phone(), "purpose": "register", "captcha": map[string]any{"id": "nope", "x": 1}}); res.Code() != api.CodeCaptchaFailed {
		t.Fatalf("unknown slider: %d %v", res.Status, res.Body)
	}
}

func TestThreeCodesPerMobilePerDayUnderRace(t *testing.T) {
	k := testkit.New(t)
	k.Clock.Set(time.Date(2026, 11, 27, 23, 0, 0, 0, clock.CST))
	phone := testkit.Phone()
	answers := make([]*captcha.Answer, 8)
	for i := range answers {
		answers[i] = k.Solve()
	}
	results := testkit.Race(8, func(i int) apitest.Result {
		return ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": answers[i]})
	})
	accepted, refused := 0, 0
	remaining := map[int]bool{}
	for _, r := range results {
		switch {
		case r.Status == 202:
			accepted++
			remaining[r.Int("remainingToday")] = true
		case r.Status == 429 && r.Code() == api.CodeQuotaExceeded:
			refused++
			e := r.Body["error"].(map[string]any)
			if e["retryAfter"] != float64(3600) {
				t.Errorf("retryAfter %v, want the 3600 s to CST midnight", e["retryAfter"])
			}
		default:
			t.Errorf("unexpected %d %v", r.Status, r.Body)
		}
	}
	if accepted != 3 || refused != 5 || !remaining[0] || !remaining[1] || !remaining[2] {
		t.Fatalf("%d accepted (remaining %v), %d refused; want 3 (2, 1, 0) and 5", accepted, remaining, refused)
	}
	if n := len(k.Outbox.Messages()); n != 3 {
		t.Fatalf("%d SMS sent", n)
	}
}

func TestTheQuotaRollsOverAtCSTMidnight(t *testing.T) {
	k := testkit.New(t)
	k.Clock.Set(time.Date(2026, 11, 27, 23, 59, 59, 0, clock.CST))
	phone := testkit.Phone()
	for i := 0; i < 3; i++ {
		if res := ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()}); res.Status != 202 {
			t.Fatalf("send %d: %d", i, res.Status)
		}
	}
	res := ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()})
	if res.Status != 429 || res.Headers["Retry-After"] != "1" {
		t.Fatalf("fourth at 23:59:59: %d %v", res.Status, res.Headers)
	}
	k.Clock.Advance(time.Second)
	res = ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()})
	if res.Status != 202 || res.Int("remainingToday") != 2 {
		t.Fatalf("first at 00:00:00: %d %v", res.Status, res.Body)
	}
}

// failingSNS answers every Publish with an SNS error, as when SMS spending limits are hit.
func failingSNS(t *testing.T) notify.SMS {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded for +8613800138000</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1}
	return awssns.NewSMS(cfg, aws.String(srv.URL), "")
}

func TestAFailedSendSpendsNoQuota(t *testing.T) {
	k := testkit.New(t)
	logs := testkit.CaptureLogs(t)
	phone := testkit.Phone()
	failing := smscode.NewSend(k.Store, failingSNS(t), k.Operators, testkit.SMSLimits, k.Clock, testkit.Pepper)
	for i := 0; i < 4; i++ {
		res := askThrough(t, failing, map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()})
		if res.Status != 503 || res.Code() != api.CodeUnavailable {
			t.Fatalf("failed send %d: %d %v", i, res.Status, res.Body)
		}
	}
	if strings.Contains(logs.String(), phone) || !strings.Contains(logs.String(), "Throttling") {
		t.Fatalf("the log names the mobile, or not the failure: %s", logs)
	}
	for want := 2; want >= 0; want-- {
		res := ask(t, k, map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()})
		if res.Status != 202 || res.Int("remainingToday") != want {
			t.Fatalf("after failures: %d %v, want remaining %d", res.Status, res.Body, want)
		}
	}
}

func TestAFailedSendLeavesNoUsableCode(t *testing.T) {
	k := testkit.New(t)
	phone := testkit.Phone()
	failing := smscode.NewSend(k.Store, failingSNS(t), k.Operators, testkit.SMSLimits, k.Clock, testkit.Pepper)
	if res := askThrough(t, failing, map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()}); res.Status != 503 {
		t.Fatalf("got %d", res.Status)
	}
	// No code was stored for the failed send.
	if _, err := k.Env.Store.AttemptCode(context.Background(), smscode.RegisterKey("+86"+phone), k.Clock.Now(), smscode.MaxAttempts); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a code of a failed send is stored: %v", err)
	}
}

// SMS that failed may have gone out all the same (a timeout after delivery): its slider stays
// spent, so one slider never buys more than one SMS.
func TestAFailedSendKeepsItsSliderSpent(t *testing.T) {
	k := testkit.New(t)
	phone := testkit.Phone()
	body := map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()}
	failing := smscode.NewSend(k.Store, failingSNS(t), k.Operators, testkit.SMSLimits, k.Clock, testkit.Pepper)
	if res := askThrough(t, failing, body); res.Status != 503 {
		t.Fatalf("failed send: %d %v", res.Status, res.Body)
	}
	if res := ask(t, k, body); res.Code() != api.CodeCaptchaFailed {
		t.Fatalf("the same slider after a failed send: %d %v", res.Status, res.Body)
	}
}

// SMS pumping beyond a mobile's three a day: one source address gets PerAddressHour codes an
// hour whatever the mobiles, and the deployment HourlyBudget; a refusal spends none of the
// other counts, and operators hear of a spent budget once an hour.
func TestSMSPumpingMeetsTheAddressCapAndTheBudget(t *testing.T) {
	k := testkit.New(t)
	k.Clock.Set(time.Date(2026, 11, 27, 10, 40, 0, 0, time.UTC))
	send := smscode.NewSend(k.Store, k.Outbox, k.Operators, smscode.Limits{PerAddressHour: 2, HourlyBudget: 3}, k.Clock, testkit.Pepper)
	ask := func(phone, from string) apitest.Result {
		return apitest.Call(t, send, apitest.Request{Method: "POST", Path: "/v1/sms-codes", From: from,
			Body: map[string]any{"phone": phone, "purpose": "register", "captcha": k.Solve()}})
	}
	pumper, other := "203.0.113.5", "198.51.100.20"
	for i := 0; i < 2; i++ {
		if res := ask(testkit.Phone(), pumper); res.Status != 202 {
			t.Fatalf("code %d from one address: %d %v", i, res.Status, res.Body)
		}
	}
	victim := testkit.Phone()
	res := ask(victim, pumper)
	if res.Code() != api.CodeQuotaExceeded || res.RetryAfter() != 20*60 {
		t.Fatalf("a third from the address in the hour: %d %v", res.Status, res.Body)
	}
	if res := ask(victim, other); res.Status != 202 || res.Int("remainingToday") != 2 {
		t.Fatalf("the refused mobile from elsewhere: %d %v: the refusal spent its count", res.Status, res.Body)
	}
	// The budget of three is spent: every send is refused, and operators told once.
	for i := 0; i < 3; i++ {
		if res := ask(testkit.Phone(), fmt.Sprintf("192.0.2.%d", i)); res.Code() != api.CodeQuotaExceeded {
			t.Fatalf("a send past the budget: %d %v", res.Status, res.Body)
		}
	}
	if told := k.Operators.Messages(); len(told) != 1 || !strings.Contains(told[0], "预算") {
		t.Fatalf("operators were told %d times: %v", len(told), told)
	}
	if n := len(k.Outbox.Messages()); n != 3 {
		t.Fatalf("%d SMS went out, want the budget's 3", n)
	}
	// The next hour has a budget of its own.
	k.Clock.Advance(20 * time.Minute)
	if res := ask(testkit.Phone(), other); res.Status != 202 {
		t.Fatalf("the next hour: %d %v", res.Status, res.Body)
	}
}

// A slider used already is found while the counts are made: they are given back, and the
// mobile it was replayed for keeps its three codes of the day.
func TestAReplayedSliderCountsNothing(t *testing.T) {
	k := testkit.New(t)
	a := k.Solve()
	if res := ask(t, k, map[string]any{"phone": testkit.Phone(), "purpose": "register", "captcha": a}); res.Status != 202 {
		t.Fatalf("first use: %d %v", res.Status, res.Body)
	}
	victim := testkit.Phone()
	for i := 0; i < 4; i++ {
		if res := ask(t, k, map[string]any{"phone": victim, "purpose": "register", "captcha": a}); res.Status != 400 || res.Code() != api.CodeCaptchaFailed {
			t.Fatalf("replay %d: %d %v", i, res.Status, res.Body)
		}
	}
	if res := ask(t, k, map[string]any{"phone": victim, "purpose": "register", "captcha": k.Solve()}); res.Status != 202 || res.Int("remainingToday") != 2 {
		t.Fatalf("the mobile's first code after the replays: %d %v", res.Status, res.Body)
	}
}
