// Package smscode issues and checks the 6-digit SMS codes of SPEC §1: five minutes, single
// use, a newer one replaces the older, five wrong tries void it, and at most three SMS per
// mobile per CST day across every purpose.
package smscode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

const (
	// Length is the number of digits.
	Length = 6
	// TTL is how long a code is good for.
	TTL = 5 * time.Minute
	// MaxAttempts is how many tries, right or wrong, a code takes before it is void.
	MaxAttempts = 5
)

// IssueStore keeps codes and the counters of SMS: per mobile and day, per source address and
// hour, and the hour's budget.
type IssueStore interface {
	ReserveSMS(ctx context.Context, phone, day string, max int, expires time.Time) (int, error)
	ReleaseSMS(ctx context.Context, phone, day string) error
	CountAddressSMS(ctx context.Context, addr string, at time.Time, max int) error
	ReleaseAddressSMS(ctx context.Context, addr string, at time.Time) error
	CountSMSBudget(ctx context.Context, at time.Time, max int) error
	ReleaseSMSBudget(ctx context.Context, at time.Time) error
	MarkSMSBudgetReported(ctx context.Context, at time.Time) (bool, error)
	UnmarkSMSBudgetReported(ctx context.Context, at time.Time) error
	PutCode(ctx context.Context, k store.CodeKey, c store.Code) error
	DeleteCode(ctx context.Context, k store.CodeKey, hash []byte) error
}

// CheckStore counts tries of codes.
type CheckStore interface {
	AttemptCode(ctx context.Context, k store.CodeKey, now time.Time, max int) (store.Code, error)
	GiveBackAttempt(ctx context.Context, k store.CodeKey, hash []byte) error
}

// Issuer issues codes and texts them.
type Issuer struct {
	store     IssueStore
	sms       notify.SMS
	operators notify.Publisher
	limits    Limits
	clock     clock.Clock
	pepper    pepper
}

// Limits are what SMS pumping meets beyond a mobile's three a day: a cap per source address
// and hour, and the deployment's budget of SMS an hour, past which every send is refused and
// the operators are told, once an hour.
type Limits struct {
	PerAddressHour int
	HourlyBudget   int
}

// LimitsFromEnv are the limits a function is deployed with (SMS_PER_ADDRESS_HOUR,
// SMS_HOURLY_BUDGET); without them it stops at start-up.
func LimitsFromEnv() Limits {
	return Limits{PerAddressHour: awsenv.MustPositive("SMS_PER_ADDRESS_HOUR"), HourlyBudget: awsenv.MustPositive("SMS_HOURLY_BUDGET")}
}

// NewIssuer issues codes into db and sends them through sms, within limits, telling
// operators when the budget is spent. The pepper keys the stored hashes: at least MinPepper
// bytes, the same in every function that sends or checks codes; changing it voids the codes
// of the last five minutes.
func NewIssuer(db IssueStore, sms notify.SMS, operators notify.Publisher, limits Limits, clk clock.Clock, key []byte) *Issuer {
	return &Issuer{store: db, sms: sms, operators: operators, limits: limits, clock: clk, pepper: key}
}

// Checker checks codes.
type Checker struct {
	store  CheckStore
	clock  clock.Clock
	pepper pepper
}

// NewChecker checks codes kept in db, hashed under key (see NewIssuer).
func NewChecker(db CheckStore, clk clock.Clock, key []byte) *Checker {
	return &Checker{store: db, clock: clk, pepper: key}
}

// MinPepper is the shortest pepper taken: 128 bits.
const MinPepper = 16

var errNoPepper = errors.New("smscode: the pepper is missing or shorter than 16 bytes")

// PepperFromEnv is the pepper a function is deployed with (SMS_CODE_PEPPER). A function
// without a usable one stops at start-up rather than failing every request.
func PepperFromEnv() []byte {
	p := []byte(awsenv.MustEnv("SMS_CODE_PEPPER"))
	if len(p) < MinPepper {
		panic(errNoPepper.Error())
	}
	return p
}

// pepper is the key of the stored hashes.
type pepper []byte

// hash is how a code is stored: keyed by the pepper and bound to its purpose and subject, so
// a copy of the table cannot be searched for the code and a hash says nothing about any
// other code.
func (p pepper) hash(k store.CodeKey, code string) ([]byte, error) {
	if len(p) < MinPepper {
		return nil, errNoPepper
	}
	return token.Keyed(p, "sms-code", k.Purpose, k.Subject, code), nil
}

// HashCode is the stored form of code under k with the pepper p: for codes this package
// does not send (one mailed to a new address), which its Checker then checks.
func HashCode(p []byte, k store.CodeKey, code string) ([]byte, error) { return pepper(p).hash(k, code) }

// Owner binds a reset code to the account, and the password epoch, it was sent for.
type Owner struct {
	Login string
	Epoch int64
}

// Send issues a new code under k and texts it to phone (E.164) in the words of text, for a
// request from the source address from. It returns how many SMS the mobile has left today.
// The mobile's day, the address's hour and the hour's budget are counted at once (one round
// trip); when one refuses, the others are given back. When the SMS cannot be sent, every
// count is given back and the new code removed: the applicant loses nothing by our failure.
// Two round trips: the counters, then the code. alongside, when given, is sent with the
// counters (a slider's spending): when it fails, the counts are given back and its error is
// the answer.
func (c *Issuer) Send(ctx context.Context, k store.CodeKey, phone, from string, text func(code string, minutes int) string, owner Owner, alongside ...func(context.Context) error) (int, error) {
	now := c.clock.Now()
	day := clock.Day(now)
	code := token.Digits(Length)
	hash, err := c.pepper.hash(k, code)
	if err != nil { // before the quota is touched: a misconfigured function costs no one an SMS
		return 0, err
	}
	var sent int
	var mobile, address, budget error
	besides := make([]error, len(alongside))
	calls := []func(context.Context){
		// The mobile's counter outlives its day by one, for support questions; it never blocks after it.
		func(together context.Context) {
			sent, mobile = c.store.ReserveSMS(together, phone, day, quota.SMSPerDay, clock.NextDay(now).Add(24*time.Hour))
		},
		func(together context.Context) {
			address = c.store.CountAddressSMS(together, from, now, c.limits.PerAddressHour)
		},
		func(together context.Context) { budget = c.store.CountSMSBudget(together, now, c.limits.HourlyBudget) },
	}
	for i, f := range alongside {
		calls = append(calls, func(together context.Context) { besides[i] = f(together) })
	}
	store.SendTogether(ctx, calls...)
	bg := context.WithoutCancel(ctx)
	undo := func() {
		if mobile == nil {
			logFailure(ctx, k, "could not give back an SMS count", c.store.ReleaseSMS(bg, phone, day))
		}
		if address == nil {
			logFailure(ctx, k, "could not give back an address's SMS count", c.store.ReleaseAddressSMS(bg, from, now))
		}
		if budget == nil {
			logFailure(ctx, k, "could not give back an SMS of the budget", c.store.ReleaseSMSBudget(bg, now))
		}
	}
	nextHour := clock.SecondsUntil(now, now.Truncate(time.Hour).Add(time.Hour))
	if err := errors.Join(besides...); err != nil {
		undo()
		return 0, err
	}
	switch {
	case errors.Is(mobile, store.ErrQuotaFull):
		undo()
		return 0, api.QuotaExceeded(fmt.Sprintf("该手机号今日已获取%d次短信验证码，请明天再试", quota.SMSPerDay),
			clock.SecondsUntil(now, clock.NextDay(now)))
	case errors.Is(address, store.ErrQuotaFull):
		undo()
		return 0, api.QuotaExceeded("您的网络本小时获取短信验证码的次数过多，请稍后再试", nextHour)
	case errors.Is(budget, store.ErrQuotaFull):
		undo()
		c.budgetSpent(ctx, now)
		metrics.Count(ctx, metrics.SMSBudgetRefused)
		return 0, api.QuotaExceeded("短信发送繁忙，请稍后再试", nextHour)
	case mobile != nil || address != nil || budget != nil:
		undo()
		return 0, errors.Join(mobile, address, budget)
	}
	if err := c.store.PutCode(ctx, k, store.Code{Hash: hash, Expires: now.Add(TTL), Login: owner.Login, Epoch: owner.Epoch}); err != nil {
		undo()
		return 0, err
	}
	if err := c.sms.SendSMS(ctx, phone, text(code, int(TTL/time.Minute))); err != nil {
		logFailure(ctx, k, "could not remove an unsent code", c.store.DeleteCode(bg, k, hash))
		undo()
		return 0, api.Unavailable("短信发送失败，请稍后重试（本次不计入当日次数）", 30, err)
	}
	metrics.CountBy(ctx, metrics.CodesSent, metrics.Channel, "sms")
	return quota.SMSPerDay - sent, nil
}

// budgetSpent tells the operators, once an hour, that the hour's SMS budget is spent: a wave
// bigger than planned, or SMS pumping, which the refusals have now stopped. If they cannot be
// told, the next refusal tries again.
func (c *Issuer) budgetSpent(ctx context.Context, now time.Time) {
	bg := context.WithoutCancel(ctx)
	first, err := c.store.MarkSMSBudgetReported(bg, now)
	if err != nil || !first {
		return
	}
	msg := fmt.Sprintf("%s 这一小时的短信预算（%d 条）已用完，此后的短信验证码请求都被拒绝（429），直到下一小时。"+
		"如是报名高峰，请提高 SmsHourlyBudget 参数；如是短信轰炸，请查看按来源地址的拒绝情况。",
		now.In(clock.CST).Format("2006-01-02 15:00"), c.limits.HourlyBudget)
	if err := c.operators.Publish(bg, "短信小时预算已用完", msg); err != nil {
		slog.ErrorContext(ctx, "could not tell operators the SMS budget is spent", slog.String("err", err.Error()))
		// The next refusal of the hour tries again.
		if err := c.store.UnmarkSMSBudgetReported(bg, now); err != nil {
			slog.ErrorContext(ctx, "could not undo the report's mark", slog.String("err", err.Error()))
		}
	}
}

func logFailure(ctx context.Context, k store.CodeKey, what string, err error) {
	if err != nil {
		slog.ErrorContext(ctx, what, slog.String("purpose", k.Purpose), slog.String("err", err.Error()))
	}
}

// UsedError is a code that was right but already spent, and on what: a registration
// submitted twice learns that its account exists.
type UsedError struct{ For string }

func (e *UsedError) Error() string { return "sms code already used" }

// Refused is the one answer to a code that is wrong, expired, spent by its tries, used or
// replaced. One answer for all: a stranger typing codes for someone's mobile must not learn
// whether a code was sent to it, how many tries it has left, or that it was used.
func Refused() error { return refusedAs("短信验证码") }

func refusedAs(what string) error {
	return api.CodeInvalid(what + "错误、已过期或已失效，请核对后重试或重新获取（每个验证码最多可尝试5次）")
}

// refused is Refused in the words of t's channel: a code asked in WeChat is no SMS code.
func (t Tried) refused() error {
	if t.Key.Purpose == store.CodeForWechat || t.Key.Purpose == store.CodeForWechatReset {
		return refusedAs("微信验证码")
	}
	return Refused()
}

// Check counts one try of code under k, then compares it in constant time. It returns the
// stored code, whose hash the caller spends in the same transaction as the change the code
// authorizes. One round trip.
func (c *Checker) Check(ctx context.Context, k store.CodeKey, code string) (store.Code, error) {
	return c.Try(ctx, k, code).Judge()
}

// Tried is one try of a code, counted and not yet judged: a route that must know something
// else before the code may be compared (the current password of a change of mobile) counts
// the try in its first round trip and judges it only once that is known.
type Tried struct {
	Key  store.CodeKey
	want []byte     // the hash of the code given
	got  store.Code // the stored code (a used one's too, which tells a code submitted twice)
	err  error      // why no try was counted, or the store's error
}

// Try counts one try of code under k, without comparing it. One round trip.
func (c *Checker) Try(ctx context.Context, k store.CodeKey, code string) Tried {
	want, err := c.pepper.hash(k, code)
	if err != nil { // before a try is counted
		return Tried{Key: k, err: err}
	}
	got, err := c.store.AttemptCode(ctx, k, c.clock.Now(), MaxAttempts)
	return Tried{Key: k, want: want, got: got, err: err}
}

// Counted reports whether t counted a try that GiveBack can return.
func (t Tried) Counted() bool { return t.err == nil && len(t.got.Hash) > 0 }

// Judge compares the code tried with the stored one, in constant time: the stored code, or
// UsedError, Refused or the store's error.
func (t Tried) Judge() (store.Code, error) {
	switch {
	case errors.Is(t.err, store.ErrCodeUsed):
		if token.Equal(t.got.Hash, t.want) {
			return store.Code{}, &UsedError{For: t.got.UsedFor}
		}
		return store.Code{}, t.refused()
	case errors.Is(t.err, store.ErrCodeExhausted), errors.Is(t.err, store.ErrNotFound):
		return store.Code{}, t.refused()
	case t.err != nil:
		return store.Code{}, t.err
	}
	if !token.Equal(t.got.Hash, t.want) {
		return store.Code{}, t.refused()
	}
	return t.got, nil
}

// GiveBack returns a try that was counted and never judged: the request stopped before the
// code could be compared.
func (c *Checker) GiveBack(ctx context.Context, t Tried) {
	if !t.Counted() {
		return
	}
	if err := c.store.GiveBackAttempt(context.WithoutCancel(ctx), t.Key, t.got.Hash); err != nil {
		slog.WarnContext(ctx, "could not give a code's try back", slog.String("purpose", t.Key.Purpose), slog.String("err", err.Error()))
	}
}

// GiveBackIfBusy takes back the try Check counted for code when err says the store was busy
// and nothing was done: resending the request then costs the applicant nothing.
func (c *Checker) GiveBackIfBusy(ctx context.Context, k store.CodeKey, code store.Code, err error) {
	if !api.IsBusy(err) {
		return
	}
	if gerr := c.store.GiveBackAttempt(context.WithoutCancel(ctx), k, code.Hash); gerr != nil {
		slog.WarnContext(ctx, "could not give a code's try back", slog.String("purpose", k.Purpose), slog.String("err", gerr.Error()))
	}
}

// CheckFormat refuses what cannot be a code before any try is counted, naming the code by
// its field (smsCode, wechatCode, or a mailed code's).
func CheckFormat(field, code string) error {
	what := map[string]string{"smsCode": "短信验证码", "wechatCode": "微信验证码"}[field]
	if what == "" {
		what = "验证码"
	}
	if len(code) != Length {
		return api.InvalidField(field, "请输入6位数字"+what)
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return api.InvalidField(field, "请输入6位数字"+what)
		}
	}
	return nil
}
