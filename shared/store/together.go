package store

import (
	"context"
	"sync/atomic"

	"github.com/jszg/applicant-accounts/shared/fanout"
)

// Requests sent at the same time are one round trip. A caller that sends several at once
// gives each the context Together made, which says so to whoever counts the requests
// (storetest.Counter): the count of round trips is then the code's, not a race of timings.
type togetherKey struct{}

var trips atomic.Int64

// Together is ctx marked as one round trip: every request made with it is sent alongside
// the others made with it. A ctx marked already keeps its mark (requests sent together from
// within requests sent together are one trip). Give-backs and later requests must use the
// unmarked ctx.
func Together(ctx context.Context) context.Context {
	if TripOf(ctx) != 0 {
		return ctx
	}
	return context.WithValue(ctx, togetherKey{}, trips.Add(1))
}

// TripOf is the mark Together gave ctx, or 0 for a request sent on its own.
func TripOf(ctx context.Context) int64 {
	id, _ := ctx.Value(togetherKey{}).(int64)
	return id
}

// SendTogether runs the calls at once, each with ctx marked as one round trip, and waits for
// them all (a panic in one is handed on to the caller: fanout.Run).
func SendTogether(ctx context.Context, calls ...func(context.Context)) {
	together := Together(ctx)
	runs := make([]func(), len(calls))
	for i, call := range calls {
		runs[i] = func() { call(together) }
	}
	fanout.Run(runs...)
}
