// Package localserver serves every HTTP route of template.yaml on one laptop: it builds the
// API Gateway payload 2.0 event AWS would send for each request and calls the same handler
// the route's function runs, in-process. Only the wiring differs from a deployment. It also
// serves the local-only routes of SPEC §4, which exist in no Lambda build.
package localserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/jszg/applicant-accounts/infra/samtemplate"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/correction"
	"github.com/jszg/applicant-accounts/shared/ethnicities"
	"github.com/jszg/applicant-accounts/shared/federation"
	"github.com/jszg/applicant-accounts/shared/idv"
	"github.com/jszg/applicant-accounts/shared/logincode"
	"github.com/jszg/applicant-accounts/shared/notice"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/quotareset"
	"github.com/jszg/applicant-accounts/shared/recovery"
	"github.com/jszg/applicant-accounts/shared/registration"
	"github.com/jszg/applicant-accounts/shared/review"
	"github.com/jszg/applicant-accounts/shared/reviewsla"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/sitetext"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
	"github.com/jszg/applicant-accounts/shared/upkeep"
	"github.com/jszg/applicant-accounts/shared/verification"
	"github.com/jszg/applicant-accounts/shared/wechat"
	"github.com/jszg/applicant-accounts/shared/wxservice"
)

// Deps are the parts the handlers are built from.
type Deps struct {
	WechatTokens     *wxservice.Tokens // the service account's token, from the in-process fake API
	Store            *store.Store
	Clock            clock.Clock
	SMS              notify.SMS
	Mail             notify.Mailer
	Outbox           *notify.Outbox // what SMS and Mail keep when they are not real senders
	ResetLinkBase    string
	GuideURL         string // the CTID guide's address (CTID_GUIDE_URL)
	Provider         idv.Provider
	Calendar         *clock.Calendar
	CursorSecret     []byte
	CodePepper       []byte
	Operators        notify.Publisher
	SlidersPerMinute int // per source address
	SMSLimits        smscode.Limits

	// Federation is the 教育部 unified login's provider (a local one unless configured).
	Federation *federation.Provider
}

// Handlers builds each function's handler with the same constructor its
// functions/<name>/main.go calls, keyed by that folder's name.
func Handlers(d *Deps) map[string]api.HandlerFunc {
	db, clk := d.Store, d.Clock
	return map[string]api.HandlerFunc{
		"create-captcha":          captcha.NewCreate(db, clk, d.SlidersPerMinute),
		"send-sms-code":           smscode.NewSend(db, d.SMS, d.Operators, d.SMSLimits, clk, d.CodePepper),
		"register-account":        registration.NewRegister(db, clk, d.CodePepper),
		"wechat-callback":         wxservice.NewCallback(db, LocalWechat, clk, d.CodePepper),
		"wechat-bind-code":        wxservice.NewBindCode(db, d.WechatTokens, d.SMS, d.Mail, clk, d.CodePepper),
		"wechat-unbind":           wxservice.NewUnbind(db, d.SMS, d.Mail, clk),
		"file-account-correction": correction.NewFile(db, d.SMS, d.Mail, clk, d.Calendar, d.CodePepper),
		"change-password":         upkeep.NewChangePassword(db, d.SMS, d.Mail, clk),
		"change-phone":            upkeep.NewChangePhone(db, d.SMS, d.Mail, clk, d.CodePepper),
		"send-email-code":         upkeep.NewSendEmailCode(db, d.Mail, clk, d.CodePepper),
		"change-email":            upkeep.NewChangeEmail(db, d.SMS, d.Mail, clk, d.CodePepper),
		"list-ethnicities":        ethnicities.Handle,
		"get-agreement":           sitetext.HandleAgreement,
		"get-verification-guide":  sitetext.NewVerificationGuide(d.GuideURL),
		"create-session":          session.NewLogin(db, d.Operators, clk),
		"delete-session":          session.NewLogout(db, clk),
		"get-me":                  profile.NewMe(db, clk),
		"start-password-reset":    recovery.NewStart(db, clk),
		"send-reset-email":        recovery.NewEmail(db, d.Mail, clk, d.ResetLinkBase),
		"send-reset-sms":          recovery.NewSMS(db, d.SMS, d.Operators, d.SMSLimits, clk, d.CodePepper),
		"complete-password-reset": recovery.NewComplete(db, d.SMS, d.Mail, clk, d.CodePepper),
		"put-profile":             profile.NewEdit(db, clk),
		"verify-identity":         verification.NewVerify(db, d.Provider, clk, d.GuideURL),
		"submit-manual-review":    review.NewSubmit(db, clk, d.Calendar),
		"list-my-reviews":         review.NewMine(db, clk),
		"list-reviews":            review.NewQueue(db, clk, d.CursorSecret),
		"get-review":              review.NewOpen(db, clk),
		"decide-review":           review.NewDecide(db, d.SMS, d.Mail, clk, casework.PhotoRetention),
		"not-found":               api.NotFoundRoute,

		// The 教育部 unified login.
		"start-federated-login":    federation.NewStart(db, d.Federation, clk),
		"federated-login-callback": federation.NewCallback(db, d.Federation, clk),
		"exchange-federated-login": logincode.NewExchange(db, clk),
	}
}

// Jobs are the scheduled functions, keyed like Handlers; make run runs them on timers.
func Jobs(d *Deps) map[string]func(context.Context) error {
	resetter := quotareset.NewResetter(d.Store, d.Clock)
	reporter := reviewsla.NewReporter(d.Store, d.Operators, d.Clock, d.Calendar)
	notices := notice.NewSender(d.Store, d.SMS, d.Mail, d.Clock)
	return map[string]func(context.Context) error{
		"reset-quotas": func(ctx context.Context) error {
			for _, scope := range []string{quotareset.ScopeDays, quotareset.ScopeCycles} {
				if _, err := resetter.Run(ctx, quotareset.Input{Scope: scope}); err != nil {
					return err
				}
			}
			return nil
		},
		"report-overdue-reviews": func(ctx context.Context) error {
			_, err := reporter.Run(ctx)
			return err
		},
		"resend-decision-notices": func(ctx context.Context) error {
			_, err := notices.Run(ctx)
			return err
		},
	}
}

var pathParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// New routes the template's functions to handlers; a function with routes but no handler is
// an error, so the template and this server cannot drift apart silently.
func New(fns []samtemplate.Function, handlers map[string]api.HandlerFunc, d *Deps) (http.Handler, error) {
	mux := http.NewServeMux()
	for _, fn := range fns {
		if len(fn.Routes) == 0 {
			continue
		}
		h, ok := handlers[fn.Name()]
		if !ok {
			return nil, fmt.Errorf("function %s (%s) has no local handler", fn.LogicalID, fn.CodeURI)
		}
		for _, rt := range fn.Routes {
			pattern := rt.Method + " " + rt.Path
			switch {
			case rt.Path == "$default":
				pattern = "/"
			case rt.Method == "ANY":
				pattern = rt.Path
			}
			mux.Handle(pattern, route(fn.LogicalID, rt, api.Lambda(h)))
		}
	}
	mux.HandleFunc("GET /local/outbox", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"messages": d.Outbox.Messages()})
	})
	callbackID := ""
	for _, fn := range fns {
		if fn.Name() == "wechat-callback" {
			callbackID = fn.LogicalID
		}
	}
	mux.HandleFunc("POST /local/wechat/{openid}", localWechat(handlers["wechat-callback"], callbackID, d.Clock))
	mux.HandleFunc("GET "+LocalReturnPath, localReturn)
	mux.HandleFunc("GET /local/captchas/{captchaId}", func(w http.ResponseWriter, r *http.Request) {
		c, err := d.Store.PeekCaptcha(r.Context(), r.PathValue("captchaId"), d.Clock.Now())
		switch {
		case errors.Is(err, store.ErrNotFound):
			writeJSON(w, http.StatusNotFound, errorBody("NOT_FOUND", "滑块验证不存在或已过期"))
		case err != nil:
			slog.ErrorContext(r.Context(), "peek captcha", slog.String("err", err.Error()))
			writeJSON(w, http.StatusInternalServerError, errorBody("INTERNAL", "系统繁忙，请稍后重试"))
		default:
			writeJSON(w, http.StatusOK, map[string]int{"x": c.X, "y": c.Y})
		}
	})
	return cleanPathsOnly(mux), nil
}

// localWechat is POST /local/wechat/{openid} of local runs: {"event": "CLICK", "key": …},
// {"event": "subscribe"} or {"text": …} from that user, signed, encrypted and pushed to the
// callback as WeChat would; the answer is {"reply": the passive reply's text, or ""}.
func localWechat(callback api.HandlerFunc, function string, clk clock.Clock) http.HandlerFunc {
	var msgID atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Event string `json:"event"`
			Key   string `json:"key"`
			Text  string `json:"text"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil || (in.Event == "") == (in.Text == "") {
			writeJSON(w, http.StatusBadRequest, errorBody("BAD_REQUEST", `请求体应为 {"event","key"} 或 {"text"}`))
			return
		}
		now := clk.Now()
		m := wechat.Message{ToUserName: "gh_jszg_local", FromUserName: r.PathValue("openid"), CreateTime: now.Unix()}
		if in.Text != "" {
			m.MsgType, m.Content, m.MsgID = "text", in.Text, now.UnixNano()+msgID.Add(1)
		} else {
			m.MsgType, m.Event, m.EventKey = "event", in.Event, in.Key
		}
		q, body, err := LocalWechat.Push(m, now)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, errorBody("INTERNAL", err.Error()))
			return
		}
		hr := httptest.NewRequest(http.MethodPost, "/v1/wechat/callback?"+url.Values{"signature": {q.Signature}, "timestamp": {q.Timestamp},
			"nonce": {q.Nonce}, "encrypt_type": {q.EncryptType}, "msg_signature": {q.MsgSignature}}.Encode(), bytes.NewReader(body))
		hr.Header.Set("Content-Type", "text/xml")
		id := token.New(12)
		resp, _ := api.Lambda(callback)(Invocation(r.Context(), function, id), api.NewEvent(hr, "POST /v1/wechat/callback", nil, body, id))
		if resp.StatusCode != http.StatusOK {
			writeJSON(w, resp.StatusCode, json.RawMessage(resp.Body))
			return
		}
		_, text, err := LocalWechat.ReadReply(resp.Body)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, errorBody("INTERNAL", err.Error()))
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"reply": text})
	}
}

// cleanPathsOnly answers a path with `//`, `.` or `..` segments with the contract's 404, as API
// Gateway matches no route for it; ServeMux would instead redirect to the cleaned path, an
// HTML answer no client of this API expects and a way around a route's exact match.
func cleanPathsOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.EscapedPath(); p != "/" && path.Clean(p) != p {
			writeJSON(w, http.StatusNotFound, errorBody("NOT_FOUND", "接口不存在"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// route turns one HTTP request into the event API Gateway would send for rt, and invokes the
// function with the Lambda context AWS would give it (which names the function).
func route(function string, rt samtemplate.Route, lambda api.LambdaFunc) http.Handler {
	names := pathParam.FindAllStringSubmatch(rt.Path, -1)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One byte over the limit is enough for the adapter to answer 413.
		body, err := io.ReadAll(io.LimitReader(r.Body, api.MaxBody+1))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody("BAD_REQUEST", "请求体读取失败"))
			return
		}
		var params map[string]string
		if len(names) > 0 {
			params = make(map[string]string, len(names))
			for _, m := range names {
				params[m[1]] = r.PathValue(m[1])
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		requestID := token.New(12)
		ctx = Invocation(ctx, function, requestID)
		resp, _ := lambda(ctx, api.NewEvent(r, rt.Key(), params, body, requestID))
		api.WriteResponse(w, resp)
	})
}

// Invocation is ctx as Lambda hands it to an invocation of the function with that logical
// id: carrying its request id and its ARN.
func Invocation(ctx context.Context, function, requestID string) context.Context {
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: LocalARNPrefix + function,
	})
}

// LocalARNPrefix is how locally invoked functions' ARNs begin; the logical id follows.
const LocalARNPrefix = "arn:aws:lambda:local:000000000000:function:"

func errorBody(code, msg string) map[string]any {
	return map[string]any{"error": map[string]string{"code": code, "message": msg}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
