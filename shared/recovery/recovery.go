// Package recovery is password recovery (忘记密码, SPEC §1): an exact match of document type,
// number and name behind a slider, then a reset link by e-mail or a code by SMS, then the new
// password. Completing ends every session of the account and voids every other link and code.
package recovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/reset"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

const (
	// ResetTTL is how long a resetId of step 1 lives.
	ResetTTL = 30 * time.Minute
	// LinkTTL is how long an e-mailed link works.
	LinkTTL = 24 * time.Hour
	// MailsPerReset bounds the mails one resetId can send, so a solved slider cannot be
	// turned into a mail bomb …
	MailsPerReset = 3
	// … and MailsPerAccountDay those of all an account's resets in a CST day, so that many
	// step 1s cannot either.
	MailsPerAccountDay = 5
	// PurposeReset is the SMS code purpose of recovery; codes are kept per resetId.
	PurposeReset   = store.CodeForReset
	linkTokenBytes = 32
	// maxResetIDLength bounds a resetId from a request: a sealed one (store.NewResetID) is
	// 123 characters.
	maxResetIDLength = 160
)

// StartStore keeps sliders and resets, and reads accounts.
type StartStore interface {
	captcha.Store
	GetAccount(ctx context.Context, login string) (account.Account, error)
	NewResetID(r reset.Request) string
	PutReset(ctx context.Context, r reset.Request) error
}

// MailStore counts a reset's mails, and the account's, and keeps its links.
type MailStore interface {
	GetAccount(ctx context.Context, login string) (account.Account, error)
	CountResetMail(ctx context.Context, id string, now time.Time, max int) (reset.Request, error)
	UncountResetMail(ctx context.Context, id string) error
	CountAccountMail(ctx context.Context, login, day string, max int, expires time.Time) (int, error)
	UncountAccountMail(ctx context.Context, login, day string) error
	CountMailbox(ctx context.Context, address, day string, max int, expires time.Time) error
	UncountMailbox(ctx context.Context, address, day string) error
	PutResetLink(ctx context.Context, tokenHash string, l reset.Link) error
	DeleteResetLink(ctx context.Context, tokenHash string) error
}

// SMSStore opens and reads resets, with their accounts, and issues codes.
type SMSStore interface {
	smscode.IssueStore
	OpenResetID(id string) (reset.Request, bool)
	GetReset(ctx context.Context, id string, now time.Time) (reset.Request, error)
	ResetHolds(ctx context.Context, r reset.Request, now time.Time) error
}

// CompleteStore reads links, checks codes and applies the new password.
type CompleteStore interface {
	smscode.CheckStore
	notify.NoticeQuota
	GetResetLink(ctx context.Context, tokenHash string, now time.Time) (reset.Link, error)
	CompleteReset(ctx context.Context, c store.Completion, now time.Time) error
	GetAccount(ctx context.Context, login string) (account.Account, error)
}

// ResetKey is where the SMS code of a reset is kept.
func ResetKey(resetID string) store.CodeKey {
	return store.CodeKey{Purpose: PurposeReset, Subject: resetID}
}

func linkHash(tok string) string { return token.Encode(token.Hash("reset-link", tok)) }

type startRequest struct {
	IDType   string          `json:"idType"`
	IDNumber string          `json:"idNumber"`
	Name     string          `json:"name"`
	Captcha  *captcha.Answer `json:"captcha"`
}

type started struct {
	ResetID     string  `json:"resetId"`
	PhoneMasked *string `json:"phoneMasked"` // nil: the account has none
	EmailMasked *string `json:"emailMasked"`
	ExpiresIn   int     `json:"expiresIn"`
}

// masked is v masked, or nil for none.
func masked(v string, mask func(string) string) *string {
	if v == "" {
		return nil
	}
	m := mask(v)
	return &m
}

// noContacts answers recovery for an account with neither mobile nor e-mail (one a first
// 教育部 login made): nothing can be sent, and the message says how it gets one.
func noContacts() error {
	return &api.Error{Status: http.StatusNotFound, Code: api.CodeAccountNotFound,
		Message: "该账号尚未留存手机号码和邮箱，无法在此找回密码：请使用“教育部账号登录”登录，在个人中心填写手机号码或邮箱后，再找回密码"}
}

// NewStart answers POST /v1/password-resets: nothing is revealed unless type, number and
// name all match one applicant. Two round trips: the slider and the account at once; the
// reset.
func NewStart(db StartStore, clk clock.Clock) api.HandlerFunc {
	sliders := captcha.NewChecker(db, clk)
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		return start(ctx, r, db, sliders, clk)
	}
}

func start(ctx context.Context, r *api.Request, db StartStore, sliders *captcha.Checker, clk clock.Clock) (_ *api.Response, err error) {
	var in startRequest
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	now := clk.Now()
	idType, login, err := identity.CheckDocument(in.IDType, in.IDNumber, now.In(clock.CST))
	if err != nil {
		return nil, api.InvalidAt(err)
	}
	name, err := identity.NormalizeName(in.Name)
	if err != nil {
		return nil, api.Invalid("name", err)
	}
	var acct account.Account
	var read error
	solved, err := sliders.VerifyReading(ctx, in.Captcha, func(ctx context.Context) { acct, read = db.GetAccount(ctx, login) })
	if err != nil {
		return nil, err
	}
	defer func() { solved.GiveBackIfBusy(ctx, err) }()
	if err = read; err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if err != nil || acct.Role != account.RoleApplicant || acct.IDType != string(idType) || !identity.SameName(acct.Name, name) {
		return nil, &api.Error{Status: http.StatusNotFound, Code: api.CodeAccountNotFound,
			Message: "未找到匹配的账号：证件类型、证件号码和姓名须与注册时填写的完全一致"}
	}
	if acct.Phone == "" && acct.Email == "" {
		return nil, noContacts()
	}
	req := reset.Request{
		Login: acct.Login, Name: acct.Name, Epoch: acct.Epoch,
		Phone: acct.Phone, Email: acct.Email, ExpiresAt: now.Add(ResetTTL).Unix(),
	}
	req.ID = db.NewResetID(req)
	if err := db.PutReset(ctx, req); err != nil {
		return nil, err
	}
	return api.JSON(http.StatusCreated, started{
		ResetID:     req.ID,
		PhoneMasked: masked(acct.Phone, identity.MaskPhone),
		EmailMasked: masked(acct.Email, identity.MaskEmail),
		ExpiresIn:   int(ResetTTL / time.Second),
	}), nil
}

func resetGone() error {
	return api.NotFound("找回密码申请不存在或已过期（30分钟内有效），请重新开始")
}

func resetID(r *api.Request) (string, error) {
	id := r.PathParam("resetId")
	if id == "" || len(id) > maxResetIDLength {
		return "", resetGone()
	}
	return id, nil
}

type mailed struct {
	ExpiresIn int `json:"expiresIn"`
}

// NewEmail answers POST /v1/password-resets/{resetId}/email: a single-use link, good for 24
// hours, to the registered address; the link opens linkBase with the token in its query. At
// most MailsPerReset mails per reset, and MailsPerAccountDay per account across its resets,
// and none from a reset made before the password last changed. Two round trips (the reset's
// mail count; then the account's count, the address's, the link and the account, sent
// together) and one SES call. An address has at most notify.MailsPerMailboxDay a day, across
// accounts.
func NewEmail(db MailStore, mail notify.Mailer, clk clock.Clock, linkBase string) api.HandlerFunc {
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		id, err := resetID(r)
		if err != nil {
			return nil, err
		}
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		now := clk.Now()
		req, err := db.CountResetMail(ctx, id, now, MailsPerReset)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, resetGone()
		case err == nil && req.Email == "":
			logFailure(ctx, "could not give back a reset mail", db.UncountResetMail(context.WithoutCancel(ctx), id))
			return nil, api.NotFound("该账号未留存邮箱，请改用短信验证码找回密码")
		case errors.Is(err, reset.ErrMailsUsedUp):
			return nil, api.QuotaExceeded("本次找回密码已发送3封邮件，请查收邮箱（含垃圾邮件箱），或重新开始找回密码", 0)
		case err != nil:
			return nil, err
		}
		tok := token.New(linkTokenBytes)
		h := linkHash(tok)
		day := clock.Day(now)
		var counted, boxed, linked, read error
		var acct account.Account
		store.SendTogether(ctx,
			func(ctx context.Context) {
				_, counted = db.CountAccountMail(ctx, req.Login, day, MailsPerAccountDay, clock.NextDay(now).Add(24*time.Hour))
			},
			func(ctx context.Context) {
				boxed = db.CountMailbox(ctx, req.Email, day, notify.MailsPerMailboxDay, clock.NextDay(now).Add(24*time.Hour))
			},
			func(ctx context.Context) {
				linked = db.PutResetLink(ctx, h, reset.Link{Login: req.Login, Epoch: req.Epoch, ResetID: id, ExpiresAt: now.Add(LinkTTL).Unix()})
			},
			func(ctx context.Context) { acct, read = db.GetAccount(ctx, req.Login) },
		)
		// Undo what went through when the mail is not to go out (or could not).
		bg := context.WithoutCancel(ctx)
		undo := func() {
			logFailure(ctx, "could not give back a reset mail", db.UncountResetMail(bg, id))
			if counted == nil {
				logFailure(ctx, "could not give back an account's reset mail", db.UncountAccountMail(bg, req.Login, day))
			}
			if boxed == nil {
				logFailure(ctx, "could not give back an address's mail", db.UncountMailbox(bg, req.Email, day))
			}
			if linked == nil {
				logFailure(ctx, "could not remove an unsent reset link", db.DeleteResetLink(bg, h))
			}
		}
		switch {
		case read == nil && req.Dead(acct.Epoch), errors.Is(read, store.ErrNotFound):
			undo()
			return nil, resetGone()
		case errors.Is(counted, store.ErrQuotaFull):
			undo()
			return nil, api.QuotaExceeded(fmt.Sprintf("该账号今日已发送%d封找回密码邮件，请查收邮箱（含垃圾邮件箱）或改用短信验证", MailsPerAccountDay),
				clock.SecondsUntil(now, clock.NextDay(now)))
		case errors.Is(boxed, store.ErrQuotaFull):
			undo()
			return nil, mailboxFull(now)
		case counted != nil || boxed != nil || linked != nil || read != nil:
			undo()
			return nil, errors.Join(counted, boxed, linked, read)
		}
		link := linkBase + "?token=" + url.QueryEscape(tok)
		if err := mail.SendMail(ctx, notify.ResetMail(req.Email, req.Name, link, int(LinkTTL/time.Hour))); err != nil {
			undo() // the link is gone: a mail that arrived after all opens nothing
			return nil, api.Unavailable("邮件发送失败，请稍后重试或改用短信验证", 30, err)
		}
		metrics.CountBy(ctx, metrics.CodesSent, metrics.Channel, "email")
		return api.JSON(http.StatusAccepted, mailed{ExpiresIn: int(LinkTTL / time.Second)}), nil
	}
}

// mailboxFull refuses a mail to an address that has had the day's (notify.MailsPerMailboxDay).
func mailboxFull(now time.Time) error {
	return api.QuotaExceeded(fmt.Sprintf("该邮箱今日已收到%d封验证邮件，请明天再试或改用短信验证", notify.MailsPerMailboxDay),
		clock.SecondsUntil(now, clock.NextDay(now)))
}

func logFailure(ctx context.Context, what string, err error) {
	if err != nil {
		slog.ErrorContext(ctx, what, slog.String("err", err.Error()))
	}
}

// NewSMS answers POST /v1/password-resets/{resetId}/sms: a code to the registered mobile,
// under the same rules and daily quota as registration codes (the mobile's three a day are
// also the account's), and none from a reset ended or made before the password last changed.
// Two round trips: the counters, with the reset and its account read alongside (the counts
// given back when the reset is dead); the code. The id carries the mobile (store.NewResetID).
func NewSMS(db SMSStore, sms notify.SMS, operators notify.Publisher, limits smscode.Limits, clk clock.Clock, pepper []byte) api.HandlerFunc {
	codes := smscode.NewIssuer(db, sms, operators, limits, clk, pepper)
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		id, err := resetID(r)
		if err != nil {
			return nil, err
		}
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		now := clk.Now()
		req, sealed := db.OpenResetID(id)
		switch {
		case !sealed:
			// An id issued before the seal (for its 30 minutes after the deploy): the reset is
			// read first, to know its mobile.
			req, err = db.GetReset(ctx, id, now)
			if errors.Is(err, store.ErrNotFound) {
				return nil, resetGone()
			}
			if err != nil {
				return nil, err
			}
		case req.ExpiresAt <= now.Unix():
			return nil, resetGone()
		}
		if req.Phone == "" {
			return nil, api.NotFound("该账号未留存手机号码，请改用邮件找回密码")
		}
		// The reset and its account are read with the counts: a reset completed, or made
		// before the password last changed, sends nothing, and its counts are given back.
		live := func(ctx context.Context) error {
			err := db.ResetHolds(ctx, req, now)
			if errors.Is(err, store.ErrNotFound) {
				return resetGone()
			}
			return err
		}
		remaining, err := codes.Send(ctx, ResetKey(id), req.Phone, r.Source(), notify.ResetCodeSMS,
			smscode.Owner{Login: req.Login, Epoch: req.Epoch}, live)
		if err != nil {
			return nil, err
		}
		return smscode.SentAnswer(remaining), nil
	}
}

type completeRequest struct {
	Token   string `json:"token"`
	ResetID string `json:"resetId"`
	SMSCode string `json:"smsCode"`
	// Account and WechatCode: a reset code asked in the service account by the account's
	// bound WeChat user (找回密码), with the account it is for.
	Account            string `json:"account"`
	WechatCode         string `json:"wechatCode"`
	NewPassword        string `json:"newPassword"`
	NewPasswordConfirm string `json:"newPasswordConfirm"`
}

// check applies every field rule before any proof is looked at, so a refused form (422)
// leaves the link or code as usable as it was.
func (in *completeRequest) check() error {
	ways := 0
	for _, given := range []bool{in.Token != "", in.ResetID != "" || in.SMSCode != "", in.Account != "" || in.WechatCode != ""} {
		if given {
			ways++
		}
	}
	switch {
	case ways > 1:
		return api.BadRequest("请只使用一种方式：邮件链接，短信验证码，或微信验证码")
	case ways == 0:
		return api.InvalidField("token", "请通过邮件中的链接、短信验证码或微信验证码重置密码")
	}
	if in.ResetID != "" || in.SMSCode != "" {
		if err := smscode.CheckFormat("smsCode", in.SMSCode); err != nil {
			return err
		}
	}
	if in.Account != "" || in.WechatCode != "" {
		if in.Account == "" || len(in.Account) > 64 {
			return api.InvalidField("account", "请输入账号（证件号码）")
		}
		if err := smscode.CheckFormat("wechatCode", in.WechatCode); err != nil {
			return err
		}
	}
	if err := identity.CheckPassword(in.NewPassword); err != nil {
		return api.Invalid("newPassword", err)
	}
	if in.NewPasswordConfirm != in.NewPassword {
		return api.InvalidField("newPasswordConfirm", "两次输入的新密码不一致")
	}
	return nil
}

// NewComplete answers POST /v1/password-resets/complete. Two round trips (the link's read or
// the code's counted try, then the transaction) and one Argon2id hash. A reset by a code
// asked in WeChat is told to the account's contacts (the account read with the code's try,
// the day's notice counted with the transaction): the binding needed only the password, and
// its holder may not be the account's.
func NewComplete(db CompleteStore, sms notify.SMS, mail notify.Mailer, clk clock.Clock, pepper []byte) api.HandlerFunc {
	codes := smscode.NewChecker(db, clk, pepper)
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		var in completeRequest
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		if err := in.check(); err != nil {
			return nil, err
		}
		now := clk.Now()
		var c store.Completion
		var code store.Code
		var holder account.Account // for a reset by WeChat, to be told
		if in.Token != "" {
			if len(in.Token) > 128 {
				return nil, linkInvalid()
			}
			c.LinkHash = linkHash(in.Token)
			link, err := db.GetResetLink(ctx, c.LinkHash, now)
			if errors.Is(err, store.ErrNotFound) {
				return nil, linkInvalid()
			}
			if err != nil {
				return nil, err
			}
			c.Login, c.Epoch, c.ResetID = link.Login, link.Epoch, link.ResetID
		} else if in.WechatCode != "" {
			login := strings.ToUpper(strings.TrimSpace(in.Account))
			c.Code = smscode.WechatResetKey(login)
			var err, readErr error
			store.SendTogether(ctx,
				func(ctx context.Context) { code, err = codes.Check(ctx, c.Code, in.WechatCode) },
				func(ctx context.Context) { holder, readErr = db.GetAccount(ctx, login) })
			var used *smscode.UsedError
			if errors.As(err, &used) {
				return nil, api.CodeInvalid("微信验证码已使用，请在公众号重新获取")
			}
			if err != nil {
				return nil, err
			}
			if readErr != nil && !errors.Is(readErr, store.ErrNotFound) {
				codes.GiveBackIfBusy(ctx, c.Code, code, readErr)
				return nil, readErr
			}
			c.Login, c.Epoch, c.WechatUser, c.CodeHash = code.Login, code.Epoch, code.WechatUser, code.Hash
		} else {
			if len(in.ResetID) > maxResetIDLength {
				return nil, smscode.Refused()
			}
			c.ResetID, c.Code = in.ResetID, ResetKey(in.ResetID)
			var err error
			code, err = codes.Check(ctx, c.Code, in.SMSCode)
			var used *smscode.UsedError
			if errors.As(err, &used) {
				return nil, api.CodeInvalid("短信验证码已使用，请重新获取")
			}
			if err != nil {
				return nil, err
			}
			c.Login, c.Epoch, c.CodeHash = code.Login, code.Epoch, code.Hash
		}
		hash, err := password.Hash(in.NewPassword)
		if err != nil {
			return nil, err
		}
		c.PasswordHash = hash
		complete := func(ctx context.Context) error { return db.CompleteReset(ctx, c, now) }
		var notice *notify.Allowance
		if in.WechatCode != "" {
			notice, err = notify.AllowWith(ctx, db, c.Login, now, complete)
		} else {
			err = complete(ctx)
		}
		switch {
		case errors.Is(err, reset.ErrEpochMoved), errors.Is(err, reset.ErrProofSpent),
			errors.Is(err, store.ErrCodeSpent), errors.Is(err, store.ErrNotFound):
			switch {
			case c.LinkHash != "":
				return nil, linkInvalid()
			case in.WechatCode != "":
				return nil, api.CodeInvalid("微信验证码已失效（密码已被重置或微信绑定已变化），请在公众号重新获取")
			}
			return nil, api.CodeInvalid("短信验证码已失效（密码已被重置或找回密码申请已过期），请重新开始")
		case err != nil:
			if c.LinkHash == "" {
				codes.GiveBackIfBusy(ctx, c.Code, code, err)
			}
			return nil, err
		}
		if notice != nil {
			notice.Tell(ctx, sms, mail, holder, notify.PasswordResetByWechatText())
		}
		return api.NoContent(), nil
	}
}

func linkInvalid() error {
	return api.CodeInvalid("重置链接无效、已使用或已过期（24小时内有效），请重新申请找回密码")
}
