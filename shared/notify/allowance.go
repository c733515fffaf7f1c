package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/store"
)

// NoticesPerDay bounds the account-security notices of the changes an account's session makes
// (a password changed, a WeChat binding code asked, a binding removed) that one account is
// told in a CST day: each goes out by SMS and mail, and nothing else bounds how often a
// session may make them, so without it a session would be a channel of unlimited texts and
// mails to whatever contacts the account names. The first of a day warn its holder; past
// them the changes still happen and are logged, untold.
const NoticesPerDay = 5

// NoticeQuota counts an account's notices of a CST day.
type NoticeQuota interface {
	// CountNotice counts one of login's notices of day; false when max are counted. The
	// count is kept until expires.
	CountNotice(ctx context.Context, login, day string, max int, expires time.Time) (bool, error)
	UncountNotice(ctx context.Context, login, day string) error
}

// Allowance is one of the day's notices, asked for at the same time as the change it tells
// of is written (AllowWith: one round trip for both), and told once the change stands.
type Allowance struct {
	quota   NoticeQuota
	login   string
	day     string
	counted bool // one of the day's notices is this one's
	full    bool // the day's notices are told already
}

// AllowWith writes a change with write and asks for one of login's notices of the day of at,
// both at once; a change refused gives its notice back.
func AllowWith(ctx context.Context, q NoticeQuota, login string, at time.Time, write func(context.Context) error) (*Allowance, error) {
	var al *Allowance
	var err error
	store.SendTogether(ctx,
		func(ctx context.Context) { err = write(ctx) },
		func(ctx context.Context) { al = allow(ctx, q, login, at) })
	if err != nil {
		al.giveBack(ctx)
	}
	return al, err
}

// allow asks for one of login's notices of the day of at. A count the store could not make
// allows the notice all the same: a holder warned once more is worth more than the bound.
func allow(ctx context.Context, q NoticeQuota, login string, at time.Time) *Allowance {
	day := clock.Day(at)
	ok, err := q.CountNotice(ctx, login, day, NoticesPerDay, clock.NextDay(at).Add(24*time.Hour))
	if err != nil {
		slog.WarnContext(ctx, "could not count an account-security notice", slog.String("err", err.Error()))
	}
	return &Allowance{quota: q, login: login, day: day, counted: ok && err == nil, full: !ok && err == nil}
}

// giveBack returns the notice counted for a change that did not happen.
func (al *Allowance) giveBack(ctx context.Context) {
	if !al.counted {
		return
	}
	al.counted = false
	if err := al.quota.UncountNotice(context.WithoutCancel(ctx), al.login, al.day); err != nil {
		slog.WarnContext(ctx, "could not give back an account-security notice", slog.String("err", err.Error()))
	}
}

// Tell tells a's holder text (TellHolder) unless the day's notices are told already.
func (al *Allowance) Tell(ctx context.Context, sms SMS, mail Mailer, a account.Account, text string) {
	if al.full {
		slog.InfoContext(ctx, "account-security notice not sent: the day's are sent", slog.Int("perDay", NoticesPerDay))
		return
	}
	TellHolder(ctx, sms, mail, a, text)
}

// MailsPerMailboxDay bounds the codes and links mailed to one address a CST day, across
// accounts: registration proves no address, so accounts naming a stranger's could otherwise
// flood it, and the sender's reputation with it, each within its own allowance.
const MailsPerMailboxDay = 10

// TellHolder tells a's contacts text: its proven mobile (account.ProvenPhone: a mobile the
// account never proved, registered with a code asked in WeChat, is sent no text) and its
// address.
func TellHolder(ctx context.Context, sms SMS, mail Mailer, a account.Account, text string) {
	tell(ctx, sms, mail, a.ProvenPhone(), a.Email, a.Name, text)
}
