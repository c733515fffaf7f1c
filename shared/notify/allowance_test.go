package notify

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
)

// dayCounts is a NoticeQuota in memory, as the store counts: per login and day, up to max.
type dayCounts struct {
	n    map[string]int
	fail bool
}

func (d *dayCounts) CountNotice(_ context.Context, login, day string, max int, _ time.Time) (bool, error) {
	if d.fail {
		return false, errors.New("busy")
	}
	if d.n[login+day] >= max {
		return false, nil
	}
	d.n[login+day]++
	return true, nil
}

func (d *dayCounts) UncountNotice(_ context.Context, login, day string) error {
	d.n[login+day]--
	return nil
}

// told counts what o sent: texts and mails.
func told(o *Outbox) (texts, mails int) {
	for _, m := range o.Messages() {
		if m.Channel == "sms" {
			texts++
		} else {
			mails++
		}
	}
	return texts, mails
}

// An account is told of NoticesPerDay changes a CST day, by text and mail; a notice given
// back for a change that did not happen frees its place; a store that cannot count tells all
// the same; the next day tells again.
func TestAnAccountIsToldOfAtMostTheDaysNotices(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	o := NewOutbox(func() time.Time { return now })
	q := &dayCounts{n: map[string]int{}}
	a := account.Account{Login: "110101198001010010", Name: "张三", Phone: "+8613800138000", Email: "1@qq.com"}
	if _, err := AllowWith(ctx, q, a.Login, now, func(context.Context) error { return errors.New("refused") }); err == nil {
		t.Fatal("a refused change's error was lost")
	}
	for range NoticesPerDay + 2 {
		allow(ctx, q, a.Login, now).Tell(ctx, o, o, a, "changed")
	}
	if texts, mails := told(o); texts != NoticesPerDay || mails != NoticesPerDay {
		t.Fatalf("%d texts and %d mails, want %d each", texts, mails, NoticesPerDay)
	}
	q.fail = true
	allow(ctx, q, a.Login, now).Tell(ctx, o, o, a, "changed")
	if texts, _ := told(o); texts != NoticesPerDay+1 {
		t.Fatalf("a notice the store could not count: %d texts in all", texts)
	}
	q.fail = false
	allow(ctx, q, a.Login, now.Add(24*time.Hour)).Tell(ctx, o, o, a, "changed")
	if texts, _ := told(o); texts != NoticesPerDay+2 {
		t.Fatalf("the next day: %d texts in all", texts)
	}
}

// A mobile the account never proved (registered with a code asked in WeChat) is sent no
// notice: only the address is told.
func TestAnUnprovenMobileIsToldNothing(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	o := NewOutbox(func() time.Time { return now })
	a := account.Account{Login: "87654321", Name: "林美玲", Phone: "+85291234567", PhoneUnproven: true, Email: "1@qq.com"}
	allow(ctx, &dayCounts{n: map[string]int{}}, a.Login, now).Tell(ctx, o, o, a, "changed")
	if texts, mails := told(o); texts != 0 || mails != 1 {
		t.Fatalf("%d texts and %d mails, want the mail alone", texts, mails)
	}
}
