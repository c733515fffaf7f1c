package store_test

// What DynamoDB answers at the seams that minidyn never reaches by itself: a transaction still
// being made, a cancellation with several reasons, an update of an item deleted meanwhile,
// a listing longer than one page. Each fault is made at the wire (storetest.Faults).

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
)

// A transaction whose reply was lost, and whose retries meet it still being made
// (TransactionInProgressException, which the SDK retries as a throttle until its attempts
// run out), is asked again with its own token: DynamoDB then answers it as made. A new token
// would make it a second time, and a registration would meet its own account.
func TestATransactionStillInProgressIsAskedAgainWithItsToken(t *testing.T) {
	env := storetest.New(t)
	a, k := registration(t, env, "110105199003079001")
	env.Faults.InProgressAfterLostReply(2)
	env.Calls.Reset()
	if err := env.Store.RegisterAccount(ctx, a, k, []byte("h"), t0); err != nil {
		t.Fatalf("a registration made, its reply lost and its retries met in progress: %v", err)
	}
	if got := env.Calls.String(); got != "TransactWriteItems=4" {
		t.Fatalf("calls %s: want the lost reply, two in progress and the answer", got)
	}
	if _, err := env.Store.GetAccount(ctx, a.Login); err != nil {
		t.Fatalf("the account: %v", err)
	}
}

// One that stays in progress through every try has an unknown outcome: neither busy (whose
// callers give back what the request spent, as if nothing was written) nor a refusal.
func TestATransactionInProgressThroughEveryTryIsNeitherBusyNorRefused(t *testing.T) {
	env := storetest.New(t)
	a, k := registration(t, env, "110105199003079002")
	env.Faults.InProgressAfterLostReply(100)
	err := env.Store.RegisterAccount(ctx, a, k, []byte("h"), t0)
	if err == nil || store.IsBusy(err) || errors.Is(err, account.ErrExists) || errors.Is(err, store.ErrCodeSpent) {
		t.Fatalf("err = %v (busy %v): want an unknown outcome", err, store.IsBusy(err))
	}
}

// DynamoDB gives a cancellation one reason an item. A ValidationError (a bug: DATA.md answers
// it 500 with its cause logged) is never hidden by a failed condition beside it, in either
// order, and is not tried again.
func TestAValidationErrorBesideAFailedConditionIsABug(t *testing.T) {
	env := storetest.New(t)
	a, k := registration(t, env, "110105199003079003")
	for _, codes := range [][]string{
		{"ValidationError", "ConditionalCheckFailed"},
		{"ConditionalCheckFailed", "ValidationError"},
		{"None", "ItemCollectionSizeLimitExceeded", "ConditionalCheckFailed"},
	} {
		env.Faults.CancelTransactionsWith(codes...)
		env.Calls.Reset()
		err := env.Store.RegisterAccount(ctx, a, k, []byte("h"), t0)
		if err == nil || store.IsBusy(err) || errors.Is(err, account.ErrExists) || errors.Is(err, store.ErrCodeSpent) {
			t.Errorf("cancelled %v: %v, want the bug it is", codes, err)
		}
		if got := env.Calls.String(); got != "TransactWriteItems=1" {
			t.Errorf("cancelled %v: calls %s, want one", codes, got)
		}
	}
}

// A conflict or a throttle on an item before the one whose condition failed means the items
// before it may not have been evaluated ("None"), so which refusal comes first is not known:
// the transaction is tried again, and is busy if that lasts. A failed condition first is the
// rule's refusal at once.
func TestAWaitBeforeAFailedConditionIsTriedAgain(t *testing.T) {
	env := storetest.New(t)
	a, k := registration(t, env, "110105199003079004")
	for _, codes := range [][]string{
		{"TransactionConflict", "ConditionalCheckFailed"},
		{"ThrottlingError", "None", "ConditionalCheckFailed"},
	} {
		env.Faults.CancelTransactionsWith(codes...)
		env.Calls.Reset()
		if err := env.Store.RegisterAccount(ctx, a, k, []byte("h"), t0); !store.IsBusy(err) {
			t.Errorf("cancelled %v: %v, want busy", codes, err)
		}
		if got := env.Calls.String(); got != "TransactWriteItems=3" {
			t.Errorf("cancelled %v: calls %s, want three tries", codes, got)
		}
	}
	env.Faults.CancelTransactionsWith("ConditionalCheckFailed", "TransactionConflict")
	env.Calls.Reset()
	if err := env.Store.RegisterAccount(ctx, a, k, []byte("h"), t0); !errors.Is(err, account.ErrExists) {
		t.Errorf("a failed condition on the account first: %v, want its refusal", err)
	}
	if got := env.Calls.String(); got != "TransactWriteItems=1" {
		t.Errorf("calls %s, want one", got)
	}
}

// A refusal that finds nothing wrong in the item as it was is no success: the filing's
// condition asks for no correctionId at all, and one stored empty (DynamoDB keeps empty
// strings outside keys) cancels it. The store says so, and nothing is filed.
func TestACancelledFilingIsNeverASuccess(t *testing.T) {
	env := storetest.New(t)
	reg := store.CodeKey{Purpose: "register", Subject: "+8613800138000"}
	if err := env.Store.PutCode(ctx, reg, store.Code{Hash: []byte("r"), Expires: t0.Add(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.RegisterAccount(ctx, applicant("A1"), reg, []byte("r"), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(storetest.Table),
		Key:                       itemKey("ACCOUNT#A1", "ACCOUNT"),
		UpdateExpression:          aws.String("SET correctionId = :e"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":e": &types.AttributeValueMemberS{Value: ""}},
	}); err != nil {
		t.Fatal(err)
	}
	k := store.CodeKey{Purpose: "contact", Subject: "+8613900139000"}
	if err := env.Store.PutCode(ctx, k, store.Code{Hash: []byte("c"), Expires: t0.Add(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	seen := 0
	r := casework.Review{ID: "R1", Kind: casework.KindContact, Login: "A1", AccountID: "id-A1", IDType: "resident_id",
		IDNumber: "A1", Name: "张三", Phone: "+8613900139000", Status: casework.Pending, SubmittedAt: t0.UnixMilli(), DueAt: t0.Add(72 * time.Hour).UnixMilli()}
	_, err := env.Store.FileCorrection(ctx, r, []byte("jpeg"), k, []byte("c"), quota.Limit{Period: "2026H2", Max: 3, Expires: t0.Add(time.Hour), Seen: &seen}, t0)
	if !errors.Is(err, account.ErrCorrectionPending) {
		t.Fatalf("filing on an account whose condition failed: %v", err)
	}
	if _, err := env.Store.GetReviewMeta(ctx, "R1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the review: %v", err)
	}
}

// An UpdateItem creates an item whose key is absent when its condition allows it. A counter's
// report mark, and its give-back, on a counter deleted meanwhile (here re-enrolment deletes
// a reviewer's day of wrong codes) make no item: one would have neither expiresAt (TTL never
// deletes it) nor index keys (the scheduled clear never finds it).
func TestAReportMarkOnADeletedCounterMakesNoItem(t *testing.T) {
	env := storetest.New(t)
	const login, day = "REVIEWER1", "2026-11-27"
	if err := env.Store.CreateAccount(ctx, account.Account{Login: login, AccountID: "r1", Role: account.RoleReviewer, PasswordHash: "h", CreatedAt: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.CountSecondFactor(ctx, login, day, 1, t0.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if first, err := env.Store.MarkSecondFactorReported(ctx, login, day, t0); err != nil || !first {
		t.Fatalf("mark: %v %v", first, err)
	}
	if err := env.Store.ReenrollReviewer(ctx, login, "h2", "SECRET", day); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.UnmarkSecondFactorReported(ctx, login, day); err != nil {
		t.Fatalf("the give-back: %v", err)
	}
	if first, err := env.Store.MarkSecondFactorReported(ctx, login, day, t0); err != nil || first {
		t.Fatalf("a mark of a deleted counter: %v %v, want nothing to report", first, err)
	}
	out, err := env.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(storetest.Table), ConsistentRead: aws.Bool(true),
		Key: itemKey("ACCOUNT#"+login, "OTPDAY#"+day)})
	if err != nil || out.Item != nil {
		t.Fatalf("the deleted counter: %v, %v", out.Item, err)
	}
}

// DynamoDB ends a Query's page at 1 MB read, so every listing follows LastEvaluatedKey; here
// every Query is given a Limit of one item, so that three items span three pages.
func TestListingsFollowEveryPage(t *testing.T) {
	env := storetest.New(t)
	for i := range 3 {
		if err := env.Store.RecordPhotoRead(ctx, "R1", fmt.Sprintf("reviewer-%d", i), t0.Add(time.Duration(i)*time.Minute), false); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(storetest.Table), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "ACCOUNT#A1"}, "sk": &types.AttributeValueMemberS{Value: fmt.Sprintf("REVIEW#%013d#R%d", i+1, i)},
			"reviewId": &types.AttributeValueMemberS{Value: fmt.Sprintf("R%d", i)}, "status": &types.AttributeValueMemberS{Value: casework.Pending},
			"submittedAt": &types.AttributeValueMemberN{Value: fmt.Sprint(i + 1)},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	env.Faults.PageQueriesBy(1)
	env.Calls.Reset()
	reads, err := env.Store.ListPhotoReads(ctx, "R1")
	if err != nil || len(reads) != 3 || reads[2].ReviewerID != "reviewer-2" {
		t.Fatalf("photo reads: %+v, %v", reads, err)
	}
	mine, err := env.Store.ListMyReviews(ctx, "A1")
	if err != nil || len(mine) != 3 || mine[0].ID != "R2" {
		t.Fatalf("an applicant's reviews: %+v, %v", mine, err)
	}
	if n := env.Calls.Total(); n < 6 {
		t.Fatalf("%d queries: the listings were not paged", n)
	}
}

func itemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}}
}
