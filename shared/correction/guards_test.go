package correction_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/correction"
	"github.com/jszg/applicant-accounts/shared/review"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

// The items the guards count, read straight from the table: what a request left behind is
// what these tests are about.

func (w *world) item(t *testing.T, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := w.Env.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(storetest.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}},
	})
	if err != nil {
		t.Fatalf("get %s %s: %v", pk, sk, err)
	}
	return out.Item
}

func (w *world) number(t *testing.T, pk, sk, name string) int {
	t.Helper()
	v, ok := w.item(t, pk, sk)[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(v.Value)
	if err != nil {
		t.Fatalf("%s of %s %s: %v", name, pk, sk, err)
	}
	return i
}

// photoChecks is the photos counted for filings proven with phone (11 digits) in the clock's
// hour.
func (w *world) photoChecks(t *testing.T, phone string) int {
	t.Helper()
	return w.number(t, "FILER#+86"+phone, "PHOTOHOUR#"+w.Clock.Now().UTC().Format("2006010215"), "used")
}

// tries is the tries counted on the contact code of phone (11 digits).
func (w *world) tries(t *testing.T, phone string) int {
	t.Helper()
	return w.number(t, "CODE#contact#+86"+phone, "CODE", "attempts")
}

// filedThisCycle is the cycle's count of corrections and claims on login.
func (w *world) filedThisCycle(t *testing.T, login string) int {
	t.Helper()
	return w.number(t, "ACCOUNT#"+login, "CORRECTIONCYCLE#"+clock.Cycle(w.Clock.Now()), "used")
}

// spent says whether the slider was used.
func (w *world) spent(t *testing.T, a any) bool {
	t.Helper()
	return len(w.item(t, "CAPTCHA#"+a.(*captcha.Answer).ID, "CAPTCHA")) > 0
}

// counted is what a request left: the code's tries, the photo checks, the cycle's count and
// whether its slider is spent.
type counted struct {
	tries, photos, cycle int
	slider               bool
}

func (w *world) counted(t *testing.T, body map[string]any, login string) counted {
	t.Helper()
	phone := body["phone"].(string)
	return counted{tries: w.tries(t, phone), photos: w.photoChecks(t, phone), cycle: w.filedThisCycle(t, login), slider: w.spent(t, body["captcha"])}
}

// fillPhotoHour counts the hour's photo checks of phone (11 digits) full.
func (w *world) fillPhotoHour(t *testing.T, phone string) {
	t.Helper()
	for range review.PhotoChecksPerHour {
		if err := w.Env.Store.CountMobilePhotoCheck(t.Context(), "+86"+phone, w.Clock.Now(), review.PhotoChecksPerHour); err != nil {
			t.Fatal(err)
		}
	}
}

// setCycle puts the cycle's count of filings on login at used.
func (w *world) setCycle(t *testing.T, login string, used int) {
	t.Helper()
	_, err := w.Env.Client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(storetest.Table),
		Item: map[string]types.AttributeValue{
			"pk":   &types.AttributeValueMemberS{Value: "ACCOUNT#" + login},
			"sk":   &types.AttributeValueMemberS{Value: "CORRECTIONCYCLE#" + clock.Cycle(w.Clock.Now())},
			"used": &types.AttributeValueMemberN{Value: strconv.Itoa(used)},
		}})
	if err != nil {
		t.Fatal(err)
	}
}

// A slider used already is refused, and what was counted alongside its spending goes back:
// replaying one slider costs nobody a code's try or a photo check.
func TestAReplayedSliderCountsNothing(t *testing.T) {
	w := newWorld(t)
	first := w.form(t, "contact", w.Applicant("张三"), "张三", testkit.Phone(), "87654321@qq.com")
	if res := w.file(t, first); res.Status != 202 {
		t.Fatalf("first use: %d %v", res.Status, res.Body)
	}
	victim := w.Applicant("李四")
	body := w.form(t, "contact", victim, "李四", testkit.Phone(), "1234567@qq.com")
	body["captcha"] = first["captcha"]
	for i := range 3 {
		if res := w.file(t, body); res.Status != 400 || res.Code() != api.CodeCaptchaFailed {
			t.Fatalf("replay %d: %d %v", i, res.Status, res.Body)
		}
		if got, want := w.counted(t, body, victim.Login), (counted{slider: true}); got != want {
			t.Fatalf("replay %d left %+v", i, got)
		}
	}
	body["captcha"] = w.Solve()
	if res := w.file(t, body); res.Status != 202 {
		t.Fatalf("after the replays: %d %v", res.Status, res.Body)
	}
}

// A wrong answer is spent on its own: nothing else is counted.
func TestAWrongSliderAnswerCountsNothingElse(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	body := w.form(t, "contact", a, "张三", testkit.Phone(), "87654321@qq.com")
	wrong := *body["captcha"].(*captcha.Answer)
	wrong.X += 3 * captcha.Tolerance
	body["captcha"] = &wrong
	w.Env.Calls.Reset()
	if res := w.file(t, body); res.Status != 400 || res.Code() != api.CodeCaptchaFailed {
		t.Fatalf("a wrong answer: %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "PutItem=1" {
		t.Fatalf("requests: %s", got)
	}
	if got, want := w.counted(t, body, a.Login), (counted{slider: true}); got != want {
		t.Fatalf("counted %+v", got)
	}
}

// A wrong code keeps its try (the code has five) and its slider spent, as before the
// account is looked at, and gives the photo check back: the photo was never decoded.
func TestAWrongCodeGivesThePhotoCheckBack(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	phone := testkit.Phone()
	body := w.form(t, "contact", a, "张三", phone, "87654321@qq.com")
	right := body["smsCode"].(string)
	wrong := map[bool]string{true: "000001", false: "000000"}[right == "000000"]
	for i := 1; i <= smscode.MaxAttempts+2; i++ { // past the code's tries: a void code too
		body["smsCode"], body["captcha"] = wrong, w.Solve()
		if res := w.file(t, body); res.Code() != api.CodeCodeInvalid {
			t.Fatalf("wrong code %d: %d %v", i, res.Status, res.Body)
		}
		if got, want := w.counted(t, body, a.Login), (counted{tries: min(i, smscode.MaxAttempts), slider: true}); got != want {
			t.Fatalf("wrong code %d left %+v, want %+v", i, got, want)
		}
	}
}

// An account that does not match a contact correction answers noMatch, as it did when the
// account was read after the code: the code's try and the slider stay spent, the photo
// check goes back.
func TestAnAccountThatDoesNotMatchGivesThePhotoCheckBack(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	for name, c := range map[string]struct {
		kind string
		acct account.Account
		set  map[string]any
	}{
		"wrong name":     {"contact", a, map[string]any{"name": "张四"}},
		"unknown number": {"contact", a, map[string]any{"idNumber": testkit.ResidentID("19700101")}},
	} {
		t.Run(name, func(t *testing.T) {
			body := w.form(t, c.kind, c.acct, "张三", testkit.Phone(), "87654321@qq.com")
			for k, v := range c.set {
				body[k] = v
			}
			if res := w.file(t, body); res.Status != 404 || res.Code() != api.CodeAccountNotFound {
				t.Fatalf("%d %v", res.Status, res.Body)
			}
			login := body["idNumber"].(string)
			if got, want := w.counted(t, body, login), (counted{tries: 1, slider: true}); got != want {
				t.Fatalf("left %+v, want %+v", got, want)
			}
		})
	}
}

// A contact correction while another filing is pending answers so after the code, as
// before; its photo check goes back (both are proven with one mobile, whose hour counts the
// first's check).
func TestAPendingFilingGivesThePhotoCheckBack(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	phone := testkit.Phone()
	if res := w.file(t, w.form(t, "ownership", a, "王五", phone, "1357@qq.com")); res.Status != 202 {
		t.Fatalf("first: %d %v", res.Status, res.Body)
	}
	body := w.form(t, "contact", a, "张三", phone, "87654321@qq.com")
	if res := w.file(t, body); res.Status != 409 || res.Code() != api.CodeReviewPending {
		t.Fatalf("while pending: %d %v", res.Status, res.Body)
	}
	if got, want := w.counted(t, body, a.Login), (counted{tries: 1, photos: 1, cycle: 1, slider: true}); got != want {
		t.Fatalf("left %+v, want %+v (the first filing's photo and count)", got, want)
	}
}

// A claim names the number alone, so what the account says of it tells whether the number
// is registered: one code tells of one number, as at registration (found by an attack on
// make run: a photo that is no JPEG got 422 on a registered number and 404 on a free one,
// five numbers a code, and nothing filed). The photo is checked first, so a refused photo
// says nothing and keeps the code; then a free number, a pending filing or a cycle's
// filings used up spend the code on that number: the same form again is told the same, and
// any other number is refused the code.
func TestAClaimsCodeTellsOfOneNumber(t *testing.T) {
	w := newWorld(t)
	taken, other := w.Applicant("张三"), w.Applicant("李四")
	free := testkit.ResidentID("19700103")
	phone := testkit.Phone()
	body := w.form(t, "ownership", taken, "王五", phone, "1357@qq.com")
	claim := func(number string, photo string) apitest.Result {
		body["idNumber"], body["photo"], body["captcha"] = number, photo, w.Solve()
		return w.file(t, body)
	}
	for _, number := range []string{taken.Login, free} {
		if res := claim(number, "bm90IGEganBlZw=="); res.Status != 422 || res.Field() != "photo" {
			t.Fatalf("a photo that is no JPEG, on %s: %d %v", number[:6], res.Status, res.Body)
		}
	}
	if res := claim(free, photo); res.Status != 404 || res.Code() != api.CodeAccountNotFound {
		t.Fatalf("a free number: %d %v", res.Status, res.Body)
	}
	if got, want := w.counted(t, body, free), (counted{tries: 3, photos: 1, slider: true}); got != want {
		t.Fatalf("left %+v, want %+v", got, want)
	}
	if res := claim(free, photo); res.Status != 404 {
		t.Fatalf("the same form again: %d %v", res.Status, res.Body)
	}
	for _, number := range []string{taken.Login, testkit.ResidentID("19700104")} {
		if res := claim(number, photo); res.Code() != api.CodeCodeInvalid {
			t.Fatalf("the code again, on %s: %d %v", number[:6], res.Status, res.Body)
		}
	}

	// A filing pending on the number, and the cycle's filings used up, tell of it too.
	if res := w.file(t, w.form(t, "contact", taken, "张三", testkit.Phone(), "87654321@qq.com")); res.Status != 202 {
		t.Fatalf("a contact correction: %d %v", res.Status, res.Body)
	}
	w.setCycle(t, other.Login, correction.PerCycle)
	for number, code := range map[string]string{taken.Login: api.CodeReviewPending, other.Login: api.CodeQuotaExceeded} {
		phone := testkit.Phone()
		body = w.form(t, "ownership", taken, "王五", phone, "1357@qq.com")
		if res := claim(number, photo); res.Code() != code {
			t.Fatalf("%s: %d %v", code, res.Status, res.Body)
		}
		if res := claim(free, photo); res.Code() != api.CodeCodeInvalid {
			t.Fatalf("the code after %s: %d %v", code, res.Status, res.Body)
		}
	}
}

// A claim told of a pending filing (409, its code spent on the number), sent again once the
// filing is rejected, is refused as any spent code: its code told, and files nothing (found
// by a review: it reached the filing with no code, a 500).
func TestAClaimsSpentCodeFilesNothingOnceTheNumberIsFileable(t *testing.T) {
	w := newWorld(t)
	taken := w.Applicant("张三")
	pend := w.file(t, w.form(t, "contact", taken, "张三", testkit.Phone(), "87654321@qq.com"))
	if pend.Status != 202 {
		t.Fatalf("contact: %d %v", pend.Status, pend.Body)
	}
	body := w.form(t, "ownership", taken, "王五", testkit.Phone(), "1357@qq.com")
	if res := w.file(t, body); res.Status != 409 {
		t.Fatalf("claim: %d %v", res.Status, res.Body)
	}
	if res := w.decide(t, pend.Str("reviewId"), map[string]any{"decision": "reject", "reason": "照片不清"}); res.Status != 200 {
		t.Fatalf("reject: %d %v", res.Status, res.Body)
	}
	body["captcha"] = w.Solve()
	if res := w.file(t, body); res.Code() != api.CodeCodeInvalid {
		t.Errorf("the same claim again after the rejection: %d %v", res.Status, res.Body)
	}
}

// A claim's code spent on a number is no contact correction's code for it: else the
// holder's name could be guessed with it, a slider a guess and no try counted (found by a
// review).
func TestAClaimsSpentCodeIsNoContactCorrectionsCode(t *testing.T) {
	w := newWorld(t)
	taken := w.Applicant("张三")
	if res := w.file(t, w.form(t, "contact", taken, "张三", testkit.Phone(), "87654321@qq.com")); res.Status != 202 {
		t.Fatalf("contact: %d %v", res.Status, res.Body)
	}
	body := w.form(t, "ownership", taken, "王五", testkit.Phone(), "1357@qq.com")
	if res := w.file(t, body); res.Status != 409 {
		t.Fatalf("claim: %d %v", res.Status, res.Body)
	}
	body["kind"] = "contact"
	for _, name := range []string{"李四", "张三"} {
		body["name"], body["captcha"] = name, w.Solve()
		if res := w.file(t, body); res.Code() != api.CodeCodeInvalid {
			t.Errorf("a contact correction with the claim's spent code, name %s: %d %v", name, res.Status, res.Body)
		}
	}
}

// A full photo hour counts no photo, and keeps the code's try and the slider, as it did.
func TestAFullPhotoHourKeepsTheCodesTry(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	phone := testkit.Phone()
	w.fillPhotoHour(t, phone)
	body := w.form(t, "contact", a, "张三", phone, "87654321@qq.com")
	if res := w.file(t, body); res.Status != 429 || res.Code() != api.CodeQuotaExceeded {
		t.Fatalf("a full hour: %d %v", res.Status, res.Body)
	}
	if got, want := w.counted(t, body, a.Login), (counted{tries: 1, photos: review.PhotoChecksPerHour, slider: true}); got != want {
		t.Fatalf("left %+v, want %+v", got, want)
	}
	w.Clock.Advance(time.Hour)
	body = w.form(t, "contact", a, "张三", phone, "87654321@qq.com")
	if res := w.file(t, body); res.Status != 202 {
		t.Fatalf("the next hour: %d %v", res.Status, res.Body)
	}
}

// A photo refused before the decode gives its check back; the code's try and the slider
// stay spent, as they did.
func TestAPhotoRefusedBeforeTheDecodeGivesItsCheckBack(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	for name, p := range map[string]string{"not base64": "%%%", "not a JPEG": "aGVsbG8gd29ybGQ=", "too large": testkit.JPEG(5000, 10)} {
		t.Run(name, func(t *testing.T) {
			body := w.form(t, "contact", a, "张三", testkit.Phone(), "87654321@qq.com")
			body["photo"] = p
			if res := w.file(t, body); res.Status != 422 || res.Field() != "photo" {
				t.Fatalf("%d %v", res.Status, res.Body)
			}
			if got, want := w.counted(t, body, a.Login), (counted{tries: 1, slider: true}); got != want {
				t.Fatalf("left %+v, want %+v", got, want)
			}
		})
	}
}

// A photo refused by the decode keeps its check: the decode is what the check pays for.
func TestAPhotoRefusedByTheDecodeKeepsItsCheck(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	body := w.form(t, "contact", a, "张三", testkit.Phone(), "87654321@qq.com")
	jpg, err := base64.StdEncoding.DecodeString(photo)
	if err != nil {
		t.Fatal(err)
	}
	cut := append(jpg[:len(jpg)*3/4:len(jpg)*3/4], 0xFF, 0xD9) // the headers read, the data ends early
	body["photo"] = base64.StdEncoding.EncodeToString(cut)
	res := w.file(t, body)
	if res.Status != 422 || res.Field() != "photo" {
		t.Fatalf("%d %v", res.Status, res.Body)
	}
	if got, want := w.counted(t, body, a.Login), (counted{tries: 1, photos: 1, slider: true}); got != want {
		t.Fatalf("left %+v, want %+v", got, want)
	}
}

// A cycle's quota spent is found after the decode, as before: the photo check, the code's try
// and the slider stay spent; nothing is filed.
func TestAFullCycleKeepsWhatWasSpent(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	w.setCycle(t, a.Login, correction.PerCycle)
	body := w.form(t, "contact", a, "张三", testkit.Phone(), "87654321@qq.com")
	if res := w.file(t, body); res.Status != 429 || res.Code() != api.CodeQuotaExceeded {
		t.Fatalf("a full cycle: %d %v", res.Status, res.Body)
	}
	if got, want := w.counted(t, body, a.Login), (counted{tries: 1, photos: 1, cycle: correction.PerCycle, slider: true}); got != want {
		t.Fatalf("left %+v, want %+v", got, want)
	}
	if acct := w.Account(a.Login); acct.CorrectionID != "" {
		t.Fatalf("filed past the quota: %+v", acct)
	}
}

// The table busy at the first round trip: nothing was done, so everything goes back and the
// same request can be sent again.
func TestABusyReadGivesEverythingBack(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	body := w.form(t, "contact", a, "张三", testkit.Phone(), "87654321@qq.com")
	w.Env.Faults.ThrottleWhere(func(target string, _ []byte) bool { return target == "BatchGetItem" || target == "GetItem" })
	if res := w.file(t, body); res.Status != 503 {
		t.Fatalf("busy: %d %v", res.Status, res.Body)
	}
	w.Env.Faults.Set(storetest.NoFault)
	if got := w.counted(t, body, a.Login); got != (counted{}) {
		t.Fatalf("left %+v", got)
	}
	if res := w.file(t, body); res.Status != 202 {
		t.Fatalf("sent again: %d %v", res.Status, res.Body)
	}
}

// The transaction busy past its retries: the slider and the code's try go back, the photo
// check stays (the photo was decoded), as before.
func TestABusyTransactionGivesTheSliderAndTheTryBack(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	body := w.form(t, "contact", a, "张三", testkit.Phone(), "87654321@qq.com")
	w.Env.Faults.Set(storetest.ConflictAlways)
	if res := w.file(t, body); res.Status != 503 {
		t.Fatalf("busy: %d %v", res.Status, res.Body)
	}
	w.Env.Faults.Set(storetest.NoFault)
	if got, want := w.counted(t, body, a.Login), (counted{photos: 1}); got != want {
		t.Fatalf("left %+v, want %+v", got, want)
	}
	if res := w.file(t, body); res.Status != 202 {
		t.Fatalf("sent again: %d %v", res.Status, res.Body)
	}
}

// Twenty filings with one slider, each with its own guess of the code (one right): one is
// judged, and only its guess is counted.
func TestOneSliderJudgesOneFilingUnderRace(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.Env.Faults.Set(fault)
			a := w.Applicant("张三")
			phone := testkit.Phone()
			body := w.form(t, "contact", a, "张三", phone, "87654321@qq.com")
			right, _ := strconv.Atoi(body["smsCode"].(string))
			const n = 20
			forms := make([]map[string]any, n)
			for i := range forms {
				forms[i] = map[string]any{}
				for k, v := range body {
					forms[i][k] = v
				}
				forms[i]["smsCode"] = fmt.Sprintf("%06d", (right+i)%1000000) // the first is right
			}
			results := testkit.Race(n, func(i int) apitest.Result { return w.file(t, forms[i]) })
			judged, filed := 0, 0
			for _, r := range results {
				switch {
				case r.Code() == api.CodeCaptchaFailed:
				case r.Status == 202:
					judged++
					filed++
				case r.Code() == api.CodeCodeInvalid:
					judged++
				default:
					t.Fatalf("%d %v", r.Status, r.Body)
				}
			}
			if judged != 1 {
				t.Fatalf("%d of %d filings with one slider were judged", judged, n)
			}
			got := w.counted(t, body, a.Login)
			if filed == 1 && (got.photos != 1 || got.cycle != 1) || filed == 0 && (got.tries > 1 || got.photos != 0 || got.cycle != 0) {
				t.Fatalf("%d filed, left %+v", filed, got)
			}
		})
	}
}

// Twenty filings at once for one account: one is pending, and the cycle's three are never
// exceeded.
func TestOnePendingFilingUnderRace(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.Env.Faults.Set(fault)
			a := w.Applicant("张三")
			w.setCycle(t, a.Login, correction.PerCycle-1)
			race := func() (filed int, id string) {
				const n = 20
				forms := make([]map[string]any, n)
				for i := range forms {
					forms[i] = w.form(t, []string{"contact", "ownership"}[i%2], a, "张三", testkit.Phone(), "87654321@qq.com")
				}
				for _, r := range testkit.Race(n, func(i int) apitest.Result { return w.file(t, forms[i]) }) {
					switch {
					case r.Status == 202:
						filed++
						id = r.Str("reviewId")
					case r.Code() == api.CodeReviewPending, r.Code() == api.CodeQuotaExceeded: // the cycle's, or the photo hour's
					default:
						t.Fatalf("%d %v", r.Status, r.Body)
					}
				}
				return filed, id
			}
			filed, id := race()
			if filed != 1 || w.filedThisCycle(t, a.Login) != correction.PerCycle {
				t.Fatalf("%d filed, the cycle counts %d", filed, w.filedThisCycle(t, a.Login))
			}
			if acct := w.Account(a.Login); acct.CorrectionID != id {
				t.Fatalf("pending %q, filed %q", acct.CorrectionID, id)
			}
			if res := w.decide(t, id, map[string]any{"decision": "reject", "reason": "照片不清晰"}); res.Status != 200 {
				t.Fatalf("reject: %d %v", res.Status, res.Body)
			}
			w.Clock.Advance(time.Hour) // a new hour: the address's codes and the photo checks
			if filed, _ := race(); filed != 0 || w.filedThisCycle(t, a.Login) != correction.PerCycle {
				t.Fatalf("past the cycle's quota: %d filed, the cycle counts %d", filed, w.filedThisCycle(t, a.Login))
			}
		})
	}
}

// The account is read with the slider and the code, but its answer comes only after theirs,
// as when it was read after them: a replayed slider or a wrong code says nothing of whether
// the number is registered or has a filing pending, and a full photo hour nothing of an
// account that does not match.
func TestTheAccountIsAnsweredForOnlyAfterTheSliderAndTheCode(t *testing.T) {
	w := newWorld(t)
	pendingAcct := w.Applicant("张三")
	if res := w.file(t, w.form(t, "contact", pendingAcct, "张三", testkit.Phone(), "87654321@qq.com")); res.Status != 202 {
		t.Fatalf("first: %d %v", res.Status, res.Body)
	}
	spent := w.form(t, "contact", w.Applicant("王五"), "王五", testkit.Phone(), "1@qq.com")
	if res := w.file(t, spent); res.Status != 202 {
		t.Fatalf("spending a slider: %d %v", res.Status, res.Body)
	}
	unknown := testkit.ResidentID("19700103")
	for name, set := range map[string]map[string]any{
		"unknown number": {"idNumber": unknown},
		"wrong name":     {"idNumber": pendingAcct.Login, "name": "张四"},
		"pending":        {"idNumber": pendingAcct.Login},
	} {
		t.Run(name, func(t *testing.T) {
			phone := testkit.Phone()
			w.fillPhotoHour(t, phone)
			body := w.form(t, "contact", pendingAcct, "张三", phone, "87654321@qq.com")
			for k, v := range set {
				body[k] = v
			}
			right := body["smsCode"].(string)
			body["captcha"] = spent["captcha"]
			if res := w.file(t, body); res.Code() != api.CodeCaptchaFailed {
				t.Fatalf("a replayed slider: %d %v", res.Status, res.Body)
			}
			body["captcha"], body["smsCode"] = w.Solve(), map[bool]string{true: "000001", false: "000000"}[right == "000000"]
			if res := w.file(t, body); res.Code() != api.CodeCodeInvalid {
				t.Fatalf("a wrong code: %d %v", res.Status, res.Body)
			}
			body["captcha"], body["smsCode"] = w.Solve(), right
			want := api.CodeAccountNotFound
			if name == "pending" {
				want = api.CodeReviewPending
			}
			if res := w.file(t, body); res.Code() != want {
				t.Fatalf("the right code: %d %v", res.Status, res.Body)
			}
		})
	}
}

// A stranger who knows only a number cannot use up its holder's hour of photo checks: a
// claim's check is counted on the filer's own mobile. Ten claims whose photos fail the decode
// fill the stranger's hour (the eleventh is 429), and leave the account's hour, which the
// holder's own manual review counts on, as it was; the holder's own filing, from a mobile of
// theirs, is taken in the same hour.
func TestAStrangersClaimsLeaveTheHoldersPhotoChecks(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	jpg, err := base64.StdEncoding.DecodeString(photo)
	if err != nil {
		t.Fatal(err)
	}
	broken := base64.StdEncoding.EncodeToString(append(jpg[:len(jpg)*3/4:len(jpg)*3/4], 0xFF, 0xD9))
	phone := testkit.Phone()
	var body map[string]any
	for i := range review.PhotoChecksPerHour {
		if i%smscode.MaxAttempts == 0 { // a code takes five tries: a new one when they are spent
			body = w.form(t, "ownership", a, "王五", phone, "1357@qq.com")
			body["photo"] = broken
		}
		body["captcha"] = w.Solve()
		if res := w.file(t, body); res.Status != 422 || res.Field() != "photo" {
			t.Fatalf("claim %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	body = w.form(t, "ownership", a, "王五", phone, "1357@qq.com")
	if res := w.file(t, body); res.Status != 429 || res.Code() != api.CodeQuotaExceeded {
		t.Fatalf("the stranger's eleventh claim in the hour: %d %v", res.Status, res.Body)
	}
	if n := w.number(t, "ACCOUNT#"+a.Login, "PHOTOHOUR#"+w.Clock.Now().UTC().Format("2006010215"), "used"); n != 0 {
		t.Fatalf("the holder's hour counts %d checks of the stranger's claims", n)
	}
	if err := w.Env.Store.CountPhotoCheck(t.Context(), a.Login, w.Clock.Now(), review.PhotoChecksPerHour); err != nil {
		t.Fatalf("the holder's own check: %v", err)
	}
	if res := w.file(t, w.form(t, "contact", a, "张三", testkit.Phone(), "87654321@qq.com")); res.Status != 202 {
		t.Fatalf("the holder's own filing in that hour: %d %v", res.Status, res.Body)
	}
}
