// Package clock is the one source of "now" and of China Standard Time periods: the calendar
// day that daily quotas count in, and the half-year cycles of manual reviews. China has had
// no daylight saving since 1991, so a fixed zone needs no tzdata in the Lambda image.
package clock

import (
	"fmt"
	"sync"
	"time"
)

// CST is China Standard Time, UTC+8.
var CST = time.FixedZone("CST", 8*3600)

// Clock tells the time; tests inject a Fixed one to cross midnight and cycle boundaries.
type Clock interface {
	Now() time.Time
}

// System is the machine's clock.
type System struct{}

// Now returns the current time.
func (System) Now() time.Time { return time.Now() }

// Fixed is a settable clock for tests and benchmarks, safe for concurrent use.
type Fixed struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixed starts a Fixed clock at t.
func NewFixed(t time.Time) *Fixed { return &Fixed{t: t} }

// Now returns the set time.
func (f *Fixed) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Set moves the clock to t.
func (f *Fixed) Set(t time.Time) {
	f.mu.Lock()
	f.t = t
	f.mu.Unlock()
}

// Advance moves the clock forward by d.
func (f *Fixed) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// Day is the CST calendar day of t, as "2006-01-02": the key daily quotas count under.
func Day(t time.Time) string { return t.In(CST).Format("2006-01-02") }

// NextDay is the first instant of the CST day after t's, when daily quotas roll over.
func NextDay(t time.Time) time.Time {
	y, m, d := t.In(CST).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, CST)
}

// Cycle is the half-year period of t for manual reviews: 1 Jan–31 Aug is "YYYY-1",
// 1 Sep–31 Dec is "YYYY-2" (CST).
func Cycle(t time.Time) string {
	c := t.In(CST)
	half := 1
	if c.Month() >= time.September {
		half = 2
	}
	return fmt.Sprintf("%d-%d", c.Year(), half)
}

// NextCycle is the first instant of the cycle after t's: 1 Sep or the next 1 Jan, CST.
func NextCycle(t time.Time) time.Time {
	c := t.In(CST)
	if c.Month() >= time.September {
		return time.Date(c.Year()+1, time.January, 1, 0, 0, 0, 0, CST)
	}
	return time.Date(c.Year(), time.September, 1, 0, 0, 0, 0, CST)
}

// SecondsUntil is the whole seconds from now to then, rounded up and never below 1, as a
// retryAfter that is never early.
func SecondsUntil(now, then time.Time) int {
	d := then.Sub(now)
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		return 1
	}
	return s
}
