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

// DynamoDB may cancel any transaction for a conflict with a concurrent one, or throttle it,
// where minidyn never does: with the first attempt of every transaction of every flow
// refused so, over HTTP, every flow ends exactly as it does without the fault (everyFlow
// holds each answer's status), and so do the scheduled jobs after it.
func TestEveryFlowEndsTheSameWhenEachTransactionFirstFails(t *testing.T) {
	for _, c := range []struct {
		name  string
		fault storetest.Fault
		least int
	}{
		{"TransactionConflict", storetest.ConflictFirst, transactionsInEveryFlow},
		{"throttled", storetest.ThrottleFirst, transactionsInEveryFlow},
		{"TransactionConflictException on single writes", storetest.ItemConflictFirst, 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			faults := storetest.NewFaults(http.DefaultTransport)
			faults.Set(c.fault) // from the start-up's own probe on
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
