package quotareset_test

import (
	"context"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/quotareset"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
)

var ctx = context.Background()

func TestClearsEndedDaysOnlyAndIsIdempotent(t *testing.T) {
	env := storetest.New(t)
	clk := clock.NewFixed(time.Date(2026, 11, 27, 23, 59, 59, 0, clock.CST))
	// Counters of 27 Nov, for 40 mobiles (spread over every shard) and one account.
	for i := 0; i < 40; i++ {
		phone := "+861380000" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "0"
		if _, err := env.Store.ReserveSMS(ctx, phone, "2026-11-27", 3, clk.Now().Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Store.CountVerification(ctx, "L1", "2026-11-27", 3, clk.Now().Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r := quotareset.NewResetter(env.Store, clk)
	// At 23:59:59 the day has not ended: nothing to clear.
	rep, err := r.Run(ctx, quotareset.Input{Scope: "days"})
	if err != nil || rep.Total != 0 {
		t.Fatalf("before midnight: %+v %v", rep, err)
	}
	// At 00:00:00 CST it has.
	clk.Advance(time.Second)
	rep, err = r.Run(ctx, quotareset.Input{Scope: "days"})
	if err != nil || rep.Total != 41 || rep.Cleared["2026-11-27"] != 41 {
		t.Fatalf("after midnight: %+v %v", rep, err)
	}
	// The counters are gone: a new count starts at one.
	if n, err := env.Store.ReserveSMS(ctx, "+8613800000000", "2026-11-27", 3, clk.Now().Add(24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("after clearing: %d %v", n, err)
	}
	// Idempotent: the next run finds only what was counted since (the line above).
	rep, _ = r.Run(ctx, quotareset.Input{Scope: "days"})
	if rep.Total != 1 {
		t.Fatalf("second run: %+v", rep)
	}
	rep, _ = r.Run(ctx, quotareset.Input{Scope: "days"})
	if rep.Total != 0 {
		t.Fatalf("third run: %+v", rep)
	}
}

func TestClearsTheEndedCycleOn1September(t *testing.T) {
	env := storetest.New(t)
	clk := clock.NewFixed(time.Date(2026, 8, 31, 23, 59, 59, 0, clock.CST))
	a := account.Account{Login: "L1", AccountID: "a1", Role: account.RoleApplicant, IDType: "hk_macau_permit", Name: "陈大文",
		PasswordHash: "x", Verification: account.Verification{Status: account.StatusUnverified}}
	if _, err := env.Store.SubmitReview(ctx, a, casework.Review{ID: "r1", Login: "L1", Status: casework.Pending, SubmittedAt: 1},
		[]byte{1}, quota.Limit{Period: clock.Cycle(clk.Now()), Max: 3, Expires: clk.Now().Add(time.Hour)}); err == nil {
		t.Fatal("a review for a missing account was stored")
	}
	if err := env.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.SubmitReview(ctx, a, casework.Review{ID: "r1", Login: "L1", Status: casework.Pending, SubmittedAt: 1},
		[]byte{1}, quota.Limit{Period: clock.Cycle(clk.Now()), Max: 3, Expires: clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	r := quotareset.NewResetter(env.Store, clk)
	if rep, _ := r.Run(ctx, quotareset.Input{Scope: "cycles"}); rep.Total != 0 {
		t.Fatalf("on 31 Aug the current cycle was cleared: %+v", rep)
	}
	clk.Advance(time.Second)
	rep, err := r.Run(ctx, quotareset.Input{Scope: "cycles"})
	if err != nil || rep.Cleared["2026-1"] != 1 {
		t.Fatalf("on 1 Sep: %+v %v", rep, err)
	}
}

func TestEndedPeriods(t *testing.T) {
	jan := time.Date(2027, 1, 1, 0, 0, 0, 0, clock.CST)
	if got := quotareset.EndedPeriods("cycles", jan); len(got) != 1 || got[0] != "2026-2" {
		t.Fatalf("1 Jan 2027: %v", got)
	}
	days := quotareset.EndedPeriods("days", jan)
	if len(days) != quotareset.LookBackDays || days[0] != "2026-12-31" || days[6] != "2026-12-25" {
		t.Fatalf("days: %v", days)
	}
}
