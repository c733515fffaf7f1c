package clock

import (
	"testing"
	"time"
)

func cst(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, CST) }

func TestWorkingDays(t *testing.T) {
	c := China()
	cases := []struct {
		day  time.Time
		work bool
	}{
		{cst(2026, 11, 27, 10, 0), true},  // a Friday
		{cst(2026, 11, 28, 10, 0), false}, // a Saturday
		{cst(2026, 2, 14, 10, 0), true},   // a make-up Saturday before the Spring Festival
		{cst(2026, 2, 16, 10, 0), false},  // a Monday inside the Spring Festival
		{cst(2026, 10, 10, 10, 0), true},  // a make-up Saturday after National Day
		{cst(2026, 10, 8, 10, 0), true},   // the Thursday after National Day
		{cst(2025, 1, 1, 10, 0), false},   // New Year's Day 2025
		// 16:00 UTC on Friday 13 Feb is 00:00 on the make-up Saturday in China.
		{time.Date(2026, 2, 13, 16, 0, 0, 0, time.UTC), true},
	}
	for _, k := range cases {
		if got := c.IsWorkingDay(k.day); got != k.work {
			t.Errorf("%v: working %v, want %v", k.day, got, k.work)
		}
	}
	if !c.Knows(2026) || c.Knows(2031) {
		t.Fatal("Knows is wrong")
	}
}

// Submitted Thursday 12 Feb 2026: Fri 13, the make-up Saturday 14, then the Spring Festival
// (15–23) and a weekend, Tue 24 … Fri 27 and the make-up Saturday 28 are the seven days.
func TestSevenWorkingDaysAcrossTheSpringFestival(t *testing.T) {
	c := China()
	submitted := cst(2026, 2, 12, 15, 30)
	due := c.WorkingDayDeadline(submitted, 7)
	if want := cst(2026, 3, 1, 0, 0).Add(-time.Nanosecond); !due.Equal(want) {
		t.Fatalf("due %v, want %v", due, want)
	}
	if n := c.WorkingDaysBetween(submitted, cst(2026, 2, 28, 12, 0)); n != 7 {
		t.Fatalf("%d working days from 12 Feb to 28 Feb, want 7", n)
	}
	if n := c.WorkingDaysBetween(submitted, cst(2026, 2, 23, 12, 0)); n != 2 {
		t.Fatalf("%d working days from 12 Feb to 23 Feb, want 2 (13th and the make-up 14th)", n)
	}
}

func TestSevenWorkingDaysOverAPlainWeek(t *testing.T) {
	c := China()
	// Friday 27 Nov 2026 → Mon 30 … Fri 4 Dec, Mon 7, Tue 8.
	due := c.WorkingDayDeadline(cst(2026, 11, 27, 10, 0), 7)
	if want := cst(2026, 12, 9, 0, 0).Add(-time.Nanosecond); !due.Equal(want) {
		t.Fatalf("due %v, want %v", due, want)
	}
}

func TestParseCalendarRefusesBadData(t *testing.T) {
	for _, bad := range []string{
		`{`,
		`{"years": {"20x6": {"holidays": []}}}`,
		`{"years": {"2026": {"holidays": ["2026-02-30"]}}}`,
		`{"years": {"2026": {"workdays": ["2025-02-14"]}}}`,
	} {
		if _, err := ParseCalendar([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
