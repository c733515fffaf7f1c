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

// admit counts an attempt at guarded as a login does and returns the guard's count.
func admit(t *testing.T, env *storetest.Env, at time.Time) (int, time.Time, error) {
	t.Helper()
	return env.Admit(ctx, guarded, at, 5, 15*time.Minute)
}

// A reset completing while a login's password is checked deletes the guard; the login's
// success must not bring it back as a guard that never expires and so never admits again.
func TestAResetDuringALoginLeavesNoLastingLock(t *testing.T) {
	env := storetest.New(t)
	st := env.Store
	acct := account.Account{Login: guarded, AccountID: "a1", Role: account.RoleApplicant, PasswordHash: "old", CreatedAt: "x"}
	if err := st.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if n, _, err := admit(t, env, t0); err != nil || n != 1 {
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
		if n, _, err := admit(t, env, t0.Add(later)); err != nil || n != 1 {
			t.Errorf("+%v: attempt %d, %v; want the first of a fresh count", later, n, err)
		}
	}
}

// The fifth attempt of a count may never lock (its function stopped, or its LockLoginIfFull
// met a busy store): five attempts and no lock are then a lock from the fifth's admission, for
// the usual fifteen minutes, and not a day's.
func TestFiveAttemptsThatNeverLockedAreALockOfFifteenMinutes(t *testing.T) {
	env := storetest.New(t)
	for i := 1; i <= 5; i++ {
		if n, _, err := admit(t, env, t0.Add(time.Duration(i)*time.Second)); err != nil || n != i {
			t.Fatalf("attempt %d: %d %v", i, n, err)
		}
	}
	fifth := t0.Add(5 * time.Second)
	for _, at := range []time.Time{fifth, fifth.Add(14 * time.Minute)} {
		_, until, err := admit(t, env, at)
		if !errors.Is(err, account.ErrLocked) || !until.Equal(fifth.Add(15*time.Minute)) {
			t.Errorf("at %v: %v until %v; want locked until fifteen minutes after the fifth", at, err, until)
		}
	}
	if n, _, err := admit(t, env, fifth.Add(15*time.Minute)); err != nil || n != 1 {
		t.Fatalf("after the lock: attempt %d, %v; want the first of a fresh count", n, err)
	}
	if n, _, err := admit(t, env, fifth.Add(15*time.Minute+time.Second)); err != nil || n != 2 {
		t.Fatalf("the next: attempt %d, %v", n, err)
	}
}

// A lock holds until its time, whatever the count.
func TestALockHoldsUntilItsTime(t *testing.T) {
	env := storetest.New(t)
	if _, _, err := admit(t, env, t0); err != nil {
		t.Fatal(err)
	}
	until := t0.Add(15 * time.Minute)
	if err := env.Lock(ctx, guarded, until); err != nil {
		t.Fatal(err)
	}
	if _, got, err := admit(t, env, until.Add(-time.Second)); !errors.Is(err, account.ErrLocked) || !got.Equal(until) {
		t.Fatalf("before its end: %v until %v", err, got)
	}
	if n, _, err := admit(t, env, until); err != nil || n != 1 {
		t.Fatalf("at its end: attempt %d, %v", n, err)
	}
}

// A reviewer's session holds only while the day's wrong second-factor codes are under the
// limit and the code's step is new; either refusal writes nothing, and the day's count is
// refused first, as the login answers it (the operators are told).
func TestAReviewersSessionHoldsOnlyUnderTheDaysWrongCodes(t *testing.T) {
	env := storetest.New(t)
	st := env.Store
	const reviewer, day = "LI.REVIEWER", "2026-11-28"
	if err := st.CreateAccount(ctx, account.Account{Login: reviewer, AccountID: "r1", Role: account.RoleReviewer, PasswordHash: "h", CreatedAt: "x"}); err != nil {
		t.Fatal(err)
	}
	start := func(tok string, step int64) error {
		sess := account.Session{Login: reviewer, AccountID: "r1", Role: account.RoleReviewer, CreatedAt: t0.Unix(),
			ExpiresAt: t0.Add(time.Hour).Unix(), IdleUntil: t0.Add(time.Hour).Unix()}
		return st.StartSession(ctx, tok, sess, store.Login{Guard: reviewer + "@10.0.0.8", Login: reviewer,
			TOTPStep: step, SecondFactorDay: day, SecondFactorMax: 2}, t0)
	}
	if err := start("t1", 100); err != nil {
		t.Fatal("no wrong code counted:", err)
	}
	if err := start("t2", 100); !errors.Is(err, account.ErrCodeReused) {
		t.Fatalf("the same step again: %v", err)
	}
	for i := 0; i < 2; i++ {
		if err := st.CountSecondFactor(ctx, reviewer, day, 2, t0.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := start("t3", 100); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("the day full and the step used: %v, want the day's refusal", err)
	}
	if err := start("t4", 101); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("the day full: %v", err)
	}
	// A lock begun meanwhile alone would say 423; on a full day the day's refusal comes first,
	// so that a right code is answered as a wrong one is.
	if err := env.Lock(ctx, reviewer+"@10.0.0.8", t0.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := start("t6", 101); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("the day full and the guard locked: %v, want the day's refusal", err)
	}
	if _, _, err := st.ReadSession(ctx, "t1", "t1"); err != nil {
		t.Fatal("the session let in:", err)
	}
	for _, tok := range []string{"t2", "t3", "t4", "t6"} {
		if _, _, err := st.ReadSession(ctx, tok, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session %s of a refused start: %v", tok, err)
		}
	}
	if err := st.StartSession(ctx, "t5", account.Session{Login: reviewer, AccountID: "r1", Role: account.RoleReviewer,
		CreatedAt: t0.Unix(), ExpiresAt: t0.Add(time.Hour).Unix(), IdleUntil: t0.Add(time.Hour).Unix()},
		store.Login{Guard: reviewer + "@10.0.0.9", Login: reviewer, TOTPStep: 101, SecondFactorDay: "2026-11-29", SecondFactorMax: 2}, t0); err != nil {
		t.Fatal("the next day:", err)
	}
}

// A session's change counts the current password's attempt only while the session is live
// and the account is in the epoch given: ended, past its lifetime or its idle deadline,
// nothing is counted (ErrNotFound); the account's password changed since, nothing either
// (ErrAccountMoved), in the session that changed it too until it counts in the new epoch.
func TestAnAttemptIsCountedInASessionOnlyWhileItIsLive(t *testing.T) {
	env := storetest.New(t)
	st := env.Store
	if err := st.CreateAccount(ctx, account.Account{Login: guarded, AccountID: "a1", Role: account.RoleApplicant, PasswordHash: "h", CreatedAt: "x"}); err != nil {
		t.Fatal(err)
	}
	start := func(tok string, expires, idle time.Time) {
		t.Helper()
		sess := account.Session{Login: guarded, AccountID: "a1", Role: account.RoleApplicant, CreatedAt: t0.Unix(),
			ExpiresAt: expires.Unix(), IdleUntil: idle.Unix()}
		if err := st.StartSession(ctx, tok, sess, store.Login{Guard: "other", Login: guarded}, t0); err != nil {
			t.Fatal(err)
		}
	}
	admitIn := func(tok string, epoch int64) (time.Time, error) {
		return st.AdmitLoginInSession(ctx, guarded, tok, epoch, t0, 5, 15*time.Minute)
	}
	start("live", t0.Add(time.Hour), t0.Add(time.Minute))
	start("voided", t0.Add(time.Hour), t0.Add(time.Minute))
	start("expired", t0, t0.Add(time.Minute))
	start("idle", t0.Add(time.Hour), t0)
	for _, tok := range []string{"expired", "idle", "never started"} {
		if _, err := admitIn(tok, 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s session: %v", tok, err)
		}
	}
	if _, err := admitIn("live", 3); !errors.Is(err, store.ErrAccountMoved) {
		t.Errorf("an epoch the account is not in: %v", err)
	}
	// The live session changes the password: the account and that session move to epoch 1.
	if err := st.ChangeCredential(ctx, store.Change{Login: guarded, Epoch: 0, SessionHash: "live", PasswordHash: "h2"}, t0); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"voided", "live"} {
		if _, err := admitIn(tok, 0); !errors.Is(err, store.ErrAccountMoved) {
			t.Errorf("%s session in the epoch before the change: %v", tok, err)
		}
	}
	if n, _, err := admit(t, env, t0); err != nil || n != 1 {
		t.Fatalf("the first attempt after the refusals: %d %v (they counted)", n, err)
	}
	for i := 2; i <= 5; i++ {
		if _, err := admitIn("live", 1); err != nil {
			t.Fatalf("attempt %d in a live session: %v", i, err)
		}
	}
	if until, err := admitIn("live", 1); !errors.Is(err, account.ErrLocked) || !until.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("the sixth: %v until %v", err, until)
	}
}
