package review_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/notify/notifytest"
	"github.com/jszg/applicant-accounts/shared/photo"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/review"
	"github.com/jszg/applicant-accounts/shared/reviewer"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

var smallPhoto = testkit.JPEG(64, 80)

type world struct {
	*testkit.Kit
	ses                    *notifytest.SES
	submitH, mine          api.HandlerFunc
	queueH, openH, decideH api.HandlerFunc
	me                     api.HandlerFunc
	rtok                   string
	rid                    string // the reviewer's account id
}

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	ses := notifytest.NewSES(t)
	w := &world{Kit: k, ses: ses,
		submitH: review.NewSubmit(k.Store, k.Clock, clock.China()),
		mine:    review.NewMine(k.Store, k.Clock),
		queueH:  review.NewQueue(k.Store, k.Clock, []byte("test-secret-of-thirty-two-bytes!")),
		openH:   review.NewOpen(k.Store, k.Clock),
		decideH: review.NewDecide(k.Store, k.Outbox, ses.Mailer("noreply@jszg.edu.cn"), k.Clock, casework.PhotoRetention),
		me:      profile.NewMe(k.Store, k.Clock),
	}
	if err := reviewer.Create(t.Context(), k.Env.Store, "li.reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, k.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	rev := k.Account("LI.REVIEWER")
	w.rtok, w.rid = k.Token(rev), rev.AccountID
	return w
}

func form(a account.Account) map[string]any {
	return map[string]any{"name": a.Name, "idType": a.IDType, "idNumber": a.Login,
		"idValidFrom": a.IDValidFrom, "idValidTo": a.IDValidTo, "photo": smallPhoto}
}

func (w *world) submit(t *testing.T, tok string, body map[string]any) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.submitH, apitest.Request{Method: "POST", Path: "/v1/me/manual-reviews", Token: tok, Body: body})
}

// ready is an applicant who may submit: a permit holder with a profile.
func (w *world) ready(t *testing.T, name string) (account.Account, string) {
	t.Helper()
	a := w.Profiled(w.ApplicantWith(identity.HKMacauPermit, "H"+testkit.Phone()[3:], name))
	return a, w.Token(a)
}

func (w *world) queue(t *testing.T, query string) apitest.Result {
	t.Helper()
	q, _ := url.ParseQuery(query)
	params := map[string]string{}
	for k := range q {
		params[k] = q.Get(k)
	}
	return apitest.Call(t, w.queueH, apitest.Request{Method: "GET", Path: "/v1/reviews", Token: w.rtok, Query: params})
}

func (w *world) open(t *testing.T, tok, id string) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.openH, apitest.Request{Method: "GET", Path: "/v1/reviews/" + id, Route: "GET /v1/reviews/{reviewId}",
		Params: map[string]string{"reviewId": id}, Token: tok})
}

func (w *world) decide(t *testing.T, id string, body map[string]any) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.decideH, apitest.Request{Method: "POST", Path: "/v1/reviews/" + id + "/decision",
		Route: "POST /v1/reviews/{reviewId}/decision", Params: map[string]string{"reviewId": id}, Token: w.rtok, Body: body})
}

func TestSubmitAndList(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	w.Env.Calls.Reset()
	res := w.submit(t, tok, form(a))
	if res.Status != 202 || res.Str("status") != "pending" || res.Int("remainingThisCycle") != 2 || res.Str("reviewId") == "" {
		t.Fatalf("submit: %d %v", res.Status, res.Body)
	}
	// The session and the account, the cycle's counter and the photo's count at once; the
	// transaction.
	if got := w.Env.Calls.String(); got != "BatchGetItem=2 TransactWriteItems=1 UpdateItem=1" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	acct := w.Account(a.Login)
	if acct.Verification.Status != account.StatusReviewPending || acct.Verification.ReviewID != res.Str("reviewId") {
		t.Fatalf("account %+v", acct.Verification)
	}
	w.Env.Calls.Reset()
	mine := apitest.Call(t, w.mine, apitest.Request{Method: "GET", Path: "/v1/me/manual-reviews", Token: tok})
	// The session and the account, and the query sent with them: one round trip.
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 Query=1" || w.Env.Calls.Trips() != 1 {
		t.Fatalf("list: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	items := mine.Body["items"].([]any)
	first := items[0].(map[string]any)
	if mine.Status != 200 || len(items) != 1 || first["reviewId"] != res.Str("reviewId") || first["status"] != "pending" ||
		first["reason"] != nil || first["decidedAt"] != nil || first["submittedAt"] != "2026-11-27T10:00:00+08:00" {
		t.Fatalf("mine: %v", mine.Body)
	}
	me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok})
	if me.Str("nextStep") != "review_pending" || me.Body["verification"].(map[string]any)["manualRemainingThisCycle"] != float64(2) {
		t.Fatalf("me: %v", me.Body)
	}
}

func TestWhoMaySubmit(t *testing.T) {
	w := newWorld(t)
	// resident_id: only after a failed online verification.
	res := w.Applicant("张三")
	res = w.Profiled(res)
	tok := w.Token(res)
	if r := w.submit(t, tok, form(res)); r.Status != 409 || r.Code() != api.CodeVerifyOnlineFirst {
		t.Fatalf("resident_id before a failed verification: %d %v", r.Status, r.Body)
	}
	w.FailedOnline(res)
	if r := w.submit(t, tok, form(res)); r.Status != 202 {
		t.Fatalf("resident_id after a failed verification: %d %v", r.Status, r.Body)
	}
	// Pending: no second review.
	if r := w.submit(t, tok, form(res)); r.Status != 409 || r.Code() != api.CodeReviewPending {
		t.Fatalf("second while pending: %d %v", r.Status, r.Body)
	}
	// Verified: nothing to review.
	v := w.Profiled(w.Applicant("王五"))
	if _, err := w.Env.Store.RecordVerification(t.Context(), v.Login, true); err != nil {
		t.Fatal(err)
	}
	if r := w.submit(t, w.Token(v), form(v)); r.Status != 409 || r.Code() != api.CodeAlreadyVerified {
		t.Fatalf("verified: %d %v", r.Status, r.Body)
	}
	// No profile: nothing but the profile.
	np := w.ApplicantWith(identity.TaiwanPermit, "12345678", "林小明")
	if r := w.submit(t, w.Token(np), form(np)); r.Status != 403 || r.Code() != api.CodeProfileIncomplete {
		t.Fatalf("no profile: %d %v", r.Status, r.Body)
	}
	// Reviewers are not applicants.
	if r := w.submit(t, w.rtok, form(np)); r.Status != 403 || r.Code() != api.CodeForbidden {
		t.Fatalf("reviewer: %d %v", r.Status, r.Body)
	}
}

func pngPhoto() string {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)))
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// noiseJPEG is a real JPEG of side×side noise, which does not compress: its size grows with
// the side, so a side can be found for any size.
func noiseJPEG(side int) []byte {
	img := image.NewGray(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.IntN(256))
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	return buf.Bytes()
}

// jpegOfSize is a real JPEG whose size is in [min, max).
func jpegOfSize(t *testing.T, min, max int) string {
	t.Helper()
	lo, hi := 16, 2000
	for lo <= hi {
		side := (lo + hi) / 2
		b := noiseJPEG(side)
		switch {
		case len(b) < min:
			lo = side + 1
		case len(b) >= max:
			hi = side - 1
		default:
			return base64.StdEncoding.EncodeToString(b)
		}
	}
	t.Fatalf("no JPEG between %d and %d bytes", min, max)
	return ""
}

func TestRefusedFormsCountNothing(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	raw, _ := base64.StdEncoding.DecodeString(smallPhoto)
	header := base64.StdEncoding.EncodeToString(raw[:len(raw)/2]) // a JPEG cut in half: the magic bytes are right
	cases := []struct {
		field string
		value any
	}{
		{"photo", ""},
		{"photo", "not base64!"},
		{"photo", pngPhoto()},
		{"photo", header},
		{"photo", jpegOfSize(t, photo.MaxBytes, photo.MaxBytes+4096)},
		{"name", "陈"},
		{"idValidTo", "2020-01-01"},
		{"idValidFrom", "2099-01-01"},
		{"idType", "taiwan_permit"},
		{"idNumber", "H99999999"},
	}
	for _, c := range cases {
		body := form(a)
		body[c.field] = c.value
		if res := w.submit(t, tok, body); res.Status != 422 || res.Field() != c.field {
			t.Errorf("%s: %d %v", c.field, res.Status, res.Body)
		}
	}
	// A photo just under the limit, with a data: URL prefix, and a corrected name.
	body := form(a)
	small := testkit.JPEG(64, 64)
	body["photo"] = "data:image/jpeg;base64," + small
	body["name"] = "陈大明"
	res := w.submit(t, tok, body)
	if res.Status != 202 || res.Int("remainingThisCycle") != 2 {
		t.Fatalf("after refused forms: %d %v", res.Status, res.Body)
	}
}

func TestThePhotoLimitIsBytes(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	body := form(a)
	body["photo"] = jpegOfSize(t, photo.MaxBytes-4096, photo.MaxBytes)
	if res := w.submit(t, tok, body); res.Status != 202 {
		t.Fatalf("a JPEG just under 190 KB: %d %v", res.Status, res.Body)
	}
}

func TestThreeSubmissionsPerCycle(t *testing.T) {
	w := newWorld(t)
	w.Clock.Set(time.Date(2026, 8, 31, 23, 59, 0, 0, clock.CST))
	a, tok := w.ready(t, "陈大文")
	for i := 0; i < 3; i++ {
		res := w.submit(t, tok, form(a))
		if res.Status != 202 || res.Int("remainingThisCycle") != 2-i {
			t.Fatalf("submission %d: %d %v", i, res.Status, res.Body)
		}
		if d := w.decide(t, res.Str("reviewId"), map[string]any{"decision": "reject", "reason": "照片模糊"}); d.Status != 200 {
			t.Fatalf("reject %d: %d %v", i, d.Status, d.Body)
		}
	}
	res := w.submit(t, tok, form(a))
	if res.Status != 429 || res.Code() != api.CodeQuotaExceeded || res.Headers["Retry-After"] != "60" {
		t.Fatalf("fourth in the cycle: %d %v %v", res.Status, res.Body, res.Headers)
	}
	// 1 Sep 00:00 CST starts a new cycle.
	w.Clock.Set(time.Date(2026, 9, 1, 0, 0, 0, 0, clock.CST))
	tok = w.Token(w.Account(a.Login))
	if res := w.submit(t, tok, form(a)); res.Status != 202 || res.Int("remainingThisCycle") != 2 {
		t.Fatalf("first of the new cycle: %d %v", res.Status, res.Body)
	}
}

func TestConcurrentSubmissionsMakeOneReview(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.Env.Faults.Set(fault)
			a, tok := w.ready(t, "陈大文")
			results := testkit.Race(4, func(int) apitest.Result { return w.submit(t, tok, form(a)) })
			accepted := 0
			for _, r := range results {
				switch {
				case r.Status == 202:
					accepted++
				case r.Status == 409 && r.Code() == api.CodeReviewPending:
				default:
					t.Errorf("unexpected %d %v", r.Status, r.Body)
				}
			}
			if accepted != 1 {
				t.Fatalf("%d reviews from one applicant at once", accepted)
			}
			me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok})
			if got := me.Body["verification"].(map[string]any)["manualRemainingThisCycle"]; got != float64(2) {
				t.Fatalf("the refused submissions were counted: %v left", got)
			}
		})
	}
}

func TestTheQueueIsOldestFirstWithSignedCursors(t *testing.T) {
	w := newWorld(t)
	var ids []string
	for i := 0; i < 5; i++ {
		a, tok := w.ready(t, "陈大文")
		ids = append(ids, w.submit(t, tok, form(a)).Str("reviewId"))
		w.Clock.Advance(time.Minute)
	}
	var seen []string
	cursor := ""
	for page := 0; page < 4; page++ {
		q := "status=pending&limit=2"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		w.Env.Calls.Reset()
		res := w.queue(t, q)
		if res.Status != 200 {
			t.Fatalf("page %d: %d %v", page, res.Status, res.Body)
		}
		// The session and the account, and the index's page sent with them: one round trip.
		if got := w.Env.Calls.String(); got != "BatchGetItem=1 Query=1" || w.Env.Calls.Trips() != 1 {
			t.Fatalf("page %d: %s in %d round trips", page, got, w.Env.Calls.Trips())
		}
		for _, it := range res.Body["items"].([]any) {
			item := it.(map[string]any)
			seen = append(seen, item["reviewId"].(string))
			if item["idNumber"] == "" || item["accountId"] == "" || item["overdue"] != false {
				t.Fatalf("item %v", item)
			}
		}
		next, _ := res.Body["nextCursor"].(string)
		if next == "" {
			break
		}
		if strings.Contains(next, "REVIEW#") {
			t.Fatal("the cursor shows table keys")
		}
		cursor = next
	}
	if strings.Join(seen, ",") != strings.Join(ids, ",") {
		t.Fatalf("order %v, want %v", seen, ids)
	}
	// Tampered, foreign-status and malformed cursors are refused.
	first := w.queue(t, "limit=1").Body["nextCursor"].(string)
	body, sig, _ := strings.Cut(first, ".")
	forged := body[:len(body)-2] + "AA." + sig
	for name, q := range map[string]string{
		"tampered":       "cursor=" + url.QueryEscape(forged),
		"other status":   "status=approved&cursor=" + url.QueryEscape(first),
		"garbage":        "cursor=abc",
		"limit 0":        "limit=0",
		"limit 101":      "limit=101",
		"limit x":        "limit=x",
		"unknown status": "status=done",
	} {
		if res := w.queue(t, q); res.Status != 422 {
			t.Errorf("%s: %d %v", name, res.Status, res.Body)
		}
	}
}

func TestOverdueAfterSevenWorkingDays(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	id := w.submit(t, tok, form(a)).Str("reviewId")
	// Submitted Friday 27 Nov 2026: due at the end of Tuesday 8 Dec.
	w.Clock.Set(time.Date(2026, 12, 8, 23, 59, 0, 0, clock.CST))
	w.rtok = w.Token(w.Account("LI.REVIEWER"))
	if item := w.queue(t, "").Body["items"].([]any)[0].(map[string]any); item["overdue"] != false || item["dueAt"] != "2026-12-08T23:59:59+08:00" {
		t.Fatalf("on the due day: %v", item)
	}
	w.Clock.Set(time.Date(2026, 12, 9, 0, 0, 1, 0, clock.CST))
	w.rtok = w.Token(w.Account("LI.REVIEWER"))
	if item := w.queue(t, "").Body["items"].([]any)[0].(map[string]any); item["overdue"] != true || item["reviewId"] != id {
		t.Fatalf("the day after: %v", item)
	}
}

// samePicture: served is a data: URL of a JPEG of the size of sent (base64): the photo as
// encoded again on submission.
func samePicture(t *testing.T, served, sent string) bool {
	t.Helper()
	got, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(served, "data:image/jpeg;base64,"))
	if err != nil || !strings.HasPrefix(served, "data:image/jpeg;base64,") {
		return false
	}
	raw, _ := base64.StdEncoding.DecodeString(sent)
	a, errA := jpeg.DecodeConfig(bytes.NewReader(got))
	b, errB := jpeg.DecodeConfig(bytes.NewReader(raw))
	return errA == nil && errB == nil && a.Width == b.Width && a.Height == b.Height
}

func TestOpeningAReviewRecordsWhoSawThePhoto(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	id := w.submit(t, tok, form(a)).Str("reviewId")
	w.Env.Calls.Reset()
	res := w.open(t, w.rtok, id)
	if res.Status != 200 || !samePicture(t, res.Str("photo"), smallPhoto) || res.Str("idNumber") != a.Login || res.Str("name") != "陈大文" {
		t.Fatalf("open: %d %.300v", res.Status, res.Raw)
	}
	// The session, the account and the review with its photo at once; the read's record.
	if got := w.Env.Calls.String(); got != "BatchGetItem=2 PutItem=1" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	w.Clock.Advance(time.Minute)
	w.open(t, w.rtok, id)
	reads, err := w.Env.Store.ListPhotoReads(t.Context(), id)
	if err != nil || len(reads) != 2 || reads[0].ReviewerID != w.rid || reads[1].ReadAt-reads[0].ReadAt != 60_000 {
		t.Fatalf("reads %+v, %v", reads, err)
	}
	if res := w.open(t, tok, id); res.Status != 403 || res.Code() != api.CodeForbidden {
		t.Fatalf("an applicant opening a review: %d", res.Status)
	}
	if res := w.open(t, w.rtok, "nope"); res.Status != 404 || res.Code() != api.CodeNotFound {
		t.Fatalf("unknown review: %d", res.Status)
	}
	if reads, _ := w.Env.Store.ListPhotoReads(t.Context(), id); len(reads) != 2 {
		t.Fatalf("a refused read was recorded: %d", len(reads))
	}
}

func TestApprovalWithANameCorrection(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	body := form(a)
	body["name"] = "陈大明"
	body["idValidTo"] = "2045-06-30"
	id := w.submit(t, tok, body).Str("reviewId")
	w.Env.Calls.Reset()
	res := w.decide(t, id, map[string]any{"decision": "approve"})
	if res.Status != 200 || res.Str("status") != "approved" {
		t.Fatalf("approve: %d %v", res.Status, res.Body)
	}
	// The session, the account and the review at once; the decision with its notice; the
	// notice gone once delivered.
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 DeleteItem=1 GetItem=1 TransactWriteItems=1" || w.Env.Calls.Trips() != 3 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	acct := w.Account(a.Login)
	if acct.Name != "陈大明" || acct.IDValidTo != "2045-06-30" || acct.Verification.Status != account.StatusReviewApproved || !acct.Verification.ReapplyRequired {
		t.Fatalf("account after approval: %+v %+v", acct, acct.Verification)
	}
	me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok})
	v := me.Body["verification"].(map[string]any)
	if me.Str("nextStep") != "none" || v["status"] != "review_approved" || v["reapplyRequired"] != true || me.Str("name") != "陈大明" {
		t.Fatalf("me: %v", me.Body)
	}
	// Told by SMS and by e-mail; the mail says what to submit again.
	msgs := w.Outbox.Messages()
	if len(msgs) != 1 || msgs[0].To != a.Phone || !strings.Contains(msgs[0].Body, "已通过") {
		t.Fatalf("sms %+v", msgs)
	}
	sent := w.ses.Sent()
	if len(sent) != 1 || sent[0].Destination.ToAddresses[0] != a.Email || !strings.Contains(sent[0].Content.Simple.Body.Text.Data, "重新提交报名信息") {
		t.Fatalf("mail %+v", sent)
	}
}

func TestApprovalWithoutAChangeNeedsNoReapplication(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	id := w.submit(t, tok, form(a)).Str("reviewId")
	w.decide(t, id, map[string]any{"decision": "approve"})
	if w.Account(a.Login).Verification.ReapplyRequired {
		t.Fatal("an unchanged name was marked for re-application")
	}
}

func TestRejectionAndResubmission(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	id := w.submit(t, tok, form(a)).Str("reviewId")
	for _, bad := range []map[string]any{
		{"decision": "reject"},
		{"decision": "reject", "reason": "   "},
		{"decision": "reject", "reason": "\u3000\u200b\u200b"},      // an ideographic space and zero widths: nothing to read
		{"decision": "reject", "reason": "\u3164\u3164\u3164"},      // Hangul fillers: letters that draw nothing
		{"decision": "reject", "reason": "\u2800 \uFFA0\U0001D159"}, // a blank Braille pattern, a half-width filler, a null notehead
		{"decision": "reject", "reason": "照片\u202e糊模"},              // a right-to-left override reorders what the applicant reads
		{"decision": "reject", "reason": "照片模糊\u0007\u001b[2J"},     // control characters for a terminal or an SMS gateway
		{"decision": "maybe"},
		{"decision": "reject", "reason": strings.Repeat("糊", review.MaxReasonRunes+1)},
		{"decision": "approve", "approval": "first"}, // an identity review takes one approval
	} {
		if res := w.decide(t, id, bad); res.Status != 422 {
			t.Errorf("%v: %d %v", bad, res.Status, res.Body)
		}
	}
	if res := w.decide(t, id, map[string]any{"decision": "reject", "reason": "照片不清晰，请重新拍摄"}); res.Status != 200 || res.Str("status") != "rejected" {
		t.Fatalf("reject: %d %v", res.Status, res.Body)
	}
	me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok})
	v := me.Body["verification"].(map[string]any)
	if v["status"] != "review_rejected" || v["rejectReason"] != "照片不清晰，请重新拍摄" || me.Str("nextStep") != "verify_identity" {
		t.Fatalf("me after rejection: %v", me.Body)
	}
	mine := apitest.Call(t, w.mine, apitest.Request{Method: "GET", Path: "/v1/me/manual-reviews", Token: tok})
	item := mine.Body["items"].([]any)[0].(map[string]any)
	if item["status"] != "rejected" || item["reason"] != "照片不清晰，请重新拍摄" || item["decidedAt"] == nil {
		t.Fatalf("mine: %v", item)
	}
	if sms := w.Outbox.Messages(); len(sms) != 1 || !strings.Contains(sms[0].Body, "照片不清晰") {
		t.Fatalf("sms %+v", sms)
	}
	// Corrected and resubmitted the next day: counts against the cycle.
	w.Clock.Advance(24 * time.Hour)
	tok = w.Token(w.Account(a.Login))
	second := w.submit(t, tok, form(a))
	if second.Status != 202 || second.Int("remainingThisCycle") != 1 {
		t.Fatalf("resubmission: %d %v", second.Status, second.Body)
	}
	list := apitest.Call(t, w.mine, apitest.Request{Method: "GET", Path: "/v1/me/manual-reviews", Token: tok}).Body["items"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["reviewId"] != second.Str("reviewId") {
		t.Fatalf("newest first: %v", list)
	}
}

func TestOneDecisionUnderRace(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.Env.Faults.Set(fault)
			a, tok := w.ready(t, "陈大文")
			id := w.submit(t, tok, form(a)).Str("reviewId")
			results := testkit.Race(8, func(i int) apitest.Result {
				if i%2 == 0 {
					return w.decide(t, id, map[string]any{"decision": "approve"})
				}
				return w.decide(t, id, map[string]any{"decision": "reject", "reason": "资料不全"})
			})
			made, refused := 0, 0
			var status string
			for _, r := range results {
				switch {
				case r.Status == 200:
					made++
					status = r.Str("status")
				case r.Status == 409 && r.Code() == api.CodeAlreadyDecided:
					refused++
				default:
					t.Errorf("unexpected %d %v", r.Status, r.Body)
				}
			}
			if made != 1 || refused != 7 {
				t.Fatalf("%d decisions made, %d refused", made, refused)
			}
			want := map[string]string{"approved": account.StatusReviewApproved, "rejected": account.StatusReviewRejected}[status]
			if got := w.Account(a.Login).Verification.Status; got != want {
				t.Fatalf("the account says %s after a %s decision", got, status)
			}
			if n := len(w.Outbox.Messages()); n != 1 {
				t.Fatalf("%d decision SMS", n)
			}
			if res := w.decide(t, id, map[string]any{"decision": "approve"}); res.Code() != api.CodeAlreadyDecided {
				t.Fatalf("a later decision: %d", res.Status)
			}
		})
	}
}

// A submission or a decision whose transaction keeps conflicting is a 503 that spends
// nothing: the cycle's quota is whole afterwards, and the decision is made once, afterwards.
func TestABusyStoreSpendsNoReviewAndDecidesNothing(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	w.Env.Faults.Set(storetest.ConflictAlways)
	if res := w.submit(t, tok, form(a)); res.Status != 503 || res.RetryAfter() < 1 {
		t.Fatalf("busy submission: %d %v", res.Status, res.Body)
	}
	w.Env.Faults.Set(storetest.NoFault)
	res := w.submit(t, tok, form(a))
	if res.Status != 202 || res.Int("remainingThisCycle") != 2 {
		t.Fatalf("the submission once the store is free: %d %v", res.Status, res.Body)
	}
	id := res.Str("reviewId")
	w.Env.Faults.Set(storetest.ConflictAlways)
	if res := w.decide(t, id, map[string]any{"decision": "approve"}); res.Status != 503 {
		t.Fatalf("busy decision: %d %v", res.Status, res.Body)
	}
	if n := len(w.Outbox.Messages()); n != 0 {
		t.Fatalf("a decision not made sent %d messages", n)
	}
	w.Env.Faults.Set(storetest.NoFault)
	if res := w.decide(t, id, map[string]any{"decision": "approve"}); res.Status != 200 {
		t.Fatalf("the decision once the store is free: %d %v", res.Status, res.Body)
	}
	if got := w.Account(a.Login).Verification.Status; got != account.StatusReviewApproved {
		t.Fatalf("status after the decision: %s", got)
	}
}

// A JPEG with an HTML document after its end is taken, but what reviewers' browsers get back
// is its pixels, re-encoded: never the bytes that followed the image.
func TestAPhotoCarryingADocumentIsServedAsPixels(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	raw, _ := base64.StdEncoding.DecodeString(smallPhoto)
	polyglot := append(raw, []byte("<html><script>fetch('/steal')</script></html>")...)
	body := form(a)
	body["photo"] = base64.StdEncoding.EncodeToString(polyglot)
	id := w.submit(t, tok, body).Str("reviewId")
	res := w.open(t, w.rtok, id)
	served, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(res.Str("photo"), "data:image/jpeg;base64,"))
	if res.Status != 200 || err != nil || bytes.Contains(served, []byte("<html")) || bytes.Equal(served, polyglot) {
		t.Fatalf("served %d bytes (%v), carrying the document: %v", len(served), err, bytes.Contains(served, []byte("<html")))
	}
	if _, err := jpeg.Decode(bytes.NewReader(served)); err != nil {
		t.Fatalf("the served photo is no JPEG: %v", err)
	}
}

// A photo is kept PhotoRetention after its decision, then no reviewer sees it (and TTL
// deletes it); who read it, and when, stays.
func TestAPhotoIsDeletedAMonthAfterItsDecision(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	id := w.submit(t, tok, form(a)).Str("reviewId")
	w.open(t, w.rtok, id)
	if res := w.decide(t, id, map[string]any{"decision": "approve"}); res.Status != 200 {
		t.Fatalf("decide: %d %v", res.Status, res.Body)
	}
	w.Clock.Advance(casework.PhotoRetention - time.Minute)
	w.rtok = w.Token(w.Account("LI.REVIEWER"))
	if res := w.open(t, w.rtok, id); res.Str("photo") == "" {
		t.Fatalf("within the retention: %v", res.Body["photo"])
	}
	w.Clock.Advance(2 * time.Minute)
	w.rtok = w.Token(w.Account("LI.REVIEWER"))
	res := w.open(t, w.rtok, id)
	if res.Status != 200 || res.Body["photo"] != nil || res.Str("reviewId") != id {
		t.Fatalf("after the retention: %d, photo %.40v", res.Status, res.Body["photo"])
	}
	reads, err := w.Env.Store.ListPhotoReads(t.Context(), id)
	if err != nil || len(reads) != 2 {
		t.Fatalf("the trail after the photo went: %d reads, %v", len(reads), err)
	}
}

// One account has at most PhotoChecksPerHour photos decoded an hour, counted before the
// decode: a refused photo costs no review but still costs a decode. A form refused before
// the photo is looked at costs neither, and the next hour has its own count.
func TestAnAccountHasTenPhotosCheckedAnHour(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	raw, _ := base64.StdEncoding.DecodeString(smallPhoto)
	broken := append(append([]byte{}, raw[:len(raw)-40]...), 0xFF, 0xD9) // a whole header, scans cut short
	for i := range review.PhotoChecksPerHour {
		body := form(a)
		body["photo"] = base64.StdEncoding.EncodeToString(broken)
		if res := w.submit(t, tok, body); res.Status != 422 || res.Field() != "photo" {
			t.Fatalf("decode %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	for field, value := range map[string]any{"name": "陈", "photo": pngPhoto()} {
		body := form(a)
		body[field] = value
		if res := w.submit(t, tok, body); res.Status != 422 || res.Field() != field {
			t.Errorf("a form refused before the decode, past the hour's checks: %d %v", res.Status, res.Body)
		}
	}
	res := w.submit(t, tok, form(a))
	if res.Status != 429 || res.Code() != api.CodeQuotaExceeded || res.RetryAfter() < 1 || res.RetryAfter() > 3600 {
		t.Fatalf("an eleventh photo in the hour: %d %v", res.Status, res.Body)
	}
	w.Clock.Advance(time.Hour)
	if res := w.submit(t, w.Token(a), form(a)); res.Status != 202 || res.Int("remainingThisCycle") != 2 {
		t.Fatalf("the next hour: %d %v", res.Status, res.Body)
	}
}

// cleared is an applicant approved by an identity review, with a session.
func (w *world) cleared(t *testing.T, name string) (account.Account, string) {
	t.Helper()
	a, tok := w.ready(t, name)
	id := w.submit(t, tok, form(a)).Str("reviewId")
	if res := w.decide(t, id, map[string]any{"decision": "approve"}); res.Status != 200 {
		t.Fatalf("approve: %d %v", res.Status, res.Body)
	}
	return w.Account(a.Login), tok
}

// SPEC §1 and the seed: a cleared applicant whose name changed files a name change with a
// photo of the document that bears it; meanwhile the applicant stays cleared for business,
// and its approval applies the name and asks for the qualification application again.
func TestANameChangeKeepsTheApplicantCleared(t *testing.T) {
	w := newWorld(t)
	a, tok := w.cleared(t, "陈大文")
	body := form(a)
	body["kind"] = "name_change"
	if res := w.submit(t, tok, body); res.Status != 422 || res.Field() != "name" {
		t.Fatalf("a name change to the same name: %d %v", res.Status, res.Body)
	}
	body["name"] = "陈小文"
	res := w.submit(t, tok, body)
	if res.Status != 202 || res.Int("remainingThisCycle") != 1 {
		t.Fatalf("name change: %d %v", res.Status, res.Body)
	}
	id := res.Str("reviewId")
	me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok})
	if me.Str("nextStep") != "none" || me.Body["verification"].(map[string]any)["status"] != "review_approved" || me.Str("name") != "陈大文" {
		t.Fatalf("while pending the applicant is not cleared: %v", me.Body)
	}
	body["name"] = "陈中文"
	if res := w.submit(t, tok, body); res.Status != 409 || res.Code() != api.CodeReviewPending {
		t.Fatalf("a second name change while one is pending: %d %v", res.Status, res.Body)
	}
	if res := w.submit(t, tok, form(a)); res.Status != 409 || res.Code() != api.CodeAlreadyVerified {
		t.Fatalf("an identity review from a cleared applicant: %d %v", res.Status, res.Body)
	}

	// The queue knows the kind; the detail says what would change.
	if q := w.queue(t, "kind=name_change"); len(q.Items()) != 1 || q.Items()[0]["reviewId"] != id || q.Items()[0]["kind"] != "name_change" {
		t.Fatalf("queue of name changes: %v", q.Body)
	}
	if q := w.queue(t, "kind=identity"); len(q.Items()) != 0 {
		t.Fatalf("the name change in the identity queue: %v", q.Body)
	}
	detail := w.open(t, w.rtok, id)
	changes, _ := detail.Body["changes"].([]any)
	if len(changes) != 1 || changes[0].(map[string]any)["before"] != "陈大文" || changes[0].(map[string]any)["after"] != "陈小文" {
		t.Fatalf("changes: %v", detail.Body["changes"])
	}
	if res := w.decide(t, id, map[string]any{"decision": "approve"}); res.Status != 200 {
		t.Fatalf("approve: %d %v", res.Status, res.Body)
	}
	acct := w.Account(a.Login)
	if acct.Name != "陈小文" || !acct.Verification.ReapplyRequired || acct.Verification.Status != account.StatusReviewApproved || acct.Verification.NameChangeID != "" {
		t.Fatalf("after approval: %+v", acct.Verification)
	}
	mine := apitest.Call(t, w.mine, apitest.Request{Method: "GET", Path: "/v1/me/manual-reviews", Token: tok})
	var listed map[string]any
	for _, it := range mine.Items() {
		if it["reviewId"] == id {
			listed = it
		}
	}
	if listed["kind"] != "name_change" || listed["status"] != "approved" || listed["dueAt"] == nil {
		t.Fatalf("the applicant's list: %v", mine.Body)
	}
	sent := w.ses.Sent()
	if last := sent[len(sent)-1].Content.Simple.Body.Text.Data; !strings.Contains(last, "姓名变更申请已通过") || !strings.Contains(last, "重新提交报名信息") {
		t.Fatalf("the mail: %s", last)
	}
}

func TestOnlyAClearedApplicantChangesTheName(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	body := form(a)
	body["kind"] = "name_change"
	body["name"] = "陈小文"
	if res := w.submit(t, tok, body); res.Status != 403 || res.Code() != api.CodeVerificationRequired {
		t.Fatalf("an uncleared applicant's name change: %d %v", res.Status, res.Body)
	}
	body["kind"] = "ownership"
	if res := w.submit(t, tok, body); res.Status != 422 || res.Field() != "kind" {
		t.Fatalf("an ownership claim through the manual review: %d %v", res.Status, res.Body)
	}
}

// The queue's page is read alongside the session, before the caller is known: an applicant,
// a logged-out reviewer, or a bad query gets the gate's own answer first, never the page.
func TestTheQueueReadAlongsideTheSessionGoesToReviewersOnly(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	w.submit(t, tok, form(a))
	call := func(tok string, query map[string]string) apitest.Result {
		return apitest.Call(t, w.queueH, apitest.Request{Method: "GET", Path: "/v1/reviews", Token: tok, Query: query})
	}
	for name, q := range map[string]map[string]string{"no query": nil, "a bad cursor": {"cursor": "forged"}, "a bad status": {"status": "x"}} {
		if res := call(tok, q); res.Status != 403 || res.Code() != api.CodeForbidden || res.Body["items"] != nil {
			t.Errorf("an applicant, %s: %d %v", name, res.Status, res.Body)
		}
	}
	if res := call(w.rtok, map[string]string{"status": "x"}); res.Status != 422 || res.Field() != "status" {
		t.Errorf("a reviewer, a bad status: %d %v", res.Status, res.Body)
	}
	w.Clock.Advance(authn.IdleTimeout)
	if res := call(w.rtok, nil); res.Status != 401 || res.Body["items"] != nil {
		t.Errorf("an idle reviewer: %d %v", res.Status, res.Body)
	}
}

// The hour's photo check is counted alongside the session's read, before the form is looked
// at: a form refused before the decode gives it back, so it costs nothing.
func TestAFormRefusedBeforeTheDecodeGivesThePhotoCheckBack(t *testing.T) {
	w := newWorld(t)
	a, tok := w.ready(t, "陈大文")
	for i := range review.PhotoChecksPerHour + 2 {
		body := form(a)
		body["name"] = "陈"
		if res := w.submit(t, tok, body); res.Status != 422 || res.Field() != "name" {
			t.Fatalf("refusal %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	if res := w.submit(t, tok, form(a)); res.Status != 202 {
		t.Fatalf("a submission after twelve refused forms: %d %v", res.Status, res.Body)
	}
}

// An account whose mobile no code ever reached (registered with a code asked in WeChat) is
// told its decision by mail alone: the site texts no number that never showed it reaches the
// holder.
func TestADecisionIsNotTextedToAnUnprovenMobile(t *testing.T) {
	w := newWorld(t)
	a, _ := w.ready(t, "陈大文")
	w.Env.MarkPhoneUnproven(t, a.Login)
	a = w.Account(a.Login)
	if !a.PhoneUnproven {
		t.Fatal("the account's mobile is not marked unproven")
	}
	id := w.submit(t, w.Token(a), form(a)).Str("reviewId")
	if res := w.decide(t, id, map[string]any{"decision": "reject", "reason": "照片不清晰，请重新拍摄"}); res.Status != 200 {
		t.Fatalf("reject: %d %v", res.Status, res.Body)
	}
	if sms := w.Outbox.Messages(); len(sms) != 0 {
		t.Fatalf("texted an unproven mobile: %+v", sms)
	}
	if sent := w.ses.Sent(); len(sent) != 1 || sent[0].Destination.ToAddresses[0] != a.Email {
		t.Fatalf("mail %+v", sent)
	}
}
