// Package quotareset clears the quota counters of ended periods: CST days for SMS codes and
// verifications, half-year cycles for manual reviews. Nothing depends on it: a counter is
// keyed by its period, so an ended period's counter blocks no one even if this never runs.
// It keeps the table tidy before TTL gets there, and says what it did.
package quotareset

import (
	"context"
	"log/slog"
	"time"

	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/fanout"
)

// Store clears counters.
type Store interface {
	ClearCounters(ctx context.Context, period string) (int, error)
}

// Scopes the schedules pass.
const (
	ScopeDays   = "days"
	ScopeCycles = "cycles"
)

// LookBackDays is how many ended days a run clears: a run that was missed for a week is made
// good by the next; TTL takes anything older.
const LookBackDays = 7

// Resetter clears counters.
type Resetter struct {
	store Store
	clock clock.Clock
}

// NewResetter clears the counters of db.
func NewResetter(db Store, clk clock.Clock) *Resetter {
	return &Resetter{store: db, clock: clk}
}

// Input is the schedule's payload.
type Input struct {
	Scope string `json:"scope"`
}

// Report is what a run did.
type Report struct {
	Scope   string         `json:"scope"`
	Cleared map[string]int `json:"cleared"` // period → counters deleted
	Total   int            `json:"total"`
}

// EndedPeriods are the periods a run of scope clears at now: the LookBackDays days before
// today, or the cycle before the current one.
func EndedPeriods(scope string, now time.Time) []string {
	switch scope {
	case ScopeCycles:
		return []string{previousCycle(now)}
	default:
		periods := make([]string, 0, LookBackDays)
		day := now.In(clock.CST)
		for i := 1; i <= LookBackDays; i++ {
			periods = append(periods, clock.Day(day.AddDate(0, 0, -i)))
		}
		return periods
	}
}

func previousCycle(now time.Time) string {
	c := now.In(clock.CST)
	if c.Month() >= time.September {
		return clock.Cycle(time.Date(c.Year(), time.August, 31, 12, 0, 0, 0, clock.CST))
	}
	return clock.Cycle(time.Date(c.Year()-1, time.December, 31, 12, 0, 0, 0, clock.CST))
}

// Run clears the counters of the ended periods of in.Scope, the periods at once: each is a
// sequence of queries (one per counter shard), and a daily run has seven of them.
func (rs *Resetter) Run(ctx context.Context, in Input) (Report, error) {
	scope := in.Scope
	if scope != ScopeCycles {
		scope = ScopeDays
	}
	periods := EndedPeriods(scope, rs.clock.Now())
	counts, errs := make([]int, len(periods)), make([]error, len(periods))
	clears := make([]func(), len(periods))
	for i, period := range periods {
		clears[i] = func() { counts[i], errs[i] = rs.store.ClearCounters(ctx, period) }
	}
	fanout.Run(clears...)
	rep := Report{Scope: scope, Cleared: map[string]int{}}
	for i, period := range periods {
		rep.Cleared[period] = counts[i]
		rep.Total += counts[i]
	}
	for _, err := range errs {
		if err != nil {
			return rep, err
		}
	}
	slog.InfoContext(ctx, "quota counters cleared", slog.String("scope", rep.Scope), slog.Int("total", rep.Total), slog.Any("cleared", rep.Cleared))
	return rep, nil
}
