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

	"golang.org/x/text/unicode/norm"

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

// Store keeps what the service account needs. Each message's first writes carry its replay
// marks, in one transaction (store.WechatMessage).
type Store interface {
	OpenWechatMessage(ctx context.Context, m store.WechatMessage, now time.Time) error
	AwaitWechat(ctx context.Context, m store.WechatMessage, user, what string, now, until time.Time) error
	KeepWechatAwait(ctx context.Context, m store.WechatMessage, user, what string, now, until time.Time) error
	TakeWechatAwait(ctx context.Context, m store.WechatMessage, user, what, login string, now time.Time, c store.WechatCode) error
	WechatAwait(ctx context.Context, user string, now time.Time) (string, error)
	IssueWechatReset(ctx context.Context, c store.WechatCode) error
	WechatBindCode(ctx context.Context, hash string, now time.Time) (string, int64, error)
	CountWechatBindTry(ctx context.Context, m store.WechatMessage, user, day string, max int, now, expires time.Time) error
	UncountWechatBindTry(ctx context.Context, user, day string) error
	BindWechat(ctx context.Context, hash, login string, epoch int64, user, stale string, now time.Time) error
	WechatBinding(ctx context.Context, user string) (string, error)
	DropWechatBinding(ctx context.Context, user, login string) error
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
		msg := store.WechatMessage{ID: m.ID()}
		if cfg.AESKey == nil { // plain mode: the signature covers the query, not the message
			msg.Nonce = q.Timestamp + "#" + q.Nonce
		}
		text, err := s.handle(ctx, m, msg, now)
		if err != nil {
			return nil, err // nothing written, the replay marks neither: WeChat retries, and the retry is handled
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
	textBusy = "系统繁忙，请稍后再试。"
	// textNoPlainReset answers 找回密码 in plain mode (明文模式), whose signature covers the
	// query and not the message: a query copied from a log could carry another user's
	// 找回密码 and get that user's code in its answer.
	textNoPlainReset = "本公众号暂不能通过微信找回密码，请在网站“忘记密码”用短信或邮件找回。"
	// textSeen answers a message delivered again: WeChat delivers again only a message whose
	// answer did not reach it, so the user saw nothing of the first.
	textSeen    = "您的上一条消息已收到。如未看到回复：取验证码请重新点击菜单“取验证码”后回复证件号码；找回密码请重新点击“找回密码”；绑定请重新发送绑定码。"
	textWelcome = "欢迎关注中国教师资格网。\n注册时收不到短信验证码：点击下方菜单“取验证码”，按提示回复证件号码。\n忘记密码：先在网站“账号设置—绑定微信”获取绑定码并发送到本公众号，之后可点击“找回密码”。"
)

// handle is the reply to m ("" for none). The message's first writes go with its replay
// marks, in one transaction: a message seen before writes nothing and is answered textSeen
// (never a code); when that transaction fails the error is returned (a 5xx: WeChat may
// deliver the message again, which is then handled, or told textSeen if the write had been
// made after all). Any later failure of ours is logged and answered as busy, never
// as a 5xx whose retry the marks would swallow.
func (s *service) handle(ctx context.Context, m wechat.Message, msg store.WechatMessage, now time.Time) (string, error) {
	user := UserKey(s.pepper, m.FromUserName)
	var text string
	var err error
	switch {
	case m.MsgType == "event" && (m.Event == "SCAN" || m.Event == "subscribe") && scannedBindCode(m) != "":
		text, err = s.bind(ctx, msg, user, scannedBindCode(m), "", now)
	case m.MsgType == "event" && m.Event == "CLICK" && m.EventKey == KeyGetCode:
		text, err = s.askDocument(ctx, msg, user, now)
	case m.MsgType == "event" && m.Event == "CLICK" && m.EventKey == KeyResetPassword:
		text, err = s.resetCode(ctx, msg, user, now)
	case m.MsgType == "event" && m.Event != "subscribe": // no reply, delivered again or not
		if err = opening(s.db.OpenWechatMessage(ctx, msg, now)); errors.Is(err, store.ErrWechatSeen) {
			err = nil
		}
	case m.MsgType == "text":
		text, err = s.text(ctx, msg, user, strings.TrimSpace(m.Content), now)
	default: // a subscription, and messages of other kinds
		text, err = textWelcome, opening(s.db.OpenWechatMessage(ctx, msg, now))
	}
	switch {
	case errors.Is(err, store.ErrWechatSeen):
		return textSeen, nil
	case errors.Is(err, errUnopened):
		return "", err
	case err != nil:
		slog.ErrorContext(ctx, "wechat message not handled", slog.String("msgType", m.MsgType), slog.String("err", err.Error()))
		return textBusy, nil
	}
	return text, nil
}

var errUnopened = errors.New("wxservice: the message's first writes failed")

// opening reads the error of a message's first writes (its replay marks with them): a
// refusal is the store's, to be answered; any other error is answered with a 5xx, and the
// marks, written or not (a lost reply), go with whatever was.
func opening(err error) error {
	switch {
	case err == nil, errors.Is(err, store.ErrWechatSeen), errors.Is(err, store.ErrNotAwaited), errors.Is(err, store.ErrQuotaFull):
		return err
	}
	return fmt.Errorf("%w: %w", errUnopened, err)
}

func (s *service) askDocument(ctx context.Context, msg store.WechatMessage, user string, now time.Time) (string, error) {
	if err := opening(s.db.AwaitWechat(ctx, msg, user, awaitedDocument, now, now.Add(AwaitFor))); err != nil {
		return "", err
	}
	return "请在5分钟内回复您的证件号码（居民身份证、港澳台居民居住证为18位；港澳居民来往内地通行证为H或M加8位数字，不含换证次数；台湾居民来往大陆通行证为8位数字）。", nil
}

// bindCode is a typed binding code, as typed forms are read (bindForm); ten digits alone may
// also be a Taiwan permit number typed with its two renewal digits.
var bindCode = regexp.MustCompile(`^((?:绑|綁)定(?:码|碼)?)?:?(\d{10})$`)

// bindForm is content as bindCode reads it: NFKC (full-width digits and colons as ASCII),
// without spaces or a closing full stop.
func bindForm(content string) string {
	s := strings.Join(strings.Fields(norm.NFKC.String(content)), "")
	return strings.TrimRight(s, "。.")
}

// scannedBindCode is the binding code of a scanned QR code's event, or "".
func scannedBindCode(m wechat.Message) string {
	code, ok := strings.CutPrefix(strings.TrimPrefix(m.EventKey, "qrscene_"), "bind:")
	if !ok || len(code) != BindCodeDigits {
		return ""
	}
	return code
}

// text answers a typed message: a binding code, or the document number 取验证码 awaits.
func (s *service) text(ctx context.Context, msg store.WechatMessage, user, content string, now time.Time) (string, error) {
	if c := bindCode.FindStringSubmatch(bindForm(content)); c != nil {
		number := ""
		if c[1] == "" {
			number = c[2] // ten digits alone: a number, if one is awaited
		}
		return s.bind(ctx, msg, user, c[2], number, now)
	}
	login, docErr := documentOf(content, now.In(clock.CST))
	if docErr != nil {
		// Mistyped while a number is awaited: the wait is kept for it.
		switch err := opening(s.db.KeepWechatAwait(ctx, msg, user, awaitedDocument, now, now.Add(AwaitFor))); {
		case errors.Is(err, store.ErrNotAwaited):
			return s.refused(ctx, msg, now, textWelcome)
		case err != nil:
			return "", err
		}
		return retype(docErr), nil
	}
	code, c, err := s.newCode(smscode.WechatRegisterKey(login), store.Code{Expires: now.Add(smscode.TTL)}, CodesPerDay, now)
	if err != nil {
		return "", err
	}
	switch err := opening(s.db.TakeWechatAwait(ctx, msg, user, awaitedDocument, login, now, c)); {
	case errors.Is(err, store.ErrNotAwaited):
		return s.refused(ctx, msg, now, textWelcome)
	case errors.Is(err, store.ErrQuotaFull):
		return s.refused(ctx, msg, now, fmt.Sprintf("该证件号码或您的微信今日已获取%d次验证码，请明天再试。", CodesPerDay))
	case err != nil:
		return "", err
	}
	metrics.CountBy(ctx, metrics.CodesSent, metrics.Channel, "wechat")
	return fmt.Sprintf("您的注册验证码为%s，仅用于证件号码%s的注册，%d分钟内有效。请在注册页选择“微信验证码”填写；切勿告诉他人。",
		code, identity.MaskDocumentNumber(login), int(smscode.TTL/time.Minute)), nil
}

// refused answers a message whose first writes were refused, and so wrote nothing, with its
// replay marks written alone: a query is taken once, whatever it carried (in plain mode its
// signature does not cover the body, and a captured query could carry another).
func (s *service) refused(ctx context.Context, msg store.WechatMessage, now time.Time, answer string) (string, error) {
	if err := opening(s.db.OpenWechatMessage(ctx, msg, now)); err != nil {
		return "", err
	}
	return answer, nil
}

// retype is the answer to a mistyped document number.
func retype(err error) string { return err.Error() + "。请重新回复证件号码。" }

// documentOf reads a document number typed in a chat: its type follows from its form.
func documentOf(raw string, today time.Time) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(raw), "。.")))
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

// newCode draws a code to keep under k as c, counted on its CST day against max; it returns
// the code, which only the reply carries.
func (s *service) newCode(k store.CodeKey, c store.Code, max int, now time.Time) (string, store.WechatCode, error) {
	code := token.Digits(smscode.Length)
	hash, err := smscode.HashCode(s.pepper, k, code)
	if err != nil {
		return "", store.WechatCode{}, err
	}
	c.Hash = hash
	return code, store.WechatCode{Key: k, Code: c, Day: clock.Day(now), Max: max, CountExpires: clock.NextDay(now).Add(24 * time.Hour)}, nil
}

// bind binds user with a binding code. The day's try is counted with the message's marks,
// and the code read in the same round trip; the read spends nothing and its answer is used
// only when the try was counted, so the limit still comes before the secret. The code is
// taken in the binding's own transaction, while a right code's try goes back. number is the
// text when it was ten digits alone: while a document number is awaited, a code that is no
// live binding code is answered as a number (a Taiwan permit typed with its renewal digits),
// its try counted all the same.
func (s *service) bind(ctx context.Context, msg store.WechatMessage, user, code, number string, now time.Time) (string, error) {
	day := clock.Day(now)
	hash := BindHash(s.pepper, code)
	var login, awaited, boundTo string
	var epoch int64
	var countErr, readErr, awaitErr, sideErr error
	store.SendTogether(ctx,
		func(ctx context.Context) {
			countErr = opening(s.db.CountWechatBindTry(ctx, msg, user, day, BindTriesPerDay, now, clock.NextDay(now).Add(24*time.Hour)))
		},
		func(ctx context.Context) { login, epoch, readErr = s.db.WechatBindCode(ctx, hash, now) },
		// The account the user's side names, which the binding replaces if that account no
		// longer names the user (a reset by its mobile or mailbox removed its side).
		func(ctx context.Context) {
			if boundTo, sideErr = s.db.WechatBinding(ctx, user); errors.Is(sideErr, store.ErrNotFound) {
				sideErr = nil
			}
		},
		func(ctx context.Context) {
			if number != "" {
				awaited, awaitErr = s.db.WechatAwait(ctx, user, now)
			}
		})
	giveBackTry := func(ctx context.Context) {
		if err := s.db.UncountWechatBindTry(ctx, user, day); err != nil {
			slog.WarnContext(ctx, "could not give back a binding code's try", slog.String("err", err.Error()))
		}
	}
	asNumber := func() string {
		_, err := documentOf(number, now.In(clock.CST))
		return retype(err)
	}
	numberAwaited := awaitErr == nil && awaited == awaitedDocument
	switch {
	case errors.Is(countErr, store.ErrWechatSeen), errors.Is(countErr, errUnopened):
		return "", countErr
	case errors.Is(countErr, store.ErrQuotaFull) && numberAwaited:
		return s.refused(ctx, msg, now, asNumber())
	case errors.Is(countErr, store.ErrQuotaFull):
		return s.refused(ctx, msg, now, "今日尝试绑定的次数过多，请明天再试。")
	case countErr != nil:
		return "", countErr
	case awaitErr != nil || sideErr != nil || (readErr != nil && !errors.Is(readErr, store.ErrNotFound)):
		giveBackTry(context.WithoutCancel(ctx)) // not a try: nothing known
		return "", cmp.Or(awaitErr, sideErr, readErr)
	case errors.Is(readErr, store.ErrNotFound) && numberAwaited:
		return asNumber(), nil
	case errors.Is(readErr, store.ErrNotFound):
		return textBindCodeInvalid, nil
	}
	var bound error
	store.SendTogether(ctx,
		func(ctx context.Context) { giveBackTry(context.WithoutCancel(ctx)) },
		func(ctx context.Context) { bound = s.db.BindWechat(ctx, hash, login, epoch, user, boundTo, now) })
	switch err := bound; {
	case errors.Is(err, store.ErrNotFound): // taken meanwhile
		return textBindCodeInvalid, nil
	case errors.Is(err, store.ErrWechatUserBound):
		return "您的微信已绑定另一个账号。如需改绑，请先登录该账号解除绑定。", nil
	case errors.Is(err, store.ErrWechatAlreadyBound):
		return alreadyBoundTo(login), nil
	case errors.Is(err, store.ErrAccountBound):
		return "该账号已绑定其他微信。如需改绑，请先在网站解除绑定。", nil
	case errors.Is(err, store.ErrWechatBindingMoved):
		return "账号信息已变化，请在网站重新获取绑定码。", nil
	case err != nil:
		return "", err
	}
	return "绑定成功：您的微信已与账号" + identity.MaskDocumentNumber(login) + "绑定，忘记密码时可点击“找回密码”获取验证码。", nil
}

// alreadyBoundTo answers a live binding code from the user its account is bound to already.
func alreadyBoundTo(login string) string {
	return "您的微信已与账号" + identity.MaskDocumentNumber(login) + "绑定，无需再次绑定；忘记密码时可点击“找回密码”获取验证码。"
}

// textBindCodeInvalid answers a binding code unknown, used or past its time; one sent again
// after its binding (whose answer did not arrive) is used.
const textBindCodeInvalid = "绑定码无效或已过期（10分钟内有效），请在网站重新获取。如刚才已发送过该绑定码，可登录网站在“账号设置—绑定微信”查看是否已绑定。"

// notBound is the reply to a user with no binding, or one whose account no longer names it.
const notBound = "您的微信尚未绑定账号。请登录网站，在“账号设置—绑定微信”获取绑定码，发送到本公众号完成绑定。若已无法登录，请在网站“忘记密码”用短信或邮件找回。"

func (s *service) resetCode(ctx context.Context, msg store.WechatMessage, user string, now time.Time) (string, error) {
	if s.cfg.AESKey == nil {
		slog.WarnContext(ctx, "找回密码 refused: the service account is in plain mode")
		return s.refused(ctx, msg, now, textNoPlainReset)
	}
	var login string
	var openErr, bindingErr error
	// The binding is read with the message's marks: a read spends nothing.
	store.SendTogether(ctx,
		func(ctx context.Context) { openErr = opening(s.db.OpenWechatMessage(ctx, msg, now)) },
		func(ctx context.Context) { login, bindingErr = s.db.WechatBinding(ctx, user) })
	if openErr != nil {
		return "", openErr
	}
	if errors.Is(bindingErr, store.ErrNotFound) {
		return notBound, nil
	}
	if bindingErr != nil {
		return "", bindingErr
	}
	// The code, kept with the day's count while the account names this user, in one
	// transaction. The code holds by that user, not by the account's epoch: the binding is
	// what proves the holder, and another reset's completion deletes the code.
	code, c, err := s.newCode(smscode.WechatResetKey(login), store.Code{Expires: now.Add(smscode.TTL), Login: login, WechatUser: user}, ResetsPerDay, now)
	if err != nil {
		return "", err
	}
	switch err := s.db.IssueWechatReset(ctx, c); {
	case errors.Is(err, store.ErrQuotaFull):
		return fmt.Sprintf("该账号今日已获取%d次找回密码验证码，请明天再试。", ResetsPerDay), nil
	case errors.Is(err, store.ErrWechatBindingMoved):
		// The account no longer names this user: an approved ownership claim took the
		// binding from the squatter's account side, and the user's side left behind is no
		// binding.
		if err := s.db.DropWechatBinding(context.WithoutCancel(ctx), user, login); err != nil {
			slog.WarnContext(ctx, "could not drop a binding its account no longer names", slog.String("err", err.Error()))
		}
		return notBound, nil
	case err != nil:
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
