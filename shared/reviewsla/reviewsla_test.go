package reviewsla_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/reviewsla"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
)

var ctx = context.Background()

// topic records what would go to the operators' SNS topic (the SNS adapter itself is tested
// at the wire in package notify).
type topic struct {
	mu       sync.Mutex
	messages []string
	fail     bool
}

func (t *topic) Publish(_ context.Context, subject, message string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fail {
		return errors.New("sns publish to topic: Throttling")
	}
	t.messages = append(t.messages, subject+"\n"+message)
	return nil
}

func submit(t *testing.T, env *storetest.Env, id string, at time.Time) {
	t.Helper()
	a := account.Account{Login: "L" + id, AccountID: "a" + id, Role: account.RoleApplicant, IDType: "taiwan_permit", Name: "林小明",
		PasswordHash: "x", Verification: account.Verification{Status: account.StatusUnverified}}
	if err := env.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	r := casework.Review{ID: id, Login: a.Login, AccountID: a.AccountID, Name: a.Name, IDNumber: "12345678", Status: casework.Pending,
		SubmittedAt: at.UnixMilli(), DueAt: clock.China().WorkingDayDeadline(at, 7).UnixMilli()}
	if _, err := env.Store.SubmitReview(ctx, a, r, []byte{1}, quota.Limit{Period: clock.Cycle(at), Max: 3, Expires: at.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

func TestOverdueReviewsAreReportedOnce(t *testing.T) {
	env := storetest.New(t)
	// Submitted Thursday 12 Feb 2026, before the Spring Festival: due at the end of 28 Feb
	// (a make-up Saturday). Another on 26 Feb is due later.
	submit(t, env, "early", time.Date(2026, 2, 12, 15, 0, 0, 0, clock.CST))
	submit(t, env, "late", time.Date(2026, 2, 26, 9, 0, 0, 0, clock.CST))
	clk := clock.NewFixed(time.Date(2026, 2, 28, 23, 0, 0, 0, clock.CST))
	ops := &topic{}
	r := reviewsla.NewReporter(env.Store, ops, clk, clock.China())
	rep, err := r.Run(ctx)
	if err != nil || rep.Pending != 2 || rep.Overdue != 0 || len(ops.messages) != 0 {
		t.Fatalf("on the due day: %+v %v %v", rep, err, ops.messages)
	}
	clk.Set(time.Date(2026, 3, 1, 0, 5, 0, 0, clock.CST))
	rep, err = r.Run(ctx)
	if err != nil || rep.Overdue != 1 || len(rep.NewlyReported) != 1 || rep.NewlyReported[0].ReviewID != "early" || len(ops.messages) != 1 {
		t.Fatalf("after the due day: %+v %v", rep, err)
	}
	if rep.NewlyReported[0].WorkingDaysWaiting != 7 {
		t.Fatalf("working days waiting: %d", rep.NewlyReported[0].WorkingDaysWaiting)
	}
	if strings.Contains(ops.messages[0], "林小明") || strings.Contains(ops.messages[0], "12345678") {
		t.Fatalf("the report carries personal data: %s", ops.messages[0])
	}
	var body reviewsla.Report
	if err := json.Unmarshal([]byte(strings.SplitN(ops.messages[0], "\n", 2)[1]), &body); err != nil || len(body.NewlyReported) != 1 {
		t.Fatalf("report body: %v %v", body, err)
	}
	// Idempotent: the next hour reports nothing new.
	rep, _ = r.Run(ctx)
	if rep.Overdue != 1 || len(rep.NewlyReported) != 0 || len(ops.messages) != 1 {
		t.Fatalf("second run: %+v, %d messages", rep, len(ops.messages))
	}
}

func TestAFailedReportIsMadeGoodByTheNextRun(t *testing.T) {
	env := storetest.New(t)
	submit(t, env, "r1", time.Date(2026, 11, 2, 10, 0, 0, 0, clock.CST))
	clk := clock.NewFixed(time.Date(2026, 11, 27, 10, 0, 0, 0, clock.CST))
	ops := &topic{fail: true}
	r := reviewsla.NewReporter(env.Store, ops, clk, clock.China())
	if _, err := r.Run(ctx); err == nil {
		t.Fatal("a failed publish was not an error")
	}
	ops.fail = false
	rep, err := r.Run(ctx)
	if err != nil || len(rep.NewlyReported) != 1 || len(ops.messages) != 1 {
		t.Fatalf("after the failure: %+v %v", rep, err)
	}
}

func TestConcurrentRunsReportOnce(t *testing.T) {
	env := storetest.New(t)
	submit(t, env, "r1", time.Date(2026, 11, 2, 10, 0, 0, 0, clock.CST))
	ops := &topic{}
	r := reviewsla.NewReporter(env.Store, ops, clock.NewFixed(time.Date(2026, 11, 27, 10, 0, 0, 0, clock.CST)), clock.China())
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = r.Run(ctx) }()
	}
	wg.Wait()
	if len(ops.messages) != 1 {
		t.Fatalf("%d reports of one overdue review", len(ops.messages))
	}
}

func TestAMissingCalendarYearIsFlagged(t *testing.T) {
	env := storetest.New(t)
	r := reviewsla.NewReporter(env.Store, &topic{}, clock.NewFixed(time.Date(2026, 12, 25, 10, 0, 0, 0, clock.CST)), clock.China())
	rep, err := r.Run(ctx)
	if err != nil || len(rep.CalendarMissing) != 1 || rep.CalendarMissing[0] != 2027 {
		t.Fatalf("%+v %v", rep, err)
	}
}
