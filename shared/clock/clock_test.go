package clock

import (
	"testing"
	"time"
)

func TestDayRollsAtCSTMidnight(t *testing.T) {
	before := time.Date(2026, 11, 27, 23, 59, 59, 0, CST)
	after := before.Add(time.Second)
	if Day(before) != "2026-11-27" || Day(after) != "2026-11-28" {
		t.Fatalf("Day(23:59:59) = %s, Day(00:00:00) = %s", Day(before), Day(after))
	}
	// 16:00 UTC is midnight in China.
	if got := Day(time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)); got != "2026-11-28" {
		t.Fatalf("Day(16:00 UTC) = %s, want the next CST day", got)
	}
	if got := NextDay(before); !got.Equal(after) {
		t.Fatalf("NextDay = %v, want %v", got, after)
	}
	if got := NextDay(after); !got.Equal(after.Add(24 * time.Hour)) {
		t.Fatalf("NextDay at midnight = %v", got)
	}
}

func TestCycleBoundaries(t *testing.T) {
	cases := []struct {
		at   time.Time
		want string
		next time.Time
	}{
		{time.Date(2026, 1, 1, 0, 0, 0, 0, CST), "2026-1", time.Date(2026, 9, 1, 0, 0, 0, 0, CST)},
		{time.Date(2026, 8, 31, 23, 59, 59, 0, CST), "2026-1", time.Date(2026, 9, 1, 0, 0, 0, 0, CST)},
		{time.Date(2026, 9, 1, 0, 0, 0, 0, CST), "2026-2", time.Date(2027, 1, 1, 0, 0, 0, 0, CST)},
		{time.Date(2026, 12, 31, 23, 59, 59, 0, CST), "2026-2", time.Date(2027, 1, 1, 0, 0, 0, 0, CST)},
		// 31 Aug 16:00 UTC is already 1 Sep in China.
		{time.Date(2026, 8, 31, 16, 0, 0, 0, time.UTC), "2026-2", time.Date(2027, 1, 1, 0, 0, 0, 0, CST)},
	}
	for _, c := range cases {
		if got := Cycle(c.at); got != c.want {
			t.Errorf("Cycle(%v) = %s, want %s", c.at, got, c.want)
		}
		if got := NextCycle(c.at); !got.Equal(c.next) {
			t.Errorf("NextCycle(%v) = %v, want %v", c.at, got, c.next)
		}
	}
}

func TestSecondsUntil(t *testing.T) {
	now := time.Date(2026, 11, 27, 23, 59, 59, 500_000_000, CST)
	if got := SecondsUntil(now, NextDay(now)); got != 1 {
		t.Fatalf("half a second rounds up to 1, got %d", got)
	}
	if got := SecondsUntil(now, now.Add(-time.Hour)); got != 1 {
		t.Fatalf("a past instant gives 1, got %d", got)
	}
	if got := SecondsUntil(now, now.Add(15*time.Minute)); got != 900 {
		t.Fatalf("got %d", got)
	}
}

func TestFixed(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, CST)
	f := NewFixed(start)
	f.Advance(time.Minute)
	if !f.Now().Equal(start.Add(time.Minute)) {
		t.Fatal("Advance did not move the clock")
	}
	f.Set(start)
	if !f.Now().Equal(start) {
		t.Fatal("Set did not move the clock")
	}
}
