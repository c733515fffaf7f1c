// Package session is login and logout (登录, SPEC §1): account + password + slider (and a
// reviewer's second factor) gives a bearer token; wrong account and wrong password look
// alike; five wrong passwords in a row lock the login for fifteen minutes, counted before any
// password is compared, whether or not an account has that name.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/fanout"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/store"
)

const (
	// MaxFailures wrong passwords in a row lock the login …
	MaxFailures = 5
	// … for LockFor.
	LockFor = 15 * time.Minute
	// MaxAccountLength bounds the account field before it becomes part of a key: the longest
	// document number has 18 characters, the longest reviewer login 32.
	MaxAccountLength = 64
	// SecondFactorTriesPerDay wrong second-factor codes after a right password end a
	// reviewer's logins for the CST day, and the operators are told: whoever sends them knows
	// the password. A reviewer's password lock is per source address, so without this a
	// password holder with many addresses could try codes until one matched (one in 333,333
	// with a step of drift either way).
	SecondFactorTriesPerDay = 10
)

// LoginStore keeps sliders, accounts, login guards and sessions.
type LoginStore interface {
	captcha.Store
	GetAccount(ctx context.Context, login string) (account.Account, error)
	ReleaseLogin(ctx context.Context, guard string) error
	AdmitLoginSpending(ctx context.Context, guard string, now time.Time, max int, lockFor time.Duration, captchaID string, c store.Captcha) (time.Time, error)
	LockLoginIfFull(ctx context.Context, guard string, now, until time.Time, max int) (bool, error)
	NewSessionToken(login string, epoch int64) string
	StartSession(ctx context.Context, tokenHash string, s account.Session, l store.Login, now time.Time) error
	CountSecondFactor(ctx context.Context, login, day string, max int, expires time.Time) error
	MarkSecondFactorReported(ctx context.Context, login, day string, at time.Time) (bool, error)
	UnmarkSecondFactorReported(ctx context.Context, login, day string) error
}

// LogoutStore ends sessions.
type LogoutStore interface {
	authn.Sessions
	EndSession(ctx context.Context, tokenHash string) error
}

type loginRequest struct {
	Account  string          `json:"account"`
	Password string          `json:"password"`
	Captcha  *captcha.Answer `json:"captcha"`
	OTP      string          `json:"otp"` // a reviewer's second factor
}

type loggedIn struct {
	Token     string `json:"token"`
	ExpiresAt string `json:"expiresAt"`
	Role      string `json:"role"`
	NextStep  string `json:"nextStep"`
}

// NewLogin answers POST /v1/sessions. The slider is spent in the same transaction that counts
// the attempt under the login's guard, so one slider buys one guess and a used one counts
// nothing; the count is made before any password is compared, so no burst of guesses gets
// more than MaxFailures compared. Two round trips (the slider and the guard's count, with the
// account read alongside; the session) and one
// Argon2id hash, for an unknown name as for a known one, a reviewer's too (a right second-factor
// code is let in by the session's transaction; a wrong one's count replaces it). The
// operators are told when a reviewer's second factor is under attack.
func NewLogin(db LoginStore, operators notify.Publisher, clk clock.Clock) api.HandlerFunc {
	l := &login{store: db, sliders: captcha.NewChecker(db, clk), operators: operators, clock: clk}
	return l.handle
}

type login struct {
	store     LoginStore
	sliders   *captcha.Checker
	operators notify.Publisher
	clock     clock.Clock
}

func (l *login) handle(ctx context.Context, r *api.Request) (_ *api.Response, err error) {
	var in loginRequest
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	name := strings.ToUpper(strings.TrimSpace(in.Account))
	switch {
	case name == "":
		return nil, api.InvalidField("account", "请输入账号（证件号码）")
	case utf8.RuneCountInString(name) > MaxAccountLength:
		return nil, api.InvalidField("account", "账号过长，请输入证件号码")
	case in.Password == "":
		return nil, api.InvalidField("password", "请输入密码")
	}
	judged, err := l.sliders.Judge(in.Captcha)
	if err != nil {
		return nil, err
	}
	if !judged.Right() {
		_, err := judged.Spend(ctx) // a wrong answer is spent all the same: one slider, one try
		return nil, err
	}
	solved := judged.AsSolved() // spent by the admission below, given back if the store is busy
	// A busy store gives the slider back, and the attempt once counted, unless a wrong
	// password was compared: a guess must never come back for free.
	guessed := false
	defer func() {
		if !guessed {
			solved.GiveBackIfBusy(ctx, err)
		}
		switch api.CodeOf(err) {
		case api.CodeLoginFailed:
			metrics.Count(ctx, metrics.LoginsFailed)
		case api.CodeAccountLocked:
			metrics.Count(ctx, metrics.LoginsLocked)
		}
	}()
	now := l.clock.Now()
	guard := guardOf(name, r, now)
	acct, err := l.admit(ctx, guard, name, judged, now)
	if err != nil {
		return nil, err
	}
	defer func() {
		if !guessed && api.IsBusy(err) {
			l.release(ctx, guard)
		}
	}()
	step, ok, err := l.verify(ctx, in, acct, now)
	switch {
	case err != nil:
		guessed = true // the password was compared
		return nil, err
	case !ok:
		guessed = true
		return nil, l.failed(ctx, guard, now)
	}
	tok := l.store.NewSessionToken(acct.Login, acct.Epoch)
	sess := account.Session{
		Login: acct.Login, AccountID: acct.AccountID, Role: acct.Role, Epoch: acct.Epoch,
		CreatedAt: now.Unix(), ExpiresAt: now.Add(authn.Lifetime).Unix(), IdleUntil: now.Add(authn.IdleTimeout).Unix(),
	}
	started := store.Login{Guard: guard, Login: acct.Login, TOTPStep: step,
		SecondFactorDay: clock.Day(now), SecondFactorMax: SecondFactorTriesPerDay}
	switch err := l.store.StartSession(ctx, authn.TokenHash(tok), sess, started, now); {
	case errors.Is(err, account.ErrLocked):
		// A wrong password counted before this one locked the login while this was checked.
		return nil, accountLocked(now, now.Add(LockFor))
	case errors.Is(err, store.ErrQuotaFull):
		// A right code, but the day's wrong ones were counted full while it was checked.
		guessed = true
		l.secondFactorSpent(ctx, acct, started.SecondFactorDay, now)
		return nil, l.failed(ctx, guard, now)
	case errors.Is(err, account.ErrCodeReused):
		guessed = true
		return nil, l.failed(ctx, guard, now)
	case err != nil:
		return nil, err
	}
	return api.JSON(http.StatusCreated, loggedIn{
		Token:     tok,
		ExpiresAt: time.Unix(sess.ExpiresAt, 0).In(clock.CST).Format(time.RFC3339),
		Role:      acct.Role,
		NextStep:  acct.NextStep(),
	}), nil
}

// guardOf is the guard a login's attempts count under. An applicant's login is a document
// number, locked for every source; any other name (a reviewer's) is locked per source
// address, so that nobody can lock the review queue from outside: a reviewer also needs the
// second factor.
func guardOf(name string, r *api.Request, now time.Time) string {
	if identity.IsDocumentNumber(name, now.In(clock.CST)) {
		return name
	}
	return name + "@" + r.Source()
}

// admit spends the slider and counts the attempt (one transaction: a used slider counts
// nothing) and reads the account, at once: one round trip before any password is compared.
// An unknown name comes back as a zero Account. A refused count is the lock's answer.
func (l *login) admit(ctx context.Context, guard, name string, slider *captcha.Judged, now time.Time) (account.Account, error) {
	together := store.Together(ctx)
	var acct struct {
		acct account.Account
		err  error
	}
	read := fanout.Start(func() { acct.acct, acct.err = l.store.GetAccount(together, name) })
	until, err := l.store.AdmitLoginSpending(together, guard, now, MaxFailures, LockFor, slider.ID(), slider.Captcha())
	read()
	switch {
	case errors.Is(err, store.ErrNotFound):
		return account.Account{}, api.CaptchaFailed() // the slider was used already
	case errors.Is(err, account.ErrLocked):
		return account.Account{}, accountLocked(now, until)
	case err != nil:
		return account.Account{}, err
	case acct.err != nil && !errors.Is(acct.err, store.ErrNotFound):
		l.release(ctx, guard)
		return account.Account{}, acct.err
	}
	return acct.acct, nil
}

// compare is password.Verify; the tests count its calls through export_test.go.
var compare = password.Verify

// verify compares the password (against a hash of no one's for an unknown name, at the same
// cost) and a reviewer's second factor, returning the factor's time step.
func (l *login) verify(ctx context.Context, in loginRequest, acct account.Account, now time.Time) (int64, bool, error) {
	hash := acct.PasswordHash
	if hash == "" {
		hash = password.Dummy
	}
	ok, err := compare(in.Password, hash)
	if err != nil || !ok || acct.Login == "" {
		return 0, false, nil
	}
	if acct.Role != account.RoleReviewer {
		return 0, true, nil
	}
	return l.secondFactor(ctx, acct, in.OTP, now)
}

// secondFactor checks a reviewer's code after a right password. The code is compared here,
// with no I/O, but no judgement is answered before it is counted: a wrong code is counted for
// the reviewer and the CST day, and a right one lets the login in only through StartSession,
// whose transaction holds only while fewer than SecondFactorTriesPerDay wrong codes are
// counted that day. So only guesses count, past the limit no code is let in that day, and,
// while the table answers, a burst of codes is judged as if each were counted first (DATA.md
// says what a busy table leaves). The answer stays the wrong password's: a distinct one would
// confirm the password to whoever guessed it.
func (l *login) secondFactor(ctx context.Context, acct account.Account, code string, now time.Time) (int64, bool, error) {
	if step, ok := checkCode(acct.TOTPSecret, code, now); ok {
		return step, true, nil
	}
	day := clock.Day(now)
	err := l.store.CountSecondFactor(ctx, acct.Login, day, SecondFactorTriesPerDay, clock.NextDay(now).Add(24*time.Hour))
	if errors.Is(err, store.ErrQuotaFull) {
		l.secondFactorSpent(ctx, acct, day, now)
		err = nil
	}
	return 0, false, err
}

// secondFactorSpent tells the operators, once a day per reviewer, that the reviewer's
// password is known to someone who is guessing codes; if they cannot be told, the next
// refusal tries again.
func (l *login) secondFactorSpent(ctx context.Context, acct account.Account, day string, now time.Time) {
	bg := context.WithoutCancel(ctx)
	slog.WarnContext(ctx, "a reviewer's second-factor tries of the day are spent", slog.String("accountId", acct.AccountID))
	first, err := l.store.MarkSecondFactorReported(bg, acct.Login, day, now)
	if err != nil || !first {
		return
	}
	msg := fmt.Sprintf("审核员账号 %s 今日（%s）在密码正确后输错第二因素验证码已达 %d 次，当日已停止其登录。"+
		"其密码很可能已泄露：请与该审核员核实，用 create-reviewer 为其重设密码并重新绑定第二因素（-enroll）。",
		acct.Login, day, SecondFactorTriesPerDay)
	if err := l.operators.Publish(bg, "审核员账号第二因素遭猜测", msg); err != nil {
		slog.ErrorContext(ctx, "could not tell operators of a reviewer's second factor under attack", slog.String("err", err.Error()))
		if err := l.store.UnmarkSecondFactorReported(bg, acct.Login, day); err != nil {
			slog.ErrorContext(ctx, "could not undo the report's mark", slog.String("err", err.Error()))
		}
	}
}

// failed answers a wrong password, or a wrong second factor: the attempt was counted already;
// when the count is full, this wrong one locks the login and is told so.
func (l *login) failed(ctx context.Context, guard string, now time.Time) error {
	until := now.Add(LockFor)
	locked, err := l.store.LockLoginIfFull(ctx, guard, now, until, MaxFailures)
	switch {
	case err != nil:
		return err
	case !locked:
		return loginFailed()
	}
	return accountLocked(now, until)
}

// release gives back an attempt that could not be checked for a reason of ours.
func (l *login) release(ctx context.Context, guard string) {
	if err := l.store.ReleaseLogin(context.WithoutCancel(ctx), guard); err != nil {
		slog.WarnContext(ctx, "could not give a login attempt back", slog.String("err", err.Error()))
	}
}

func loginFailed() error {
	return &api.Error{Status: http.StatusUnauthorized, Code: api.CodeLoginFailed, Message: "账号或密码错误。请用本网站注册的账号（证件号码）登录：在中小学教师资格考试网（ntce.neea.edu.cn）注册的账号不能在本网站登录，首次使用本网站请先注册"}
}

func accountLocked(now, until time.Time) error {
	return &api.Error{
		Status:     http.StatusLocked,
		Code:       api.CodeAccountLocked,
		Message:    "密码连续输入错误5次，账号已锁定至" + until.In(clock.CST).Format("2006-01-02 15:04:05") + "，请稍后再试或通过“忘记密码”重置",
		RetryAfter: clock.SecondsUntil(now, until),
	}
}

// NewLogout answers DELETE /v1/sessions/current for either role: two round trips (the
// session and the account; the delete).
func NewLogout(db LogoutStore, clk clock.Clock) api.HandlerFunc {
	return authn.NewGate(db, clk).Any(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		if err := db.EndSession(ctx, p.TokenHash); err != nil {
			return nil, err
		}
		return api.NoContent(), nil
	})
}

// GuardStore counts password attempts.
type GuardStore interface {
	TokenEpoch(tok string) (int64, bool)
	AdmitLoginInSession(ctx context.Context, login, tokenHash string, epoch int64, now time.Time, max int, lockFor time.Duration) (time.Time, error)
	AdmitLoginSpending(ctx context.Context, guard string, now time.Time, max int, lockFor time.Duration, captchaID string, c store.Captcha) (time.Time, error)
	LockLoginIfFull(ctx context.Context, guard string, now, until time.Time, max int) (bool, error)
	ReleaseLogin(ctx context.Context, guard string) error
}

// The current password asked before a change of credentials counts as a login attempt under
// the login's guard, before the compare, as a login's does, so a stolen session guesses no
// faster than the login page: five wrong ones lock the login. The gate counts it alongside
// the session's read (CountAttempt, UncountAttempt: authn.Gate.Counting); Reconfirm takes it.
// It is counted only while the token's session is live and the account is in the password
// epoch the token's seal names, in the same write: a token whose session has ended (logged
// out, expired, idle) or was voided (a password changed or reset elsewhere) counts nothing,
// so it cannot hold its account's login with counts in flight. A token whose seal names no
// epoch (issued before seals did), or an older one than its session's (the session changed
// the password itself), is counted by Reconfirm after the read, in the session's epoch.

// attempt is the current password's attempt as the gate counted it.
type attempt struct {
	admitted bool
	until    time.Time // a lock's end, when the count was refused
}

// errCountAfter is a count left to Reconfirm: the token's seal names no epoch.
var errCountAfter = errors.New("session: the attempt is counted after the session's read")

// CountAttempt is the gate's count of the current password's attempt, for the login the
// token names, while the token's session is live in the epoch its seal names.
func CountAttempt(db GuardStore) authn.Read {
	return func(ctx context.Context, r *api.Request, login string, now time.Time) (any, error) {
		epoch, ok := db.TokenEpoch(r.BearerToken())
		if !ok {
			return attempt{}, errCountAfter
		}
		return countInEpoch(ctx, db, r, login, epoch, now)
	}
}

// countInEpoch counts the attempt of the request's token in the epoch its seal names.
func countInEpoch(ctx context.Context, db GuardStore, r *api.Request, login string, epoch int64, now time.Time) (attempt, error) {
	until, err := db.AdmitLoginInSession(ctx, login, authn.TokenHash(r.BearerToken()), epoch, now, MaxFailures, LockFor)
	return attempt{admitted: err == nil, until: until}, err
}

// Counted is what CountAttemptWith counted: the attempt, and what the route's own count gave.
type Counted struct {
	attempt
	Also    any
	AlsoErr error
}

// attempted is what Reconfirm takes: the attempt alone, or with a route's count.
type attempted interface{ counted() attempt }

func (a attempt) counted() attempt { return a }

// CountAttemptWith counts the current password's attempt and also, the route's own count
// (a new mobile's code try), sent together alongside the session's read; its undo, which the
// gate runs when the count is never taken, gives back both. Reconfirm takes the attempt; the
// route reads also's result (Counted.Also, with authn.Peek) and gives it back itself when
// Reconfirm took the count and refused. When the attempt cannot be counted (a lock, the store
// busy) the caller is refused, and also's count is given back at once.
func CountAttemptWith(db GuardStore, also authn.Read, undoAlso func(ctx context.Context, counted any)) (authn.Read, authn.Undo) {
	read := func(ctx context.Context, r *api.Request, login string, now time.Time) (any, error) {
		epoch, ok := db.TokenEpoch(r.BearerToken())
		if !ok {
			// Reconfirm counts the attempt after the read, and the route its own try then:
			// a try sent now would only be given back.
			return Counted{}, errCountAfter
		}
		var c Counted
		var err error
		store.SendTogether(ctx,
			func(ctx context.Context) { c.attempt, err = countInEpoch(ctx, db, r, login, epoch, now) },
			func(ctx context.Context) { c.Also, c.AlsoErr = also(ctx, r, login, now) })
		if err != nil && c.AlsoErr == nil {
			undoAlso(context.WithoutCancel(ctx), c.Also)
			c.Also = nil // given back: nothing for the route to give back again
		}
		return c, err
	}
	undo := func(ctx context.Context, login string, now time.Time, counted any) {
		c, _ := counted.(Counted)
		store.SendTogether(ctx,
			func(ctx context.Context) { release(ctx, db, login) },
			func(ctx context.Context) {
				if c.AlsoErr == nil {
					undoAlso(ctx, c.Also)
				}
			})
	}
	return read, undo
}

// UncountAttempt gives back an attempt the gate counted for a caller it did not let in, or
// whose handler never compared a password.
func UncountAttempt(db GuardStore) authn.Undo {
	return func(ctx context.Context, login string, _ time.Time, _ any) { release(ctx, db, login) }
}

func release(ctx context.Context, db GuardStore, login string) {
	if err := db.ReleaseLogin(ctx, login); err != nil {
		slog.WarnContext(ctx, "could not give back a right password's attempt", slog.String("err", err.Error()))
	}
}

// Reconfirm is the proof a change of credentials asks of the session's holder: the current
// password (the attempt the gate counted, compared now; a wrong one is a 422 at field, and
// the one that finds the count full locks the login), or for an account without one a login
// made within FreshLogin (what names the change in the refusal). The Proof gives the attempt
// back, which a proof that stands does not keep: with the caller's own write (Proof.With,
// one round trip for both), or on its own when the change goes no further (Proof.Close).
func Reconfirm(ctx context.Context, db GuardStore, p *authn.Principal, pw, field, what string) (*Proof, error) {
	acct, now := p.Account, p.ReadAt()
	if acct.PasswordHash == "" {
		if now.Sub(time.Unix(p.Session.CreatedAt, 0)) > FreshLogin {
			return nil, &api.Error{Status: http.StatusUnauthorized, Code: api.CodeUnauthenticated,
				Message: "该账号尚未设置密码：为保障账号安全，请重新登录后在10分钟内" + what}
		}
		// No password was compared: the attempt counted goes back with the caller's write.
		if _, err := authn.ReadOf[attempted](p); err != nil {
			return &Proof{}, nil // refused, it counted nothing
		}
		return &Proof{giveBack: func(ctx context.Context) { release(context.WithoutCancel(ctx), db, acct.Login) }}, nil
	}
	if pw == "" {
		return nil, api.InvalidField(field, "请输入当前密码")
	}
	counted, err := authn.ReadOf[attempted](p)
	var a attempt
	if counted != nil {
		a = counted.counted()
	}
	if errors.Is(err, errCountAfter) || errors.Is(err, store.ErrAccountMoved) {
		// Not counted alongside: counted now, in the epoch the gate found the session in.
		a.until, err = db.AdmitLoginInSession(ctx, acct.Login, p.TokenHash, p.Session.Epoch, now, MaxFailures, LockFor)
		a.admitted = err == nil
	}
	switch {
	case errors.Is(err, account.ErrLocked):
		return nil, accountLocked(now, a.until)
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrAccountMoved):
		// The session ended, or its password changed elsewhere, between its read and the count.
		return nil, api.Unauthenticated()
	case err != nil:
		return nil, err
	case !a.admitted: // a gate without CountAttempt: no password is compared uncounted
		return nil, errors.New("session: the current password's attempt was not counted")
	}
	ok, err := compare(pw, acct.PasswordHash)
	if err == nil && ok {
		return &Proof{giveBack: func(ctx context.Context) { release(context.WithoutCancel(ctx), db, acct.Login) }}, nil
	}
	// A transaction tells no attempt's number: the wrong one that finds the count full locks.
	lock := now.Add(LockFor)
	switch locked, err := db.LockLoginIfFull(ctx, acct.Login, now, lock, MaxFailures); {
	case err != nil:
		return nil, err
	case !locked:
		return nil, api.InvalidField(field, "当前密码不正确")
	}
	return nil, accountLocked(now, lock)
}

// Proof is a holder's proof that stands, and the give-back of the attempt it counted.
type Proof struct {
	giveBack func(context.Context)
	sent     bool
}

// With sends write and the attempt's give-back at once.
func (pr *Proof) With(ctx context.Context, write func(context.Context) error) error {
	if pr.giveBack == nil || pr.sent {
		return write(ctx)
	}
	pr.sent = true
	var err error
	store.SendTogether(ctx, pr.giveBack, func(ctx context.Context) { err = write(ctx) })
	return err
}

// Close gives the attempt back if With did not: the change stopped after the proof.
func (pr *Proof) Close(ctx context.Context) {
	if pr != nil && pr.giveBack != nil && !pr.sent {
		pr.sent = true
		pr.giveBack(ctx)
	}
}

// FreshLogin is how recent the login of an account without a password (one a first 教育部
// login made, or whose ownership claim voided it) must be for a change of its credentials:
// that login stands in for the password the account does not have.
const FreshLogin = 10 * time.Minute
