package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/reset"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
)

const guarded = "110101198001010010"

func admit(t *testing.T, st *store.Store, at time.Time) (int, time.Time, error) {
	t.Helper()
	return st.AdmitLogin(ctx, guarded, at, 5, 15*time.Minute)
}

// A reset completing while a login's password is checked deletes the guard; the login's
// success must not bring it back as a guard that never expires and so never admits again.
func TestAResetDuringALoginLeavesNoLastingLock(t *testing.T) {
	st := storetest.New(t).Store
	acct := account.Account{Login: guarded, AccountID: "a1", Role: account.RoleApplicant, PasswordHash: "old", CreatedAt: "x"}
	if err := st.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if n, _, err := admit(t, st, t0); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if err := st.PutResetLink(ctx, "h", reset.Link{Login: guarded, ExpiresAt: t0.Add(time.Hour).Unix()}); err != nil {
		t.Fatal(err)
	}
	if err := st.CompleteReset(ctx, store.Completion{Login: guarded, PasswordHash: "new", LinkHash: "h"}, t0); err != nil {
		t.Fatal(err)
	}
	sess := account.Session{Login: guarded, AccountID: "a1", Role: account.RoleApplicant, CreatedAt: t0.Unix(),
		ExpiresAt: t0.Add(time.Hour).Unix(), IdleUntil: t0.Add(time.Hour).Unix()}
	if err := st.StartSession(ctx, "tok", sess, store.Login{Guard: guarded, Login: guarded}, t0); err != nil {
		t.Fatal("start session:", err)
	}
	for _, later := range []time.Duration{time.Minute, 25 * time.Hour, 30 * 24 * time.Hour} {
		if n, _, err := admit(t, st, t0.Add(later)); err != nil || n != 1 {
			t.Errorf("+%v: attempt %d, %v; want the first of a fresh count", later, n, err)
		}
	}
}

// The fifth attempt of a count may never lock (its function stopped, or its LockLogin met a
// busy store): five attempts and no lock are then a lock from the fifth's admission, for
// the usual fifteen minutes, and not a day's.
func TestFiveAttemptsThatNeverLockedAreALockOfFifteenMinutes(t *testing.T) {
	st := storetest.New(t).Store
	for i := 1; i <= 5; i++ {
		if n, _, err := admit(t, st, t0.Add(time.Duration(i)*time.Second)); err != nil || n != i {
			t.Fatalf("attempt %d: %d %v", i, n, err)
		}
	}
	fifth := t0.Add(5 * time.Second)
	for _, at := range []time.Time{fifth, fifth.Add(14 * time.Minute)} {
		_, until, err := admit(t, st, at)
		if !errors.Is(err, account.ErrLocked) || !until.Equal(fifth.Add(15*time.Minute)) {
			t.Errorf("at %v: %v until %v; want locked until fifteen minutes after the fifth", at, err, until)
		}
	}
	if n, _, err := admit(t, st, fifth.Add(15*time.Minute)); err != nil || n != 1 {
		t.Fatalf("after the lock: attempt %d, %v; want the first of a fresh count", n, err)
	}
	if n, _, err := admit(t, st, fifth.Add(15*time.Minute+time.Second)); err != nil || n != 2 {
		t.Fatalf("the next: attempt %d, %v", n, err)
	}
}

// A lock written by LockLogin holds until its time, whatever the count.
func TestALockHoldsUntilItsTime(t *testing.T) {
	st := storetest.New(t).Store
	if _, _, err := admit(t, st, t0); err != nil {
		t.Fatal(err)
	}
	until := t0.Add(15 * time.Minute)
	if err := st.LockLogin(ctx, guarded, until); err != nil {
		t.Fatal(err)
	}
	if _, got, err := admit(t, st, until.Add(-time.Second)); !errors.Is(err, account.ErrLocked) || !got.Equal(until) {
		t.Fatalf("before its end: %v until %v", err, got)
	}
	if n, _, err := admit(t, st, until); err != nil || n != 1 {
		t.Fatalf("at its end: attempt %d, %v", n, err)
	}
}
