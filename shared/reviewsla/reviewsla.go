// Package reviewsla watches the promised answer time of manual reviews (7 working days) and
// reports the reviews that passed it to operators, once each. The queue shows overdue
// reviews from their due time whether or not this has run.
package reviewsla

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/store"
)

// Store is the queue.
type Store interface {
	ListQueue(ctx context.Context, status, kind string, limit int, after string) (store.QueuePage, error)
	MarkOverdueReported(ctx context.Context, id string, at time.Time) (bool, error)
	UnmarkOverdueReported(ctx context.Context, id string) error
}

// Reporter finds and reports overdue reviews.
type Reporter struct {
	store    Store
	topic    notify.Publisher
	clock    clock.Clock
	calendar *clock.Calendar
}

// NewReporter reports the overdue reviews of db to topic, counting working days by calendar.
func NewReporter(db Store, topic notify.Publisher, clk clock.Clock, calendar *clock.Calendar) *Reporter {
	return &Reporter{store: db, topic: topic, clock: clk, calendar: calendar}
}

// Overdue is one review in a report: no personal data, only what operators need to act.
type Overdue struct {
	ReviewID           string `json:"reviewId"`
	SubmittedAt        string `json:"submittedAt"`
	DueAt              string `json:"dueAt"`
	WorkingDaysWaiting int    `json:"workingDaysWaiting"`
}

// Report is what a run did.
type Report struct {
	Pending         int       `json:"pending"`
	Overdue         int       `json:"overdue"`
	NewlyReported   []Overdue `json:"newlyReported"`
	CalendarMissing []int     `json:"calendarMissingYears,omitempty"`
}

// Run reports every pending review past its due time that no earlier run reported. It marks
// each review before publishing and takes the marks back if publishing fails, so two runs
// never report one review twice and a failed run is made good by the next.
func (rp *Reporter) Run(ctx context.Context) (Report, error) {
	ctx, flushMetrics := metrics.Invocation(ctx)
	defer flushMetrics()
	now := rp.clock.Now()
	rep := Report{NewlyReported: []Overdue{}}
	// Reviews submitted now fall due within about two weeks: both years must be known.
	this, soon := now.In(clock.CST).Year(), now.In(clock.CST).AddDate(0, 0, 14).Year()
	for _, y := range []int{this, soon} {
		if !rp.calendar.Knows(y) && !slices.Contains(rep.CalendarMissing, y) {
			rep.CalendarMissing = append(rep.CalendarMissing, y)
		}
	}
	var after string
	for {
		page, err := rp.store.ListQueue(ctx, casework.Pending, "", 100, after)
		if err != nil {
			return rep, err
		}
		for _, r := range page.Reviews {
			if rep.Pending == 0 {
				// The queue is oldest first: its head has waited longest.
				metrics.Gauge(ctx, metrics.ReviewBacklogAge, now.Sub(time.UnixMilli(r.SubmittedAt)).Seconds(), "Seconds")
			}
			rep.Pending++
			if !r.Overdue(now) {
				continue
			}
			rep.Overdue++
			if r.OverdueReportedAt != 0 {
				continue
			}
			marked, err := rp.store.MarkOverdueReported(ctx, r.ID, now)
			if err != nil {
				return rep, err
			}
			if marked {
				submitted := time.UnixMilli(r.SubmittedAt)
				rep.NewlyReported = append(rep.NewlyReported, Overdue{
					ReviewID: r.ID, SubmittedAt: submitted.In(clock.CST).Format(time.RFC3339),
					DueAt:              time.UnixMilli(r.DueAt).In(clock.CST).Format(time.RFC3339),
					WorkingDaysWaiting: rp.calendar.WorkingDaysBetween(submitted, now),
				})
			}
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	metrics.Gauge(ctx, metrics.ReviewBacklog, float64(rep.Pending), "Count")
	metrics.Gauge(ctx, metrics.ReviewsOverdue, float64(rep.Overdue), "Count")
	if len(rep.NewlyReported) > 0 {
		body, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return rep, err
		}
		subject := fmt.Sprintf("人工审核超时：%d 件超过7个工作日未审核", len(rep.NewlyReported))
		if err := rp.topic.Publish(ctx, subject, string(body)); err != nil {
			for _, o := range rep.NewlyReported {
				if uerr := rp.store.UnmarkOverdueReported(context.WithoutCancel(ctx), o.ReviewID); uerr != nil {
					slog.ErrorContext(ctx, "could not take back an overdue mark", slog.String("reviewId", o.ReviewID), slog.String("err", uerr.Error()))
				}
			}
			return rep, err
		}
	}
	if len(rep.CalendarMissing) > 0 {
		slog.WarnContext(ctx, "the holiday calendar lacks years: working days there count weekends only; add them to shared/clock/holidays_cn.json",
			slog.Any("years", rep.CalendarMissing))
	}
	slog.InfoContext(ctx, "review SLA checked", slog.Int("pending", rep.Pending), slog.Int("overdue", rep.Overdue), slog.Int("newlyReported", len(rep.NewlyReported)))
	return rep, nil
}
