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

// IssueStore keeps codes and the daily counters.
type IssueStore interface {
	ReserveSMS(ctx context.Context, phone, day string, max int, expires time.Time) (int, error)
	ReleaseSMS(ctx context.Context, phone, day string) error
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
	store  IssueStore
	sms    notify.SMS
	clock  clock.Clock
	pepper pepper
}

// NewIssuer issues codes into db and sends them through sms. The pepper keys the stored
// hashes: at least MinPepper bytes, the same in every function that sends or checks codes;
// changing it voids the codes of the last five minutes.
func NewIssuer(db IssueStore, sms notify.SMS, clk clock.Clock, key []byte) *Issuer {
	return &Issuer{store: db, sms: sms, clock: clk, pepper: key}
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

// Owner binds a reset code to the account, and the password epoch, it was sent for.
type Owner struct {
	Login string
	Epoch int64
}

// Send issues a new code under k and texts it to phone (E.164) in the words of text. It
// returns how many SMS the mobile has left today. When the SMS cannot be sent, the day's
// count is given back and the new code removed: the applicant loses nothing by our failure.
// Two round trips: the counter, then the code.
func (c *Issuer) Send(ctx context.Context, k store.CodeKey, phone string, text func(code string, minutes int) string, owner Owner) (int, error) {
	now := c.clock.Now()
	day := clock.Day(now)
	code := token.Digits(Length)
	hash, err := c.pepper.hash(k, code)
	if err != nil { // before the quota is touched: a misconfigured function costs no one an SMS
		return 0, err
	}
	// The counter outlives its day by one, for support questions; it never blocks after it.
	sent, err := c.store.ReserveSMS(ctx, phone, day, quota.SMSPerDay, clock.NextDay(now).Add(24*time.Hour))
	if errors.Is(err, store.ErrQuotaFull) {
		return 0, api.QuotaExceeded(fmt.Sprintf("该手机号今日已获取%d次短信验证码，请明天再试", quota.SMSPerDay),
			clock.SecondsUntil(now, clock.NextDay(now)))
	}
	if err != nil {
		return 0, err
	}
	undo := func() {
		bg := context.WithoutCancel(ctx)
		if err := c.store.ReleaseSMS(bg, phone, day); err != nil {
			slog.ErrorContext(ctx, "could not give back an SMS count", slog.String("purpose", k.Purpose), slog.String("err", err.Error()))
		}
	}
	if err := c.store.PutCode(ctx, k, store.Code{Hash: hash, Expires: now.Add(TTL), Login: owner.Login, Epoch: owner.Epoch}); err != nil {
		undo()
		return 0, err
	}
	if err := c.sms.SendSMS(ctx, phone, text(code, int(TTL/time.Minute))); err != nil {
		if derr := c.store.DeleteCode(context.WithoutCancel(ctx), k, hash); derr != nil {
			slog.ErrorContext(ctx, "could not remove an unsent code", slog.String("purpose", k.Purpose), slog.String("err", derr.Error()))
		}
		undo()
		return 0, api.Unavailable("短信发送失败，请稍后重试（本次不计入当日次数）", 30, err)
	}
	return quota.SMSPerDay - sent, nil
}

// UsedError is a code that was right but already spent, and on what: a registration
// submitted twice learns that its account exists.
type UsedError struct{ For string }

func (e *UsedError) Error() string { return "sms code already used" }

// Check counts one try of code under k, then compares it in constant time. It returns the
// stored code, whose hash the caller spends in the same transaction as the change the code
// authorizes. One round trip.
func (c *Checker) Check(ctx context.Context, k store.CodeKey, code string) (store.Code, error) {
	want, err := c.pepper.hash(k, code)
	if err != nil { // before a try is counted
		return store.Code{}, err
	}
	got, err := c.store.AttemptCode(ctx, k, c.clock.Now(), MaxAttempts)
	switch {
	case errors.Is(err, store.ErrCodeUsed):
		if token.Equal(got.Hash, want) {
			return store.Code{}, &UsedError{For: got.UsedFor}
		}
		return store.Code{}, api.CodeInvalid("短信验证码已使用或已失效，请重新获取")
	case errors.Is(err, store.ErrCodeExhausted):
		return store.Code{}, api.CodeInvalid("短信验证码错误次数过多，已失效，请重新获取")
	case errors.Is(err, store.ErrNotFound):
		return store.Code{}, api.CodeInvalid("短信验证码错误或已过期，请重新获取")
	case err != nil:
		return store.Code{}, err
	}
	if !token.Equal(got.Hash, want) {
		if left := MaxAttempts - got.Attempts; left > 0 {
			return store.Code{}, api.CodeInvalid(fmt.Sprintf("短信验证码错误，还可尝试%d次", left))
		}
		return store.Code{}, api.CodeInvalid("短信验证码错误次数过多，已失效，请重新获取")
	}
	return got, nil
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

// CheckFormat refuses what cannot be a code before any try is counted.
func CheckFormat(field, code string) error {
	if len(code) != Length {
		return api.InvalidField(field, "请输入6位数字短信验证码")
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return api.InvalidField(field, "请输入6位数字短信验证码")
		}
	}
	return nil
}
