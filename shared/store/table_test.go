package store_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
)

// describing answers DescribeTable as DynamoDB does while a new table is being made: CREATING
// (its index too) for the first creating answers, ACTIVE after.
func describing(creating int32, calls *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := "ACTIVE"
		if calls.Add(1) <= creating {
			status = "CREATING"
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		fmt.Fprintf(w, `{"Table":{"TableName":"t","TableStatus":%q,"GlobalSecondaryIndexes":[{"IndexName":"gsi1","IndexStatus":%q}]}}`, status, status)
	}))
}

func TestWaitActiveWaitsForTheTableAndItsIndex(t *testing.T) {
	var calls atomic.Int32
	srv := describing(2, &calls)
	defer srv.Close()
	db := store.NewClient(storetest.Config(http.DefaultTransport), aws.String(srv.URL))
	if err := store.WaitActive(context.Background(), db, "t", time.Minute); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Fatalf("described %d times, want 3 (two CREATING, then ACTIVE)", calls.Load())
	}

	var never atomic.Int32
	stuck := describing(1<<30, &never)
	defer stuck.Close()
	db = store.NewClient(storetest.Config(http.DefaultTransport), aws.String(stuck.URL))
	if err := store.WaitActive(context.Background(), db, "t", 500*time.Millisecond); err == nil {
		t.Fatal("a table that never became active was waited for")
	}
}

// minidyn reports no status: its tables are ready as soon as they exist.
func TestWaitActiveOnAServerWithoutStatus(t *testing.T) {
	env := storetest.New(t)
	if err := store.WaitActive(context.Background(), env.Client, storetest.Table, time.Minute); err != nil {
		t.Fatal(err)
	}
}
