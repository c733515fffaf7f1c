package notice_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/notice"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

// flakySMS is the outbox behind an SNS that can be down.
type flakySMS struct {
	*notify.Outbox
	down atomic.Bool
}

func (f *flakySMS) SendSMS(ctx context.Context, to, body string) error {
	if f.down.Load() {
		return errors.New("sns: throttled")
	}
	return f.Outbox.SendSMS(ctx, to, body)
}

type world struct {
	*testkit.Kit
	sms    *flakySMS
	sender *notice.Sender
}

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	sms := &flakySMS{Outbox: k.Outbox}
	return &world{Kit: k, sms: sms, sender: notice.NewSender(k.Store, sms, k.Outbox, k.Clock)}
}

// decided is a review of a new applicant, approved now: its notice written and leased to
// the decider, nothing sent yet.
func (w *world) decided(t *testing.T) casework.Notice {
	t.Helper()
	a := w.Profiled(w.ApplicantWith(identity.HKMacauPermit, "H"+testkit.Phone()[3:], "陈大文"))
	r := casework.Review{ID: "r-" + a.Login, Login: a.Login, Name: a.Name, NameBefore: a.Name, Phone: a.Phone, Email: a.Email,
		IDValidFrom: a.IDValidFrom, IDValidTo: a.IDValidTo, Status: casework.Pending, SubmittedAt: w.Clock.Now().UnixMilli()}
	if _, err := w.Env.Store.SubmitReview(t.Context(), a, r, []byte{1}, quota.Limit{Period: "2026-2", Max: 3, Expires: w.Clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	nt, err := w.Env.Store.DecideReview(t.Context(), casework.Decision{Review: r, Approve: true, DecidedBy: "x", At: w.Clock.Now()}, w.Clock.Now().Add(casework.PhotoRetention))
	if err != nil {
		t.Fatal(err)
	}
	return nt
}

// sent counts the messages of a channel to an address.
func (w *world) sent(channel, to string) int {
	n := 0
	for _, m := range w.Outbox.Messages() {
		if m.Channel == channel && m.To == to {
			n++
		}
	}
	return n
}

func (w *world) run(t *testing.T) notice.Report {
	t.Helper()
	rep, err := w.sender.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAChannelThatFailedIsRetriedAlone(t *testing.T) {
	w := newWorld(t)
	nt := w.decided(t)
	w.sms.down.Store(true)
	if err := w.sender.Deliver(t.Context(), nt); err == nil {
		t.Fatal("a failed SMS was not reported")
	}
	if w.sent("sms", nt.Phone) != 0 || w.sent("email", nt.Email) != 1 {
		t.Fatalf("at the decision: %+v", w.Outbox.Messages())
	}
	if rep := w.run(t); rep.Undelivered != 0 {
		t.Fatalf("a run before the failed channel's retry is due: %+v", rep)
	}
	w.Clock.Advance(notice.RetryDelay(1) + time.Second)
	if rep := w.run(t); rep.Undelivered != 1 || rep.Failed != 1 {
		t.Fatalf("a run while SNS is down: %+v", rep)
	}
	w.sms.down.Store(false)
	if rep := w.run(t); rep.Delivered != 0 {
		t.Fatalf("a run before the second retry is due: %+v", rep)
	}
	w.Clock.Advance(notice.RetryDelay(2) + time.Second)
	if rep := w.run(t); rep.Delivered != 1 {
		t.Fatalf("a run with SNS back: %+v", rep)
	}
	if w.sent("sms", nt.Phone) != 1 || w.sent("email", nt.Email) != 1 {
		t.Fatalf("each channel once: %+v", w.Outbox.Messages())
	}
	if rep := w.run(t); rep != (notice.Report{}) {
		t.Fatalf("a delivered notice was found again: %+v", rep)
	}
}

// A decider that stopped between its decision and the sending holds the lease for two
// minutes; then the scheduled run sends the notice.
func TestANoticeLeftByTheDeciderIsSentAfterItsLease(t *testing.T) {
	w := newWorld(t)
	nt := w.decided(t)
	if rep := w.run(t); rep.Undelivered != 0 || len(w.Outbox.Messages()) != 0 {
		t.Fatalf("a run inside the decider's lease: %+v", rep)
	}
	w.Clock.Advance(casework.NoticeLease + time.Second)
	if rep := w.run(t); rep.Delivered != 1 || w.sent("sms", nt.Phone) != 1 || w.sent("email", nt.Email) != 1 {
		t.Fatalf("after the lease: %+v %+v", rep, w.Outbox.Messages())
	}
}

func TestConcurrentRunsSendEachNoticeOnce(t *testing.T) {
	w := newWorld(t)
	var notices []casework.Notice
	for range 5 {
		notices = append(notices, w.decided(t))
	}
	w.Clock.Advance(casework.NoticeLease + time.Second)
	reports := testkit.Race(4, func(int) notice.Report { return w.run(t) })
	delivered := 0
	for _, r := range reports {
		delivered += r.Delivered
	}
	if delivered != len(notices) {
		t.Fatalf("delivered %d of %d: %+v", delivered, len(notices), reports)
	}
	for _, nt := range notices {
		if w.sent("sms", nt.Phone) != 1 {
			t.Fatalf("review %s told by %d SMS", nt.ReviewID, w.sent("sms", nt.Phone))
		}
	}
	if mails := w.sent("email", notices[0].Email); mails != len(notices) { // the kit's applicants share one address
		t.Fatalf("%d mails for %d notices", mails, len(notices))
	}
}

func TestAnUndeliverableNoticeIsGivenUpAfterSevenDays(t *testing.T) {
	w := newWorld(t)
	w.decided(t)
	w.Clock.Advance(casework.NoticeLife + time.Minute)
	if rep := w.run(t); rep != (notice.Report{}) || len(w.Outbox.Messages()) != 0 {
		t.Fatalf("a notice past its life: %+v", rep)
	}
}

// decide makes a review decided at the kit's clock for an applicant who needs no password.
func (w *world) decide(t *testing.T, i int) casework.Notice {
	t.Helper()
	login := fmt.Sprintf("H%08d", i)
	a := account.Account{Login: login, AccountID: "a" + login, Role: account.RoleApplicant, IDType: string(identity.HKMacauPermit),
		Name: "陈大文", PasswordHash: "x", Phone: "+85291234567", Email: "91234567@qq.com",
		Profile: &account.Profile{Ethnicity: "01"}, Verification: account.Verification{Status: account.StatusUnverified}}
	if err := w.Store.CreateAccount(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	r := casework.Review{ID: "r-" + login, Login: login, Name: a.Name, NameBefore: a.Name, Phone: a.Phone, Email: a.Email,
		Status: casework.Pending, SubmittedAt: w.Clock.Now().UnixMilli()}
	if _, err := w.Store.SubmitReview(t.Context(), a, r, []byte{1}, quota.Limit{Period: "2026-2", Max: 3, Expires: w.Clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	nt, err := w.Store.DecideReview(t.Context(), casework.Decision{Review: r, Approve: true, DecidedBy: "x", At: w.Clock.Now()}, w.Clock.Now().Add(casework.PhotoRetention))
	if err != nil {
		t.Fatal(err)
	}
	return nt
}

// Notices given up on, and notices other senders hold, at the head of the index hide none
// behind them: 150 given up and 101 leased (more than a page) come first, and the one
// sendable notice after them is sent.
func TestNoticesAtTheHeadCannotStarveTheRest(t *testing.T) {
	w := newWorld(t)
	start := w.Clock.Now()
	w.Clock.Set(start.Add(-casework.NoticeLife - time.Hour))
	for i := range 150 {
		w.decide(t, i) // given up on by now
	}
	w.Clock.Set(start.Add(-time.Minute))
	for i := 150; i < 251; i++ {
		w.decide(t, i) // still leased to their deciders at start
	}
	w.Clock.Set(start.Add(-30 * time.Second))
	live := w.decide(t, 251)
	if err := w.Store.SettleNotice(t.Context(), live.ReviewID, casework.Channels{SMS: true}, w.Clock.Now()); err != nil { // its SMS failed, due again now
		t.Fatal(err)
	}
	w.Clock.Set(start)
	rep := w.run(t)
	if rep.Delivered != 1 || w.sent("sms", live.Phone) != 1 {
		t.Fatalf("report %+v, %d SMS: the notice behind the others was not sent", rep, w.sent("sms", live.Phone))
	}
}
