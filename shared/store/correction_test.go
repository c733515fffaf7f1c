package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
)

// The account and the cycle's count are read at once; a count that moved between that read
// and the filing is read again, and the filing holds the quota whatever count it was given.
func TestAFilingWithTheCountReadAlongside(t *testing.T) {
	env := storetest.New(t)
	const cycle = "2026H2"
	if _, used, err := env.Store.ReadForCorrection(ctx, "A1", cycle); !errors.Is(err, store.ErrNotFound) || used != 0 {
		t.Fatalf("no account: %d, %v", used, err)
	}
	reg := store.CodeKey{Purpose: "register", Subject: "+8613800138000"}
	if err := env.Store.PutCode(ctx, reg, store.Code{Hash: []byte("r"), Expires: t0.Add(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.RegisterAccount(ctx, applicant("A1"), reg, []byte("r"), t0); err != nil {
		t.Fatal(err)
	}
	env.Calls.Reset()
	acct, used, err := env.Store.ReadForCorrection(ctx, "A1", cycle)
	if err != nil || acct.Login != "A1" || acct.Name != "张三" || used != 0 {
		t.Fatalf("read: %+v, %d, %v", acct, used, err)
	}
	if env.Calls.String() != "BatchGetItem=1" {
		t.Fatalf("requests: %s", env.Calls)
	}
	file := func(id string, seen int, max int) (int, error) {
		k := store.CodeKey{Purpose: "contact", Subject: "+8613900139000"}
		if err := env.Store.PutCode(ctx, k, store.Code{Hash: []byte(id), Expires: t0.Add(5 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		env.Calls.Reset()
		r := casework.Review{ID: id, Kind: casework.KindContact, Login: "A1", AccountID: "id-A1", IDType: "resident_id",
			IDNumber: "A1", Name: "张三", Phone: "+8613900139000", Status: casework.Pending, SubmittedAt: t0.UnixMilli(), DueAt: t0.Add(72 * time.Hour).UnixMilli()}
		return env.Store.FileCorrection(ctx, r, []byte("jpeg"), k, []byte(id), quota.Limit{Period: cycle, Max: max, Expires: t0.Add(365 * 24 * time.Hour), Seen: &seen}, t0)
	}
	// Seen as read: the transaction alone.
	if n, err := file("R1", 0, 3); err != nil || n != 1 || env.Calls.String() != "TransactWriteItems=1" {
		t.Fatalf("first: %d, %v (%s)", n, err, env.Calls)
	}
	if _, used, _ := env.Store.ReadForCorrection(ctx, "A1", cycle); used != 1 {
		t.Fatalf("the cycle counts %d", used)
	}
	clearPending(t, env, "A1")
	// A count read before another filing: the transaction refuses it, the count is read
	// again, and the filing is counted on top of the other.
	if n, err := file("R2", 0, 3); err != nil || n != 2 || env.Calls.String() != "GetItem=1 TransactWriteItems=2" {
		t.Fatalf("a stale count: %d, %v (%s)", n, err, env.Calls)
	}
	clearPending(t, env, "A1")
	// A stale count below the limit, the counter at it: refused, whatever count was given.
	if _, err := file("R3", 1, 2); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("past the quota with a stale count: %v", err)
	}
	if acct, used, _ := env.Store.ReadForCorrection(ctx, "A1", cycle); used != 2 || acct.CorrectionID != "" {
		t.Fatalf("after the refusal: %d, %+v", used, acct)
	}
}

// clearPending lifts the account's pending correction, as a decision does.
func clearPending(t *testing.T, env *storetest.Env, login string) {
	t.Helper()
	_, err := env.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(storetest.Table),
		Key:              map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ACCOUNT#" + login}, "sk": &types.AttributeValueMemberS{Value: "ACCOUNT"}},
		UpdateExpression: aws.String("REMOVE correctionId"),
	})
	if err != nil {
		t.Fatal(err)
	}
}
