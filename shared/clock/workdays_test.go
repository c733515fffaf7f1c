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
		`{"years": {"2026": {"source": "n", "holidays": ["2026-02-30"]}}}`,
		`{"years": {"2026": {"source": "n", "workdays": ["2025-02-14"]}}}`,
		// What a slip in adding a year looks like: no notice named, a make-up day on a
		// weekday (2026-02-13 is a Friday), a day both off and on.
		`{"years": {"2026": {"holidays": ["2026-02-16"]}}}`,
		`{"years": {"2026": {"source": "n", "workdays": ["2026-02-13"]}}}`,
		`{"years": {"2026": {"source": "n", "holidays": ["2026-02-14"], "workdays": ["2026-02-14"]}}}`,
	} {
		if _, err := ParseCalendar([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// The 2026 entries are the State Council's notice for 2026 (国务院办公厅关于2026年部分节假日安
// 排的通知), written here independently of holidays_cn.json as its periods and make-up days:
// every day of the year is a working day exactly when the notice makes it one.
func TestThe2026CalendarIsTheStateCouncilsNotice(t *testing.T) {
	off := [][2]string{
		{"2026-01-01", "2026-01-03"}, // 元旦
		{"2026-02-15", "2026-02-23"}, // 春节
		{"2026-04-04", "2026-04-06"}, // 清明节
		{"2026-05-01", "2026-05-05"}, // 劳动节
		{"2026-06-19", "2026-06-21"}, // 端午节
		{"2026-09-25", "2026-09-27"}, // 中秋节
		{"2026-10-01", "2026-10-07"}, // 国庆节
	}
	makeUp := map[string]bool{"2026-01-04": true, "2026-02-14": true, "2026-02-28": true, "2026-05-09": true, "2026-09-20": true, "2026-10-10": true}
	c := China()
	working := 0
	for day := cst(2026, 1, 1, 12, 0); day.Year() == 2026; day = day.AddDate(0, 0, 1) {
		d := day.Format("2006-01-02")
		want := day.Weekday() != time.Saturday && day.Weekday() != time.Sunday
		for _, p := range off {
			if d >= p[0] && d <= p[1] {
				want = false
			}
		}
		if makeUp[d] {
			want = true
		}
		if got := c.IsWorkingDay(day); got != want {
			t.Errorf("%s (%s): working day %v, the notice says %v", d, day.Weekday(), got, want)
		}
		if want {
			working++
		}
	}
	// 261 weekdays, less the 19 the seven holidays take, plus the 6 make-up days: 261 less the
	// 13 days of statutory holiday, as every year's arrangement comes to.
	if working != 248 {
		t.Errorf("%d working days in 2026, want 248", working)
	}
}
