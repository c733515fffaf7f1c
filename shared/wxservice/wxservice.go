// Package wxservice is what the service account (中国教师资格网服务号) does with the messages
// WeChat pushes to it: 取验证码 (a registration code for a document number, for applicants
// whose SMS does not arrive), binding a WeChat user to an account with a code from the site,
// and 找回密码 (a reset code for the bound account). Every answer is a passive reply, within
// WeChat's five seconds.
package wxservice

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
	"github.com/jszg/applicant-accounts/shared/wechat"
)

// The keys of the service account's menu (configured in its menu, CLICK buttons).
const (
	KeyGetCode       = "GET_CODE"
	KeyResetPassword = "RESET_PASSWORD"
)

// Limits of the WeChat ways, as the SMS ones.
const (
	AwaitFor     = 5 * time.Minute // the document number is awaited this long after 取验证码
	CodesPerDay  = 3               // per document number, and per WeChat user
	ResetsPerDay = 3               // reset codes per account
	BindCodeTTL  = 10 * time.Minute
	// BindCodeDigits: a binding code is a secret whose guess binds an attacker's WeChat to a
	// victim's account, and every live code is a target; ten digits, and BindTriesPerDay
	// codes a day per WeChat user, make a hit cost about a hundred thousand WeChat accounts
	// a day at ten thousand live codes.
	BindCodeDigits  = 10
	BindTriesPerDay = 10
	awaitedDocument = "document"
)

// Store keeps what the service account needs.
type Store interface {
	SeeWechatMessage(ctx context.Context, msgID, nonce string, now time.Time) (bool, error)
	AwaitWechat(ctx context.Context, user, what string, until time.Time) error
	TakeWechatAwait(ctx context.Context, user string, now time.Time) (string, error)
	CountWechatCode(ctx context.Context, login, user, day string, max int, expires time.Time) error
	CountWechatReset(ctx context.Context, login, day string, max int, expires time.Time) error
	UncountWechatReset(ctx context.Context, login, day string) error
	PutCode(ctx context.Context, k store.CodeKey, c store.Code) error
	UncountWechatCode(ctx context.Context, login, user, day string) error
	WechatBindCode(ctx context.Context, hash string, now time.Time) (string, int64, error)
	CountWechatBindTry(ctx context.Context, user, day string, max int, expires time.Time) error
	UncountWechatBindTry(ctx context.Context, user, day string) error
	BindWechat(ctx context.Context, hash, login string, epoch int64, user string, now time.Time) error
	WechatBinding(ctx context.Context, user string) (string, error)
	DropWechatBinding(ctx context.Context, user, login string) error
	GetAccount(ctx context.Context, login string) (account.Account, error)
}

// UserKey is how a WeChat user is known in the table: a keyed hash of the OpenID.
func UserKey(pepper []byte, openID string) string {
	return hex.EncodeToString(token.Keyed(pepper, "wechat-user", openID))
}

// BindHash is how a binding code is kept.
func BindHash(pepper []byte, code string) string {
	return hex.EncodeToString(token.Keyed(pepper, "wechat-bind", code))
}

type service struct {
	db     Store
	cfg    wechat.Config
	clock  clock.Clock
	pepper []byte
}

// NewCallback answers GET and POST /v1/wechat/callback: the URL check, and every pushed
// message, each handled once.
func NewCallback(db Store, cfg wechat.Config, clk clock.Clock, pepper []byte) api.HandlerFunc {
	s := &service{db: db, cfg: cfg, clock: clk, pepper: pepper}
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		now := clk.Now()
		if r.Event.RequestContext.HTTP.Method == http.MethodGet {
			if err := cfg.CheckURL(r.Query("signature"), r.Query("timestamp"), r.Query("nonce"), now); err != nil {
				return nil, notWeChat()
			}
			return api.Plain(http.StatusOK, "text/plain; charset=utf-8", r.Query("echostr")), nil
		}
		q := wechat.Query{Signature: r.Query("signature"), Timestamp: r.Query("timestamp"), Nonce: r.Query("nonce"),
			EncryptType: r.Query("encrypt_type"), MsgSignature: r.Query("msg_signature")}
		m, err := cfg.Open(q, r.Body, now)
		if err != nil {
			return nil, notWeChat()
		}
		see := func(ctx context.Context) (bool, error) {
			return db.SeeWechatMessage(ctx, m.ID(), q.Timestamp+"#"+q.Nonce, now)
		}
		text, err := s.handle(ctx, m, see, now)
		if err != nil {
			return nil, err // the replay marks unwritten: WeChat retries, and the retry is then handled
		}
		if text == "" {
			return api.Plain(http.StatusOK, "text/plain; charset=utf-8", "success"), nil
		}
		reply, err := cfg.Reply(m, text, now)
		if err != nil {
			return nil, err
		}
		return api.Plain(http.StatusOK, "application/xml; charset=utf-8", reply), nil
	}
}

func notWeChat() error {
	return &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden, Message: "签名无效或请求已过期"}
}

const (
	textBusy    = "系统繁忙，请稍后再试。"
	textWelcome = "欢迎关注中国教师资格网。\n注册时收不到短信验证码：点击下方菜单“取验证码”，按提示回复证件号码。\n忘记密码：先在网站“账号设置—绑定微信”获取绑定码并发送到本公众号，之后可点击“找回密码”。"
)

// handle is the reply to m ("" for none). The message's replay marks (see) go out with its
// first step (opened): a message WeChat delivered before gets what that step spent given
// back and "", answered "success"; when the marks could not be written, the same, and their
// error (a 5xx, which WeChat retries). Any other failure of ours is logged and answered as
// busy, never as a 5xx whose retry the marks would swallow.
func (s *service) handle(ctx context.Context, m wechat.Message, see seer, now time.Time) (string, error) {
	user := UserKey(s.pepper, m.FromUserName)
	var text string
	var err error
	switch {
	case m.MsgType == "event" && (m.Event == "SCAN" || m.Event == "subscribe") && scannedBindCode(m) != "":
		text, err = s.bind(ctx, see, user, scannedBindCode(m), now)
	case m.MsgType == "event" && m.Event == "CLICK" && m.EventKey == KeyGetCode:
		text, err = s.askDocument(ctx, see, user, now)
	case m.MsgType == "event" && m.Event == "CLICK" && m.EventKey == KeyResetPassword:
		text, err = s.resetCode(ctx, see, user, now)
	case m.MsgType == "event" && m.Event != "subscribe":
		err = opened(ctx, see)
	case m.MsgType == "text":
		text, err = s.text(ctx, see, user, strings.TrimSpace(m.Content), now)
	default: // a subscription, and messages of other kinds
		text, err = textWelcome, opened(ctx, see)
	}
	switch {
	case errors.Is(err, errReplay):
		return "", nil
	case errors.Is(err, errUnmarked):
		return "", err
	case err != nil:
		slog.ErrorContext(ctx, "wechat message not handled", slog.String("msgType", m.MsgType), slog.String("err", err.Error()))
		return textBusy, nil
	}
	return text, nil
}

// seer writes a message's replay marks: false when the message was seen before (WeChat
// retries a message it got no answer to in time; a captured query may be replayed).
type seer func(ctx context.Context) (bool, error)

var (
	errReplay   = errors.New("wxservice: a message seen before")
	errUnmarked = errors.New("wxservice: the message's replay marks were not written")
)

// opened sends the message's replay marks together with steps, the message's first round
// trip: nil when the message is new, errReplay when it was seen before, errUnmarked when the
// marks failed. On an error the caller gives back what steps spent.
func opened(ctx context.Context, see seer, steps ...func(context.Context)) error {
	var fresh bool
	var err error
	store.SendTogether(ctx, append(steps, func(ctx context.Context) { fresh, err = see(ctx) })...)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %w", errUnmarked, err)
	case !fresh:
		return errReplay
	}
	return nil
}

// giveBack sends the undo calls together, as one round trip, after the ones they undo.
func giveBack(ctx context.Context, undo ...func(context.Context)) {
	store.SendTogether(context.WithoutCancel(ctx), undo...)
}

func (s *service) askDocument(ctx context.Context, see seer, user string, now time.Time) (string, error) {
	var awaitErr error
	// A message seen before puts the same wait again: nothing to give back.
	err := opened(ctx, see, func(ctx context.Context) { awaitErr = s.db.AwaitWechat(ctx, user, awaitedDocument, now.Add(AwaitFor)) })
	if err = cmp.Or(err, awaitErr); err != nil {
		return "", err
	}
	return "请在5分钟内回复您的证件号码（居民身份证、港澳台居民居住证为18位；港澳居民来往内地通行证为H或M加8位数字，不含换证次数；台湾居民来往大陆通行证为8位数字）。", nil
}

var bindCode = regexp.MustCompile(`^(?:绑定)?\s*(\d{10})$`)

// scannedBindCode is the binding code of a scanned QR code's event, or "".
func scannedBindCode(m wechat.Message) string {
	code, ok := strings.CutPrefix(strings.TrimPrefix(m.EventKey, "qrscene_"), "bind:")
	if !ok || len(code) != BindCodeDigits {
		return ""
	}
	return code
}

// text answers a typed message: a binding code (ten digits, which no document number is),
// or the document number 取验证码 awaits. A number's codes of the day are counted with the
// wait's take, in the message's first round trip, and given back when no number was awaited.
func (s *service) text(ctx context.Context, see seer, user, content string, now time.Time) (string, error) {
	if c := bindCode.FindStringSubmatch(content); c != nil {
		return s.bind(ctx, see, user, c[1], now)
	}
	login, docErr := documentOf(content, now.In(clock.CST))
	day := clock.Day(now)
	var awaited string
	var takeErr, countErr error
	steps := []func(context.Context){func(ctx context.Context) { awaited, takeErr = s.db.TakeWechatAwait(ctx, user, now) }}
	if docErr == nil {
		steps = append(steps, func(ctx context.Context) {
			countErr = s.db.CountWechatCode(ctx, login, user, day, CodesPerDay, clock.NextDay(now).Add(24*time.Hour))
		})
	}
	err := opened(ctx, see, steps...)
	if err != nil || takeErr != nil || awaited != awaitedDocument {
		// No code: the day's count goes back, and a wait that a message seen before took is
		// put back.
		var undo []func(context.Context)
		if docErr == nil && countErr == nil {
			undo = append(undo, func(ctx context.Context) {
				if err := s.db.UncountWechatCode(ctx, login, user, day); err != nil {
					slog.WarnContext(ctx, "could not give back a WeChat code's count", slog.String("err", err.Error()))
				}
			})
		}
		if err != nil && awaited != "" {
			undo = append(undo, func(ctx context.Context) {
				if err := s.db.AwaitWechat(ctx, user, awaited, now.Add(AwaitFor)); err != nil {
					slog.WarnContext(ctx, "could not give back a wait", slog.String("err", err.Error()))
				}
			})
		}
		giveBack(ctx, undo...)
		switch {
		case err != nil:
			return "", err
		case takeErr != nil:
			return "", takeErr
		}
		return textWelcome, nil
	}
	if docErr != nil {
		// The number was mistyped: wait for it again.
		if err := s.db.AwaitWechat(ctx, user, awaitedDocument, now.Add(AwaitFor)); err != nil {
			return "", err
		}
		return docErr.Error() + "。请重新回复证件号码。", nil
	}
	switch {
	case errors.Is(countErr, store.ErrQuotaFull):
		return fmt.Sprintf("该证件号码或您的微信今日已获取%d次验证码，请明天再试。", CodesPerDay), nil
	case countErr != nil:
		return "", countErr
	}
	code, err := s.put(ctx, smscode.WechatRegisterKey(login), store.Code{Expires: now.Add(smscode.TTL)})
	if err != nil {
		return "", err
	}
	metrics.CountBy(ctx, metrics.CodesSent, metrics.Channel, "wechat")
	return fmt.Sprintf("您的注册验证码为%s，仅用于证件号码%s的注册，%d分钟内有效。请在注册页选择“微信验证码”填写；切勿告诉他人。",
		code, identity.MaskDocumentNumber(login), int(smscode.TTL/time.Minute)), nil
}

// documentOf reads a document number typed in a chat: its type follows from its form.
func documentOf(raw string, today time.Time) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	var t identity.IDType
	switch {
	case len(s) == 18 && (strings.HasPrefix(s, "810000") || strings.HasPrefix(s, "820000") || strings.HasPrefix(s, "830000")):
		t = identity.HMTResidencePermit
	case len(s) == 18:
		t = identity.ResidentID
	case strings.HasPrefix(s, "H") || strings.HasPrefix(s, "M"):
		t = identity.HKMacauPermit
	default:
		t = identity.TaiwanPermit
	}
	_, login, err := identity.CheckDocument(string(t), s, today)
	if err != nil {
		var fe *identity.FieldError
		if errors.As(err, &fe) {
			return "", fe.Err
		}
		return "", err
	}
	return login, nil
}

// put keeps a new code under k (replacing an older one) and returns it.
func (s *service) put(ctx context.Context, k store.CodeKey, c store.Code) (string, error) {
	code := token.Digits(smscode.Length)
	hash, err := smscode.HashCode(s.pepper, k, code)
	if err != nil {
		return "", err
	}
	c.Hash = hash
	return code, s.db.PutCode(ctx, k, c)
}

// bind binds user with a binding code. The day's try is counted together with the code's
// read, which spends nothing: the read is used only when the try was counted (so the limit
// still comes before the secret), and the code is taken with the binding, in one transaction,
// while a right code's try goes back.
func (s *service) bind(ctx context.Context, see seer, user, code string, now time.Time) (string, error) {
	day := clock.Day(now)
	hash := BindHash(s.pepper, code)
	var login string
	var epoch int64
	var countErr, readErr error
	err := opened(ctx, see,
		func(ctx context.Context) {
			countErr = s.db.CountWechatBindTry(ctx, user, day, BindTriesPerDay, clock.NextDay(now).Add(24*time.Hour))
		},
		func(ctx context.Context) { login, epoch, readErr = s.db.WechatBindCode(ctx, hash, now) })
	giveBackTry := func(ctx context.Context) {
		if err := s.db.UncountWechatBindTry(ctx, user, day); err != nil {
			slog.WarnContext(ctx, "could not give back a binding code's try", slog.String("err", err.Error()))
		}
	}
	if countErr == nil && (err != nil || (readErr != nil && !errors.Is(readErr, store.ErrNotFound))) {
		// Not tried: a message seen before, or a code that could not be read.
		giveBack(ctx, giveBackTry)
		if err == nil {
			err = readErr
		}
	}
	switch {
	case err != nil:
		return "", err
	case errors.Is(countErr, store.ErrQuotaFull):
		return "今日尝试绑定的次数过多，请明天再试。", nil
	case countErr != nil:
		return "", countErr
	case errors.Is(readErr, store.ErrNotFound):
		return textBindCodeInvalid, nil
	}
	var bound error
	store.SendTogether(ctx,
		func(ctx context.Context) { giveBackTry(context.WithoutCancel(ctx)) },
		func(ctx context.Context) { bound = s.db.BindWechat(ctx, hash, login, epoch, user, now) })
	switch err := bound; {
	case errors.Is(err, store.ErrNotFound): // taken meanwhile
		return textBindCodeInvalid, nil
	case errors.Is(err, store.ErrWechatUserBound):
		return "您的微信已绑定另一个账号。如需改绑，请先登录该账号解除绑定。", nil
	case errors.Is(err, store.ErrAccountBound):
		return "该账号已绑定其他微信。如需改绑，请先在网站解除绑定。", nil
	case errors.Is(err, store.ErrWechatBindingMoved):
		return "账号信息已变化，请在网站重新获取绑定码。", nil
	case err != nil:
		return "", err
	}
	return "绑定成功：您的微信已与账号" + identity.MaskDocumentNumber(login) + "绑定，忘记密码时可点击“找回密码”获取验证码。", nil
}

const textBindCodeInvalid = "绑定码无效或已过期（10分钟内有效），请在网站重新获取。"

// notBound is the reply to a user with no binding, or one whose account no longer names it.
const notBound = "您的微信尚未绑定账号。请登录网站，在“账号设置—绑定微信”获取绑定码，发送到本公众号完成绑定。若已无法登录，请在网站“忘记密码”用短信或邮件找回。"

func (s *service) resetCode(ctx context.Context, see seer, user string, now time.Time) (string, error) {
	var login string
	var bindingErr error
	// The binding's read spends nothing for a message seen before to give back.
	if err := opened(ctx, see, func(ctx context.Context) { login, bindingErr = s.db.WechatBinding(ctx, user) }); err != nil {
		return "", err
	}
	if errors.Is(bindingErr, store.ErrNotFound) {
		return notBound, nil
	}
	if bindingErr != nil {
		return "", bindingErr
	}
	// The account (its epoch goes into the code) is read with the day's count.
	day := clock.Day(now)
	var acct account.Account
	var readErr, countErr error
	store.SendTogether(ctx,
		func(ctx context.Context) { acct, readErr = s.db.GetAccount(ctx, login) },
		func(ctx context.Context) {
			countErr = s.db.CountWechatReset(ctx, login, day, ResetsPerDay, clock.NextDay(now).Add(24*time.Hour))
		})
	// The account must still name this user: an approved ownership claim takes the binding
	// from the squatter's account side, and the user's side left behind is no binding.
	stale := errors.Is(readErr, store.ErrNotFound) || (readErr == nil && acct.WechatUser != user)
	if readErr != nil || stale {
		// No code goes out: the day's count goes back, and a stale binding's side is dropped
		// at the same time.
		store.SendTogether(context.WithoutCancel(ctx),
			func(ctx context.Context) {
				if countErr != nil {
					return
				}
				if err := s.db.UncountWechatReset(ctx, login, day); err != nil {
					slog.WarnContext(ctx, "could not give back a WeChat reset's count", slog.String("err", err.Error()))
				}
			},
			func(ctx context.Context) {
				if !stale {
					return
				}
				if err := s.db.DropWechatBinding(ctx, user, login); err != nil {
					slog.WarnContext(ctx, "could not drop a binding its account no longer names", slog.String("err", err.Error()))
				}
			})
		if !stale {
			return "", readErr
		}
		return notBound, nil
	}
	switch err := countErr; {
	case errors.Is(err, store.ErrQuotaFull):
		return fmt.Sprintf("该账号今日已获取%d次找回密码验证码，请明天再试。", ResetsPerDay), nil
	case err != nil:
		return "", err
	}
	code, err := s.put(ctx, smscode.WechatResetKey(login), store.Code{Expires: now.Add(smscode.TTL), Login: acct.Login, Epoch: acct.Epoch})
	if err != nil {
		return "", err
	}
	metrics.CountBy(ctx, metrics.CodesSent, metrics.Channel, "wechat")
	return fmt.Sprintf("账号%s的找回密码验证码为%s，%d分钟内有效。请在网站“忘记密码”页选择“微信验证码”，填写证件号码、验证码和新密码；切勿告诉他人。",
		identity.MaskDocumentNumber(login), code, int(smscode.TTL/time.Minute)), nil
}

// ConfigFromEnv is the service account a function is deployed with: WECHAT_APP_ID,
// WECHAT_TOKEN and, in 安全模式, WECHAT_AES_KEY (the EncodingAESKey; "none" or empty in plain
// mode). A function without a
// token stops at start-up rather than taking every message as unsigned.
func ConfigFromEnv(getenv func(string) string) (wechat.Config, error) {
	c := wechat.Config{AppID: getenv("WECHAT_APP_ID"), Token: getenv("WECHAT_TOKEN")}
	if c.AppID == "" || len(c.Token) < 3 {
		return wechat.Config{}, errors.New("wxservice: WECHAT_APP_ID and WECHAT_TOKEN (3 to 32 characters) are required")
	}
	aesKey := getenv("WECHAT_AES_KEY")
	if aesKey == "none" { // the secret's value until the account is switched to 安全模式
		aesKey = ""
	}
	key, err := wechat.DecodeAESKey(aesKey)
	if err != nil {
		return wechat.Config{}, err
	}
	c.AESKey = key
	return c, nil
}
