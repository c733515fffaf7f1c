package store_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	miniserver "github.com/truora/minidyn/server"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/reset"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
)

// registration is a code sent for a mobile and the account it is to register.
func registration(t *testing.T, env *storetest.Env, login string) (account.Account, store.CodeKey) {
	t.Helper()
	k := store.CodeKey{Purpose: "register", Subject: "+86138" + login[len(login)-8:]}
	if err := env.Store.PutCode(ctx, k, store.Code{Hash: []byte("h"), Expires: t0.Add(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	return applicant(login), k
}

// DynamoDB cancels a transaction whose item another transaction holds (TransactionConflict),
// and the SDK does not retry that: the store does, and the transaction then goes through.
func TestATransactionConflictIsRetried(t *testing.T) {
	env := storetest.New(t)
	a, k := registration(t, env, "110105199003070001")
	env.Faults.Set(storetest.ConflictFirst)
	env.Calls.Reset()
	if err := env.Store.RegisterAccount(ctx, a, k, []byte("h"), t0); err != nil {
		t.Fatalf("a transaction that conflicted once: %v", err)
	}
	if env.Faults.Injected() != 1 || env.Calls.String() != "TransactWriteItems=2" {
		t.Fatalf("%d faults, calls %s: want the conflict and one retry", env.Faults.Injected(), env.Calls)
	}
	if _, err := env.Store.GetAccount(ctx, a.Login); err != nil {
		t.Fatalf("the account after the retry: %v", err)
	}
}

// A conflict that outlasts the retries is a BusyError, which the API answers 503, and
// nothing was written: the account is absent and the code still spendable.
func TestAConflictThatLastsIsBusyAndWritesNothing(t *testing.T) {
	env := storetest.New(t)
	a, k := registration(t, env, "110105199003070002")
	env.Faults.Set(storetest.ConflictAlways)
	env.Calls.Reset()
	err := env.Store.RegisterAccount(ctx, a, k, []byte("h"), t0)
	var busy *store.BusyError
	if !errors.As(err, &busy) || busy.RetryAfterSeconds() < 1 {
		t.Fatalf("err = %v, want a BusyError", err)
	}
	if env.Calls.String() != "TransactWriteItems=3" {
		t.Fatalf("calls %s: want three tries", env.Calls)
	}
	env.Faults.Set(storetest.NoFault)
	if _, err := env.Store.GetAccount(ctx, a.Login); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a busy registration left an account: %v", err)
	}
	if err := env.Store.RegisterAccount(ctx, a, k, []byte("h"), t0); err != nil {
		t.Fatalf("the code after a busy registration: %v", err)
	}
}

// Throttling is the SDK's to retry; a transaction throttled once goes through, and a table
// throttled throughout is busy, not broken.
func TestThrottlingIsRetriedByTheSDKThenBusy(t *testing.T) {
	env := storetest.New(t)
	a, k := registration(t, env, "110105199003070003")
	env.Faults.Set(storetest.ThrottleFirst)
	if err := env.Store.RegisterAccount(ctx, a, k, []byte("h"), t0); err != nil {
		t.Fatalf("a transaction throttled once: %v", err)
	}
	if env.Faults.Injected() != 1 {
		t.Fatalf("%d faults injected", env.Faults.Injected())
	}
	env.Faults.Set(storetest.ThrottleAlways)
	env.Calls.Reset()
	if _, err := env.Store.GetAccount(ctx, a.Login); !store.IsBusy(err) {
		t.Fatalf("a throttled read: %v, want busy", err)
	}
	if env.Calls.String() != "GetItem=3" {
		t.Fatalf("calls %s: want the SDK's three attempts, and no more of ours", env.Calls)
	}
}

// A single-item write that meets a transaction under way on its item gets
// TransactionConflictException, which the SDK does not retry either.
func TestASingleWriteThatMeetsATransactionIsRetried(t *testing.T) {
	env := storetest.New(t)
	env.Faults.Set(storetest.ItemConflictFirst)
	if n, err := env.Store.ReserveSMS(ctx, "+8613800138000", "2026-11-27", 3, t0.Add(48*time.Hour)); err != nil || n != 1 {
		t.Fatalf("reserve = %d, %v", n, err)
	}
	if env.Faults.Injected() != 1 {
		t.Fatalf("%d faults injected", env.Faults.Injected())
	}
}

// Every wait between tries is short and jittered: three tries take well under a second.
func TestRetriesAreBoundedWellUnderASecond(t *testing.T) {
	for range 200 {
		total := time.Duration(0)
		for try := 1; try < 3; try++ {
			d := store.Backoff(try)
			if d <= 0 {
				t.Fatalf("backoff(%d) = %s", try, d)
			}
			total += d
		}
		if total >= 200*time.Millisecond {
			t.Fatalf("the pauses of three tries add up to %s", total)
		}
	}
}

// A counter is one UpdateItem, on the first use of its period as on every later one, and it
// is listed in gsi1 from the first, for the scheduled reset.
func TestACounterIsOneWrite(t *testing.T) {
	env := storetest.New(t)
	for i := 1; i <= 3; i++ {
		env.Calls.Reset()
		if n, err := env.Store.ReserveSMS(ctx, "+8613800138000", "2026-11-26", 3, t0.Add(48*time.Hour)); err != nil || n != i {
			t.Fatalf("use %d = %d, %v", i, n, err)
		}
		if env.Calls.String() != "UpdateItem=1" {
			t.Fatalf("use %d took %s", i, env.Calls)
		}
	}
	env.Calls.Reset()
	if _, err := env.Store.ReserveSMS(ctx, "+8613800138000", "2026-11-26", 3, t0.Add(48*time.Hour)); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("the fourth: %v", err)
	}
	if env.Calls.String() != "UpdateItem=1" {
		t.Fatalf("a refusal took %s", env.Calls)
	}
	if n, err := env.Store.ClearCounters(ctx, "2026-11-26"); err != nil || n != 1 {
		t.Fatalf("cleared %d, %v: the counter was not listed by its period", n, err)
	}
}

// DynamoDB leaves batch items unprocessed when short of capacity; they are sent again, and
// a batch that never gets through is busy.
func TestUnprocessedBatchItemsAreSentAgain(t *testing.T) {
	env := storetest.New(t)
	for _, phone := range []string{"+8613800138001", "+8613800138002"} {
		if _, err := env.Store.ReserveSMS(ctx, phone, "2026-11-25", 3, t0.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	left := map[string]bool{}
	env.Server.EmulateUnprocessedItems(storetest.Table, func(_ int, raw map[string]*miniserver.AttributeValue) bool {
		mu.Lock()
		defer mu.Unlock()
		k := *raw["pk"].S
		if left[k] {
			return false
		}
		left[k] = true // each item is left out once
		return true
	})
	if n, err := env.Store.ClearCounters(ctx, "2026-11-25"); err != nil || n != 2 {
		t.Fatalf("cleared %d, %v", n, err)
	}
	// Reads likewise: each key left out once is read on the second try.
	if _, err := env.Store.ReserveSMS(ctx, "+8613800138003", "2026-11-25", 3, t0.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	login := "110105199003070011"
	for i := 0; i < 2; i++ {
		if _, err := env.Store.CountVerification(ctx, login, "2026-11-25", 3, t0.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if u, err := env.Store.GetUsage(ctx, login, "2026-11-25", "2026-2"); err != nil || u.VerificationsToday != 2 {
		t.Fatalf("usage read through unprocessed keys: %+v, %v", u, err)
	}
	env.Server.EmulateUnprocessedItems(storetest.Table, func(int, map[string]*miniserver.AttributeValue) bool { return true })
	if _, err := env.Store.GetUsage(ctx, "L1", "2026-11-25", "2026-2"); !store.IsBusy(err) {
		t.Fatalf("a batch get that never gets through: %v", err)
	}
}

// A failure of the table that is neither a refusal nor a wait is an error of its operation,
// which names the kind of item only.
func TestInternalErrorsAreNotBusy(t *testing.T) {
	env := storetest.New(t)
	env.Server.EmulateFailureForTable(storetest.Table, miniserver.FailureConditionInternalServerError)
	_, err := env.Store.GetAccount(ctx, "110105199003071234")
	if err == nil || store.IsBusy(err) || !strings.Contains(err.Error(), "get ACCOUNT") {
		t.Fatalf("err = %v", err)
	}
}

// raw is an item's attribute names as DynamoDB holds them.
func raw(t *testing.T, env *storetest.Env, login string) string {
	t.Helper()
	out, err := env.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(storetest.Table),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ACCOUNT#" + login}, "sk": &types.AttributeValueMemberS{Value: "ACCOUNT"}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for k, v := range out.Item {
		names = append(names, k)
		if m, ok := v.(*types.AttributeValueMemberM); ok {
			for kk := range m.Value {
				names = append(names, k+"."+kk)
			}
		}
	}
	return strings.Join(names, " ")
}

// Attributes that stop applying are removed, not overwritten with a value that reads as
// absent: a passed verification leaves no rejectReason.
func TestStaleAttributesAreRemoved(t *testing.T) {
	env := storetest.New(t)
	a := applicant("110105199003070009")
	a.Verification = account.Verification{Status: account.StatusReviewRejected, RejectReason: "照片不清晰"}
	if err := env.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	link := "linkhash"
	if err := env.Store.PutResetLink(ctx, link, reset.Link{Login: a.Login, ExpiresAt: t0.Add(time.Hour).Unix()}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.CompleteReset(ctx, store.Completion{Login: a.Login, PasswordHash: "y", LinkHash: link}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.RecordVerification(ctx, a.Login, true); err != nil {
		t.Fatal(err)
	}
	attrs := raw(t, env, a.Login)
	if strings.Contains(attrs, "rejectReason") || !strings.Contains(attrs, "verification.status") {
		t.Fatalf("attributes after the reset and the pass: %s", attrs)
	}
}

// SubmitReview holds only while the account is as its caller read it: a state that moved
// meanwhile is checked again by the same rule, and either allows the review or refuses it.
func TestASubmissionOnAStaleReadChecksTheRuleAgain(t *testing.T) {
	env := storetest.New(t)
	a := applicant("110105199003070010")
	a.Verification.Status = account.StatusUnverified
	if err := env.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	q := quota.Limit{Period: "2026-2", Max: 3, Expires: t0.Add(time.Hour)}
	stale := a // read before its online verification failed
	if _, err := env.Store.SubmitReview(ctx, stale, casework.Review{ID: "r0", Login: a.Login, Status: casework.Pending, SubmittedAt: 1}, []byte{1}, q); !errors.Is(err, account.ErrVerifyOnlineFirst) {
		t.Fatalf("before a failed verification: %v", err)
	}
	if _, err := env.Store.RecordVerification(ctx, a.Login, false); err != nil {
		t.Fatal(err)
	}
	// A read that differs from the table (here: a rejection the table no longer shows) but
	// which the rule allows too: the table's state is checked, allows it, and the review is made.
	stale.Verification = account.Verification{Status: account.StatusReviewRejected, OnlineFailed: true}
	env.Calls.Reset()
	if n, err := env.Store.SubmitReview(ctx, stale, casework.Review{ID: "r1", Login: a.Login, Status: casework.Pending, SubmittedAt: 2}, []byte{1}, q); err != nil || n != 1 {
		t.Fatalf("after a failed verification: %d, %v", n, err)
	}
	if env.Calls.String() != "GetItem=2 TransactWriteItems=2" {
		t.Fatalf("calls %s: want the stale write refused, then made on the table's state", env.Calls)
	}
	// Read while unverified; a review is pending now.
	if _, err := env.Store.SubmitReview(ctx, stale, casework.Review{ID: "r2", Login: a.Login, Status: casework.Pending, SubmittedAt: 3}, []byte{1}, q); !errors.Is(err, account.ErrReviewPending) {
		t.Fatalf("on a stale read while a review is pending: %v", err)
	}
}
