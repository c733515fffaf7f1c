// Package notice tells applicants of review decisions by SMS and e-mail (SPEC §1 "Manual
// review"), and keeps trying until both have gone out: the decision writes its notice in the
// same transaction, the decider sends it at once, and a scheduled run sends what is left.
package notice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/store"
)

// Store keeps the notices still to send.
type Store interface {
	UndeliveredNotices(ctx context.Context, now time.Time, limit int) ([]casework.Notice, error)
	LeaseNotice(ctx context.Context, reviewID string, now, until time.Time) (casework.Notice, error)
	SettleNotice(ctx context.Context, reviewID string, left casework.Channels, retryAt time.Time) error
}

// Sender sends decision notices.
type Sender struct {
	store Store
	sms   notify.SMS
	mail  notify.Mailer
	clock clock.Clock
}

// NewSender sends the notices kept in db by SMS and mail.
func NewSender(db Store, sms notify.SMS, mail notify.Mailer, clk clock.Clock) *Sender {
	return &Sender{store: db, sms: sms, mail: mail, clock: clk}
}

// Deliver sends the channels of a notice its caller holds the lease of, and records what is
// still to send; an error says some channel failed (the notice stays for the next run).
func (s *Sender) Deliver(ctx context.Context, nt casework.Notice) error {
	left := nt.Left()
	var errs []error
	send := func(pending *bool, do func() error) {
		if !*pending {
			return
		}
		if err := do(); err != nil {
			errs = append(errs, err)
			return
		}
		*pending = false
	}
	send(&left.SMS, func() error {
		return s.sms.SendSMS(ctx, nt.Phone, notify.ReviewDecisionSMS(nt.Kind, nt.Approve, nt.Reason))
	})
	send(&left.Mail, func() error {
		return s.mail.SendMail(ctx, notify.ReviewDecisionMail(nt.Kind, nt.Email, nt.Name, nt.Approve, nt.NameChanged, nt.Reason))
	})
	send(&left.OldSMS, func() error { return s.sms.SendSMS(ctx, nt.OldPhone, notify.ContactsReplacedSMS(nt.Kind)) })
	send(&left.OldMail, func() error { return s.mail.SendMail(ctx, notify.ContactsReplacedMail(nt.Kind, nt.OldEmail)) })
	retryAt := s.clock.Now().Add(RetryDelay(nt.Attempts))
	if err := s.store.SettleNotice(context.WithoutCancel(ctx), nt.ReviewID, left, retryAt); err != nil {
		return err
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("decision notice of review %s (attempt %d): %w", nt.ReviewID, nt.Attempts, err)
	}
	return nil
}

// RetryDelay is how long a notice waits after its attempt-th failed attempt: the next run
// for the first, then twice as long each time, up to six hours. A notice that keeps failing
// (a bounced address, a dead number) so falls behind the others instead of holding the
// head of every run's batch for its seven days.
func RetryDelay(attempt int) time.Duration {
	d := 5 * time.Minute
	for i := 1; i < attempt && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// Batch is how many notices one run takes on; a backlog larger than that drains over runs.
const Batch = 100

// Report is what a run did.
type Report struct {
	Undelivered int `json:"undelivered"` // found at the start, not leased by anyone
	Delivered   int `json:"delivered"`
	Failed      int `json:"failed"`
	Skipped     int `json:"skipped"` // leased by a concurrent sender, or gone meanwhile
}

// Run sends every undelivered notice it can lease. It is the scheduled function's handler;
// concurrent runs and a decider sending at the same time never send one notice twice.
func (s *Sender) Run(ctx context.Context) (Report, error) {
	ctx, flushMetrics := metrics.Invocation(ctx)
	defer flushMetrics()
	now := s.clock.Now()
	notices, err := s.store.UndeliveredNotices(ctx, now, Batch)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Undelivered: len(notices)}
	for _, found := range notices {
		nt, err := s.store.LeaseNotice(ctx, found.ReviewID, now, now.Add(casework.NoticeLease))
		if errors.Is(err, casework.ErrLeaseHeld) || errors.Is(err, store.ErrNotFound) {
			rep.Skipped++
			continue
		}
		if err != nil {
			return rep, err
		}
		if err := s.Deliver(ctx, nt); err != nil {
			rep.Failed++
			metrics.Count(ctx, metrics.NoticesUndelivered)
			slog.ErrorContext(ctx, "decision notice not delivered", slog.String("reviewId", nt.ReviewID), slog.Int("attempts", nt.Attempts), slog.String("err", err.Error()))
			continue
		}
		rep.Delivered++
	}
	slog.InfoContext(ctx, "decision notices retried", slog.Int("undelivered", rep.Undelivered), slog.Int("delivered", rep.Delivered),
		slog.Int("failed", rep.Failed), slog.Int("skipped", rep.Skipped))
	return rep, nil
}
