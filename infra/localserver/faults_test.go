package localserver_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/infra/localserver"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

// transactionsInEveryFlow is how many TransactWriteItems everyFlow makes at least: the
// registration, the login after a wrong password, two review submissions, the decision and
// the reset's completion.
const transactionsInEveryFlow = 6

func fault(f storetest.Fault) func(*storetest.Faults) {
	return func(faults *storetest.Faults) { faults.Set(f) }
}

// DynamoDB may cancel any transaction for a conflict with a concurrent one, or throttle it,
// where minidyn never does: with the first attempt of every transaction of every flow
// refused so, over HTTP, every flow ends exactly as it does without the fault (everyFlow
// holds each answer's status), and so do the scheduled jobs after it. So too when every
// transaction's first reply is lost after it was made (the emulator keeps DynamoDB's
// ClientRequestToken: third_party/PATCHES.md).
func TestEveryFlowEndsTheSameWhenEachTransactionFirstFails(t *testing.T) {
	for _, c := range []struct {
		name  string
		set   func(*storetest.Faults)
		least int
	}{
		{"TransactionConflict", fault(storetest.ConflictFirst), transactionsInEveryFlow},
		{"throttled", fault(storetest.ThrottleFirst), transactionsInEveryFlow},
		{"TransactionConflictException on single writes", fault(storetest.ItemConflictFirst), 20},
		// The transaction was made and its reply lost: the SDK sends it again with the same
		// ClientRequestToken, which DynamoDB answers as the first (it does not make it twice).
		{"a transaction's reply lost", func(f *storetest.Faults) {
			f.LoseFirstReplyWhere(func(target string, _ []byte) bool { return target == "TransactWriteItems" })
		}, transactionsInEveryFlow},
		// A single write's reply lost after it was made: DynamoDB makes the SDK's retry again
		// (no token), so the retry meets its own first attempt, which the store tells by its
		// call's mark (store.put, store.take, store.update).
		{"a single write's reply lost", func(f *storetest.Faults) {
			f.LoseFirstReplyWhere(func(target string, _ []byte) bool {
				return target == "PutItem" || target == "UpdateItem" || target == "DeleteItem"
			})
		}, 50},
	} {
		t.Run(c.name, func(t *testing.T) {
			faults := storetest.NewFaults(http.DefaultTransport)
			c.set(faults) // from the start-up's own probe on
			clk := clock.NewFixed(testkit.Start)
			srv := start(t, nil, func(cfg *localserver.Config) {
				cfg.AWS = storetest.Config(storetest.NewCounter(faults))
				cfg.Clock = clk
			})
			atStart := faults.Injected() // the start-up's probe and seed met the fault too
			everyFlow(t, srv)
			jobs := localserver.Jobs(srv.Deps)
			clk.Advance(30 * 24 * time.Hour)
			for name, job := range jobs {
				if err := job(context.Background()); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			if got := faults.Injected() - atStart; got < c.least {
				t.Fatalf("%d faults injected, want at least %d: the flows did not meet them", got, c.least)
			}
		})
	}
}
