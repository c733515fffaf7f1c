package clock

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

//go:embed holidays_cn.json
var holidaysJSON []byte

// Calendar knows which CST days are working days: Monday to Friday, less the official
// holidays, plus the make-up working days (调休) that fall on weekends.
type Calendar struct {
	holidays map[string]bool
	workdays map[string]bool
	years    map[int]bool
}

type calendarFile struct {
	Years map[string]struct {
		Source   string   `json:"source"`
		Holidays []string `json:"holidays"`
		Workdays []string `json:"workdays"`
	} `json:"years"`
}

// ParseCalendar reads a calendar in the shape of holidays_cn.json. Besides real dates of
// their year, it holds each year to what a State Council notice can say, so that a slip in
// adding a year is found by the tests rather than by a review's deadline: every year names
// its notice (source), a make-up working day is a Saturday or a Sunday, and no day is both
// off and on.
func ParseCalendar(data []byte) (*Calendar, error) {
	var f calendarFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("holiday calendar: %w", err)
	}
	c := &Calendar{holidays: map[string]bool{}, workdays: map[string]bool{}, years: map[int]bool{}}
	for year, y := range f.Years {
		n, err := strconv.Atoi(year)
		if err != nil {
			return nil, fmt.Errorf("holiday calendar: year %q", year)
		}
		if y.Source == "" {
			return nil, fmt.Errorf("holiday calendar: %s names no source (the notice's number)", year)
		}
		c.years[n] = true
		for _, list := range []struct {
			days   []string
			into   map[string]bool
			makeUp bool
		}{{y.Holidays, c.holidays, false}, {y.Workdays, c.workdays, true}} {
			for _, d := range list.days {
				t, err := time.Parse("2006-01-02", d)
				if err != nil || t.Year() != n {
					return nil, fmt.Errorf("holiday calendar: %q is not a day of %s", d, year)
				}
				if wd := t.Weekday(); list.makeUp && wd != time.Saturday && wd != time.Sunday {
					return nil, fmt.Errorf("holiday calendar: make-up working day %s is a %s, already a working day", d, wd)
				}
				list.into[d] = true
			}
		}
	}
	for d := range c.workdays {
		if c.holidays[d] {
			return nil, fmt.Errorf("holiday calendar: %s is both a holiday and a make-up working day", d)
		}
	}
	return c, nil
}

// China is the official calendar compiled into every binary that needs it.
var China = sync.OnceValue(func() *Calendar {
	c, err := ParseCalendar(holidaysJSON)
	if err != nil {
		panic(err)
	}
	return c
})

// Knows reports whether the calendar has the official arrangements of year.
func (c *Calendar) Knows(year int) bool { return c.years[year] }

// IsWorkingDay reports whether the CST day of t is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	day := Day(t)
	switch {
	case c.workdays[day]:
		return true
	case c.holidays[day]:
		return false
	}
	wd := t.In(CST).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// WorkingDayDeadline is the end (the last instant before the next midnight, CST) of the nth
// working day after the day of t: a review submitted on a Friday with n = 7 is due at the end
// of the seventh working day counted from the Monday.
func (c *Calendar) WorkingDayDeadline(t time.Time, n int) time.Time {
	day := NextDay(t)
	for {
		if c.IsWorkingDay(day) {
			n--
			if n == 0 {
				return NextDay(day).Add(-time.Nanosecond)
			}
		}
		day = NextDay(day)
	}
}

// WorkingDaysBetween counts the working days after the day of from, up to and including
// the day of to.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	n := 0
	for day := NextDay(from); !day.After(to); day = NextDay(day) {
		if c.IsWorkingDay(day) {
			n++
		}
	}
	return n
}
