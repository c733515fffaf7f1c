package wxservice_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/text/width"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/recovery"
	"github.com/jszg/applicant-accounts/shared/registration"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/wechat"
	"github.com/jszg/applicant-accounts/shared/wxservice"
)

type world struct {
	*testkit.Kit
	cfg                                wechat.Config
	callback, bindH, unbindH, register api.HandlerFunc
	complete, me                       api.HandlerFunc
	ids                                atomic.Int64
}

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	key, _ := wechat.DecodeAESKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	cfg := wechat.Config{AppID: "wxtest", Token: "test-token", AESKey: key}
	return &world{Kit: k, cfg: cfg,
		callback: wxservice.NewCallback(k.Store, cfg, k.Clock, testkit.Pepper),
		bindH:    wxservice.NewBindCode(k.Store, nil, k.Outbox, k.Outbox, k.Clock, testkit.Pepper),
		unbindH:  wxservice.NewUnbind(k.Store, k.Outbox, k.Outbox, k.Clock),
		register: registration.NewRegister(k.Store, k.Clock, testkit.Pepper),
		complete: recovery.NewComplete(k.Store, k.Outbox, k.Outbox, k.Clock, testkit.Pepper),
		me:       profile.NewMe(k.Store, k.Clock),
	}
}

// push sends m as WeChat would and returns the reply's text ("" for none) and the raw answer.
func (w *world) push(t *testing.T, m wechat.Message) (string, string) {
	t.Helper()
	w.Clock.Advance(time.Second) // WeChat tells events apart by sender and second
	now := w.Clock.Now()
	if m.CreateTime == 0 {
		m.CreateTime = now.Unix()
	}
	if m.MsgType == "text" && m.MsgID == 0 {
		m.MsgID = w.ids.Add(1)
	}
	q, body, err := w.cfg.Push(m, now)
	if err != nil {
		t.Fatal(err)
	}
	return w.post(t, q, body)
}

func (w *world) post(t *testing.T, q wechat.Query, body []byte) (string, string) {
	t.Helper()
	resp, err := w.send(q, body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("callback: %d %s %v", resp.StatusCode, resp.Body, err)
	}
	_, text, err := w.cfg.ReadReply(resp.Body)
	if err != nil {
		t.Fatalf("reply %q: %v", resp.Body, err)
	}
	return text, resp.Body
}

// bindAs asks a binding code on the site as a (with a session of its current epoch) and
// sends it in WeChat as openID: the chat's reply.
func (w *world) bindAs(t *testing.T, openID string, a account.Account) string {
	t.Helper()
	res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: w.Token(w.Account(a.Login)), Body: pw})
	if res.Status != 201 {
		t.Fatalf("bind code: %d %v", res.Status, res.Body)
	}
	reply, _ := w.push(t, text(openID, res.Str("bindCode")))
	return reply
}

// removeAccountSide removes login's side of its WeChat binding, as a reset by SMS or mail
// (store.CompleteReset) or an approved ownership claim leaves it.
func (w *world) removeAccountSide(t *testing.T, login string) {
	t.Helper()
	if _, err := w.Env.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(storetest.Table), UpdateExpression: aws.String("REMOVE wechat"),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ACCOUNT#" + login}, "sk": &types.AttributeValueMemberS{Value: "ACCOUNT"}},
	}); err != nil {
		t.Fatal(err)
	}
}

// postStatus is the status of the callback's answer to q and body.
func (w *world) postStatus(t *testing.T, q wechat.Query, body []byte) int {
	t.Helper()
	resp, err := w.send(q, body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func (w *world) send(q wechat.Query, body []byte) (events.APIGatewayV2HTTPResponse, error) {
	v := url.Values{"signature": {q.Signature}, "timestamp": {q.Timestamp}, "nonce": {q.Nonce}, "encrypt_type": {q.EncryptType}, "msg_signature": {q.MsgSignature}}
	hr := httptest.NewRequest("POST", "/v1/wechat/callback?"+v.Encode(), bytes.NewReader(body))
	return api.Lambda(w.callback)(context.Background(), api.NewEvent(hr, "POST /v1/wechat/callback", nil, body, "test"))
}

// pw is the body of the binding routes: the current password.
var pw = map[string]any{"currentPassword": testkit.Password}

func click(user, key string) wechat.Message {
	return wechat.Message{ToUserName: "gh", FromUserName: user, MsgType: "event", Event: "CLICK", EventKey: key}
}

func text(user, s string) wechat.Message {
	return wechat.Message{ToUserName: "gh", FromUserName: user, MsgType: "text", Content: s}
}

var sixDigits = regexp.MustCompile(`验证码为(\d{6})`)

// isSeen is the answer to a message delivered again: never a code.
func isSeen(reply string) bool { return strings.Contains(reply, "上一条消息已收到") }

func TestTheURLCheckEchoes(t *testing.T) {
	w := newWorld(t)
	ts := strconvItoa(w.Clock.Now().Unix())
	sig := wechat.Sign(w.cfg.Token, ts, "abc")
	for name, c := range map[string]struct {
		sig    string
		status int
	}{"right": {sig, 200}, "wrong": {strings.Repeat("0", 40), 403}} {
		hr := httptest.NewRequest("GET", "/v1/wechat/callback?"+url.Values{"signature": {c.sig}, "timestamp": {ts}, "nonce": {"abc"}, "echostr": {"e-123"}}.Encode(), nil)
		resp, _ := api.Lambda(w.callback)(context.Background(), api.NewEvent(hr, "GET /v1/wechat/callback", nil, nil, "t"))
		if resp.StatusCode != c.status || (c.status == 200 && resp.Body != "e-123") {
			t.Errorf("%s: %d %q", name, resp.StatusCode, resp.Body)
		}
	}
}

// The seed: 取验证码, then the document number, gets a code bound to that number, which
// registration takes in place of the SMS code; the mobile then shows as not proven.
func TestACodeFromWeChatRegisters(t *testing.T) {
	w := newWorld(t)
	doc := testkit.ResidentID("19900307")
	if reply, _ := w.push(t, text("o-user", doc)); strings.Contains(reply, "验证码为") {
		t.Fatalf("a number without 取验证码 got a code: %q", reply)
	}
	w.Env.Calls.Reset()
	if reply, _ := w.push(t, click("o-user", wxservice.KeyGetCode)); !strings.Contains(reply, "证件号码") {
		t.Fatalf("取验证码: %q", reply)
	}
	// The replay marks with the wait, one transaction.
	if got := w.Env.Calls.String(); got != "TransactWriteItems=1" || w.Env.Calls.Trips() != 1 {
		t.Fatalf("取验证码: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	if reply, _ := w.push(t, text("o-user", "12345")); !strings.Contains(reply, "重新回复") {
		t.Fatalf("a mistyped number: %q", reply)
	}
	// Ten digits, a binding code's form, are a Taiwan permit typed with its renewal digits
	// while a number is awaited: the same wait answers the number typed again.
	if reply, _ := w.push(t, text("o-user", "1234567801")); !strings.Contains(reply, "换证次数") || !strings.Contains(reply, "重新回复") {
		t.Fatalf("a Taiwan permit with its renewal digits: %q", reply)
	}
	w.Env.Calls.Reset()
	reply, _ := w.push(t, text("o-user", strings.ToLower(doc)+"。")) // as a sentence
	// The replay marks with the wait taken, the number's and the user's counts and the code,
	// one transaction.
	if got := w.Env.Calls.String(); got != "TransactWriteItems=1" || w.Env.Calls.Trips() != 1 {
		t.Fatalf("the number: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	code := sixDigits.FindStringSubmatch(reply)
	if code == nil || strings.Contains(reply, doc) {
		t.Fatalf("the code's reply: %q", reply)
	}
	form := map[string]any{"idType": "resident_id", "idNumber": doc, "name": "张三", "idValidFrom": "2020-01-01", "idValidTo": "长期",
		"password": testkit.Password, "passwordConfirm": testkit.Password, "email": "123456789@qq.com", "phone": testkit.Phone(),
		"wechatCode": code[1], "agreementAccepted": true}
	other := map[string]any{}
	for k, v := range form {
		other[k] = v
	}
	other["idNumber"] = testkit.ResidentID("19900307")
	if res := apitest.Call(t, w.register, apitest.Request{Method: "POST", Path: "/v1/accounts", Body: other}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("the code for another number: %d %v", res.Status, res.Body)
	}
	res := apitest.Call(t, w.register, apitest.Request{Method: "POST", Path: "/v1/accounts", Body: form})
	if res.Status != 201 {
		t.Fatalf("register with the WeChat code: %d %v", res.Status, res.Body)
	}
	a := w.Account(doc)
	if !a.PhoneUnproven {
		t.Fatal("the mobile is stored as proven")
	}
	me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: w.Token(a)})
	if me.Body["phoneVerified"] != false {
		t.Fatalf("me: %v", me.Body)
	}
}

// Three codes a day per document number and per WeChat user, each newer replacing the older.
func TestWeChatCodesAreCounted(t *testing.T) {
	w := newWorld(t)
	doc := testkit.ResidentID("19900307")
	ask := func(user, number string) string {
		w.push(t, click(user, wxservice.KeyGetCode))
		reply, _ := w.push(t, text(user, number))
		return reply
	}
	for i := range wxservice.CodesPerDay {
		if reply := ask("o-a", doc); !sixDigits.MatchString(reply) {
			t.Fatalf("code %d: %q", i+1, reply)
		}
	}
	if reply := ask("o-b", doc); !strings.Contains(reply, "今日已获取") {
		t.Fatalf("a fourth code for the number from another user: %q", reply)
	}
	if reply := ask("o-a", testkit.ResidentID("19900307")); !strings.Contains(reply, "今日已获取") {
		t.Fatalf("a fourth code for the user with another number: %q", reply)
	}
	w.Clock.Advance(24 * time.Hour)
	if reply := ask("o-a", doc); !sixDigits.MatchString(reply) {
		t.Fatalf("the next day: %q", reply)
	}
}

// A message WeChat delivers twice is handled once; a query replayed with another body is
// not handled again either.
func TestAMessageDeliveredTwiceIsHandledOnce(t *testing.T) {
	w := newWorld(t)
	w.push(t, click("o-user", wxservice.KeyGetCode))
	m := text("o-user", testkit.ResidentID("19900307"))
	m.MsgID, m.CreateTime = 777, w.Clock.Now().Unix()
	q, body, _ := w.cfg.Push(m, w.Clock.Now())
	first, _ := w.post(t, q, body)
	again, raw := w.post(t, q, body)
	if !sixDigits.MatchString(first) || !isSeen(again) {
		t.Fatalf("first %q, again %q (%s)", first, again, raw)
	}
	// An event that gets no reply gets none delivered again either.
	view := wechat.Message{ToUserName: "gh", FromUserName: "o-user", MsgType: "event", Event: "VIEW", EventKey: "https://example.cn/", CreateTime: w.Clock.Now().Unix()}
	q, body, _ = w.cfg.Push(view, w.Clock.Now())
	for range 2 {
		if reply, raw := w.post(t, q, body); reply != "" || raw != "success" {
			t.Fatalf("a VIEW event: %q %s", reply, raw)
		}
	}
	// In plain mode the signature covers no body: a captured query replayed with another
	// message is refused by its timestamp and nonce, seen once.
	w.cfg = wechat.Config{AppID: "wxtest", Token: "test-token"}
	w.callback = wxservice.NewCallback(w.Store, w.cfg, w.Clock, testkit.Pepper)
	m.MsgID = 778
	q, body, _ = w.cfg.Push(m, w.Clock.Now())
	w.post(t, q, body)
	m.MsgID, m.Content = 779, testkit.ResidentID("19800101")
	_, body2, _ := w.cfg.Push(m, w.Clock.Now())
	if reply, _ := w.post(t, q, body2); !isSeen(reply) {
		t.Fatalf("the same query with another message: %q", reply)
	}
}

// A message's first writes go with its replay marks, all or nothing: a message seen before
// writes nothing — the day's codes and binding tries are all still there after any number
// of deliveries, a wait is neither taken nor put back — and one whose transaction failed
// (a 5xx) leaves no mark to refuse WeChat's retry.
func TestAMessageSeenBeforeSpendsNothing(t *testing.T) {
	w := newWorld(t)
	doc := testkit.ResidentID("19900307")
	getCode := click("o-user", wxservice.KeyGetCode)
	getCode.CreateTime = w.Clock.Now().Unix()
	askQuery, askBody, _ := w.cfg.Push(getCode, w.Clock.Now())
	w.post(t, askQuery, askBody)
	m := text("o-user", doc)
	m.MsgID, m.CreateTime = 901, w.Clock.Now().Unix()
	number, numberBody, _ := w.cfg.Push(m, w.Clock.Now())
	if first, _ := w.post(t, number, numberBody); !sixDigits.MatchString(first) {
		t.Fatalf("the number: %q", first)
	}
	// 取验证码 delivered again does not open the answered wait again.
	again, againBody, _ := w.cfg.Push(getCode, w.Clock.Now())
	if reply, _ := w.post(t, again, againBody); !isSeen(reply) {
		t.Fatalf("取验证码 again: %q", reply)
	}
	if reply, _ := w.push(t, text("o-user", doc)); sixDigits.MatchString(reply) {
		t.Fatalf("a number after 取验证码 delivered again got a code: %q", reply)
	}
	// The number delivered again while 取验证码 waits anew leaves the wait to its answer.
	w.push(t, click("o-user", wxservice.KeyGetCode))
	for range 5 {
		if reply, _ := w.post(t, number, numberBody); !isSeen(reply) {
			t.Fatalf("the number again: %q", reply)
		}
	}
	// Delivered, its first writes failing: a 5xx, which WeChat retries, and the retry is
	// handled, in safe mode (the message's id marked) and in plain mode (its nonce too).
	for i, plain := range []bool{false, true} {
		if plain {
			w.cfg.AESKey = nil
			w.callback = wxservice.NewCallback(w.Store, w.cfg, w.Clock, testkit.Pepper)
		}
		m.MsgID = int64(902 + i)
		q, body, _ := w.cfg.Push(m, w.Clock.Now())
		w.Env.Faults.ThrottleWhere(func(target string, body []byte) bool {
			return target == "TransactWriteItems" && bytes.Contains(body, []byte(`"WXSEEN#`)) && (!plain || bytes.Contains(body, []byte(`"NONCE"`)))
		})
		if status := w.postStatus(t, q, body); status < 500 {
			t.Fatalf("a message whose first writes failed (plain %v): %d", plain, status)
		}
		w.Env.Faults.Set(storetest.NoFault)
		if reply, _ := w.post(t, q, body); !sixDigits.MatchString(reply) {
			t.Fatalf("the retry after the first writes failed (plain %v): %q", plain, reply)
		}
		w.push(t, click("o-user", wxservice.KeyGetCode))
	}
	// The day's three codes went to the three messages, whatever was delivered again.
	if reply, _ := w.push(t, text("o-user", doc)); !strings.Contains(reply, "今日已获取") {
		t.Fatalf("a fourth code: %q", reply)
	}

	// A wrong binding code, delivered again and again, is one guess of the day's ten.
	a := w.Applicant("张三")
	guess := text("o-guesser", strings.Repeat("0", wxservice.BindCodeDigits))
	guess.MsgID, guess.CreateTime = 910, w.Clock.Now().Unix()
	q, body, _ := w.cfg.Push(guess, w.Clock.Now())
	for i := range wxservice.BindTriesPerDay + 5 {
		if reply, _ := w.post(t, q, body); (i == 0) != strings.Contains(reply, "无效或已过期") || (i > 0) != isSeen(reply) {
			t.Fatalf("the guess, delivery %d: %q", i+1, reply)
		}
	}
	res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: w.Token(a), Body: pw})
	if reply, _ := w.push(t, text("o-guesser", res.Str("bindCode"))); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("the right code after one guess delivered %d times: %q", wxservice.BindTriesPerDay+5, reply)
	}
}

// One message delivered 20 times at once, each delivery with its own query (WeChat's
// retries of a message stalled past its five seconds): one answer, the right one, for a
// number and for a binding code with the day's last tries left.
func TestTwentyDeliveriesOfOneMessageAreAnsweredOnce(t *testing.T) {
	answers := func(w *world, m wechat.Message) []string {
		queries := make([]wechat.Query, 20)
		bodies := make([][]byte, 20)
		for i := range queries {
			queries[i], bodies[i], _ = w.cfg.Push(m, w.Clock.Now())
		}
		var answered []string
		for _, r := range testkit.Race(20, func(i int) string {
			reply, _ := w.post(t, queries[i], bodies[i])
			return reply
		}) {
			if !isSeen(r) {
				answered = append(answered, r)
			}
		}
		return answered
	}
	for round := range 5 {
		w := newWorld(t)
		w.push(t, click("o-user", wxservice.KeyGetCode))
		m := text("o-user", testkit.ResidentID("19900307"))
		m.MsgID, m.CreateTime = 4242, w.Clock.Now().Unix()
		if got := answers(w, m); len(got) != 1 || !sixDigits.MatchString(got[0]) {
			t.Fatalf("round %d, a number: %q", round, got)
		}
		a := w.Applicant("张三")
		for i := range wxservice.BindTriesPerDay - 2 {
			w.push(t, text("o-user", strings.Repeat("0", wxservice.BindCodeDigits-2)+strconvItoa(int64(10+i))))
		}
		res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: w.Token(a), Body: pw})
		m = text("o-user", res.Str("bindCode"))
		m.MsgID, m.CreateTime = 4343, w.Clock.Now().Unix()
		if got := answers(w, m); len(got) != 1 || !strings.Contains(got[0], "绑定成功") {
			t.Fatalf("round %d, a binding code: %q", round, got)
		}
	}
}

// A reset code asked in WeChat holds by the binding that asked it, not by the account's
// epoch: it is used once, and it is good only while the account names its user (another
// reset's completion deletes it: recovery TestACompletedResetVoidsEveryOtherLinkAndCode).
func TestAWechatResetCodeHoldsByItsBinding(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	if reply := w.bindAs(t, "o-user", a); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("bind: %q", reply)
	}
	resetCode := func() string {
		t.Helper()
		reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword))
		code := sixDigits.FindStringSubmatch(reply)
		if code == nil {
			t.Fatalf("找回密码: %q", reply)
		}
		return code[1]
	}
	complete := func(code, newPw string) apitest.Result {
		return apitest.Call(t, w.complete, apitest.Request{Method: "POST", Path: "/v1/password-resets/complete",
			Body: map[string]any{"account": a.Login, "wechatCode": code, "newPassword": newPw, "newPasswordConfirm": newPw}})
	}
	first := resetCode()
	if done := complete(first, "Newer#2026ok"); done.Status != 204 {
		t.Fatalf("the code: %d %v", done.Status, done.Body)
	}
	if done := complete(first, "Other#2026ok"); done.Code() != api.CodeCodeInvalid {
		t.Fatalf("the code again: %d %v", done.Status, done.Body)
	}
	code := resetCode()
	if res := apitest.Call(t, w.unbindH, apitest.Request{Method: "DELETE", Path: "/v1/me/wechat-binding", Token: w.Token(w.Account(a.Login)),
		Body: map[string]any{"currentPassword": "Newer#2026ok"}}); res.Status != 204 {
		t.Fatalf("unbind: %d %v", res.Status, res.Body)
	}
	if done := complete(code, "Other#2026ok"); done.Code() != api.CodeCodeInvalid || !strings.Contains(done.Message(), "微信") {
		t.Fatalf("a code after its binding was removed: %d %v", done.Status, done.Body)
	}
}

// A reset by the account's mobile or mailbox removes the account's side of its WeChat
// binding; the user's side, left behind, does not keep that user from binding the same
// account again, and a live code for the account it is bound to says the binding stands.
func TestAUserBindsAgainTheAccountAResetUnbound(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	bind := func() string { return w.bindAs(t, "o-user", a) }
	if reply := bind(); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("bind: %q", reply)
	}
	w.removeAccountSide(t, a.Login) // as a reset by SMS or mail leaves it
	if reply := bind(); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("binding the same account again: %q", reply)
	}
	if err := w.Env.Store.PutBindCode(t.Context(), wxservice.BindHash(testkit.Pepper, "1234567890"), a.Login, w.Account(a.Login).Epoch, w.Clock.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if reply, _ := w.push(t, text("o-user", "绑定 1234567890")); !strings.Contains(reply, "无需再次绑定") {
		t.Fatalf("a code for the account already bound: %q", reply)
	}
}

// A user whose binding a reset removed from its account may bind another account: the side
// left behind is replaced while its account does not name the user; while it does, the
// user is bound there and binds nothing else.
func TestAUserBindsAnotherAccountOnceAResetUnboundTheFirst(t *testing.T) {
	w := newWorld(t)
	first, second := w.Applicant("张三"), w.Applicant("李四")
	bind := func(a account.Account) string { return w.bindAs(t, "o-user", a) }
	if reply := bind(first); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("bind the first: %q", reply)
	}
	if reply := bind(second); !strings.Contains(reply, "已绑定另一个账号") || w.Account(second.Login).WechatUser != "" {
		t.Fatalf("bind a second while bound to the first: %q", reply)
	}
	w.removeAccountSide(t, first.Login) // as a reset by SMS or mail leaves it
	// The user's side unreadable: busy, and the try given back, not "bound elsewhere".
	w.Env.Faults.ThrottleWhere(func(target string, body []byte) bool {
		return target == "GetItem" && bytes.Contains(body, []byte(`"BINDING"`))
	})
	if reply := bind(second); !strings.Contains(reply, "繁忙") {
		t.Fatalf("bind with the user's side unreadable: %q", reply)
	}
	w.Env.Faults.Set(storetest.NoFault)
	if reply := bind(second); !strings.Contains(reply, "绑定成功") || w.Account(second.Login).WechatUser == "" {
		t.Fatalf("bind a second once the first no longer names the user: %q", reply)
	}
	if reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword)); !strings.Contains(reply, identity.MaskDocumentNumber(second.Login)) {
		t.Fatalf("找回密码 after binding the second: %q", reply)
	}
}

// In plain mode (明文模式) the signature covers the query, not the message: 找回密码 gives no
// code there, so that a query copied from a log cannot carry another user's.
func TestPlainModeGivesNoResetCode(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: w.Token(a), Body: pw})
	if reply, _ := w.push(t, text("o-user", res.Str("bindCode"))); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("bind: %q", reply)
	}
	w.cfg.AESKey = nil
	w.callback = wxservice.NewCallback(w.Store, w.cfg, w.Clock, testkit.Pepper)
	if reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword)); sixDigits.MatchString(reply) || !strings.Contains(reply, "短信或邮件") {
		t.Fatalf("找回密码 in plain mode: %q", reply)
	}
	if strings.Contains(w.Env.Dump(t), "wxreset") {
		t.Fatal("a reset code was kept")
	}
}

// A binding code binds as people type it: after “绑定” and a colon, in full-width digits, and
// alone while 取验证码 waits for a number (ten digits are then a Taiwan permit only when they
// are no live binding code).
func TestBindingCodesBindAsPeopleTypeThem(t *testing.T) {
	w := newWorld(t)
	for i, form := range []func(code string) string{
		func(code string) string { return "绑定：" + code },
		func(code string) string { return "绑定: " + code },
		func(code string) string { return width.Widen.String(code) },
		func(code string) string { return "绑定码 " + code + "。" },
		func(code string) string { return "綁定碼：" + code },
		func(code string) string { return "绑定碼:" + code },
		func(code string) string { return code[:5] + " " + code[5:] },
		func(code string) string { return code },
	} {
		a := w.Applicant("张三")
		res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: w.Token(a), Body: pw})
		user := "o-" + strconvItoa(int64(i))
		w.push(t, click(user, wxservice.KeyGetCode))
		if reply, _ := w.push(t, text(user, form(res.Str("bindCode")))); !strings.Contains(reply, "绑定成功") {
			t.Fatalf("%q: %q", form(res.Str("bindCode")), reply)
		}
	}
}

// Binding with the site's code, then 找回密码 in WeChat and the reset on the site.
func TestABoundUserResetsThePasswordFromWeChat(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	if reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword)); !strings.Contains(reply, "尚未绑定") {
		t.Fatalf("an unbound user's 找回密码: %q", reply)
	}
	res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: tok, Body: pw})
	if res.Status != 201 || len(res.Str("bindCode")) != wxservice.BindCodeDigits {
		t.Fatalf("bind code: %d %v", res.Status, res.Body)
	}
	w.Env.Calls.Reset()
	if reply, _ := w.push(t, text("o-user", "绑定 "+res.Str("bindCode"))); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("bind: %q", reply)
	}
	// The replay marks with the try counted, and the code and the user's side read; the
	// binding, the code taken in it, with the try given back.
	if got := w.Env.Calls.String(); got != "GetItem=2 TransactWriteItems=2 UpdateItem=1" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("binding: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	if reply, _ := w.push(t, text("o-other", res.Str("bindCode"))); !strings.Contains(reply, "无效或已过期") {
		t.Fatalf("the code again: %q", reply)
	}
	// Sent again by its user (the answer to the first lost), it points to where the binding
	// shows.
	if reply, _ := w.push(t, text("o-user", res.Str("bindCode"))); !strings.Contains(reply, "查看是否已绑定") {
		t.Fatalf("the code again from its user: %q", reply)
	}
	if res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: tok, Body: pw}); res.Status != 409 {
		t.Fatalf("a second binding: %d %v", res.Status, res.Body)
	}
	w.Env.Calls.Reset()
	reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword))
	// The replay marks with the binding; the code with the day's count, while the account
	// names the user.
	if got := w.Env.Calls.String(); got != "GetItem=1 TransactWriteItems=2" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("找回密码: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	code := sixDigits.FindStringSubmatch(reply)
	if code == nil {
		t.Fatalf("找回密码: %q", reply)
	}
	w.Env.Calls.Reset()
	told := len(w.Outbox.Messages())
	done := apitest.Call(t, w.complete, apitest.Request{Method: "POST", Path: "/v1/password-resets/complete",
		Body: map[string]any{"account": a.Login, "wechatCode": code[1], "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"}})
	if done.Status != 204 {
		t.Fatalf("reset with the WeChat code: %d %v", done.Status, done.Body)
	}
	// The code's try with the account's read; the reset with the day's notice counted.
	if trips := w.Env.Calls.Trips(); trips != 2 {
		t.Fatalf("the reset: %s in %d round trips", w.Env.Calls.String(), trips)
	}
	// Its contacts are told: the binding needed only the password.
	var to []string
	for _, m := range w.Outbox.Messages()[told:] {
		if strings.Contains(m.Body, "微信验证码重置") {
			to = append(to, m.To)
		}
	}
	if !slices.Contains(to, a.Phone) || !slices.Contains(to, a.Email) {
		t.Fatalf("a reset by WeChat told %q", to)
	}
	if me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok}); me.Status != 401 {
		t.Fatalf("a session from before the reset: %d", me.Status)
	}
	tok = w.Token(w.Account(a.Login))
	newPw := map[string]any{"currentPassword": "Newer#2026ok"}
	if res := apitest.Call(t, w.unbindH, apitest.Request{Method: "DELETE", Path: "/v1/me/wechat-binding", Token: tok, Body: newPw}); res.Status != 204 {
		t.Fatalf("unbind: %d %v", res.Status, res.Body)
	}
	if reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword)); !strings.Contains(reply, "尚未绑定") {
		t.Fatalf("after unbinding: %q", reply)
	}
}

// Two WeChat users racing with one account's codes, and one user with two accounts' codes:
// one binding each way.
func TestBindingsAreOneToOneUnderRace(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	codes := make([]string, 4)
	for i := range codes {
		res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: tok, Body: pw})
		codes[i] = res.Str("bindCode")
	}
	replies := testkit.Race(len(codes), func(i int) string {
		reply, _ := w.push(t, text("o-user-"+strconvItoa(int64(i)), codes[i]))
		return reply
	})
	bound := 0
	for _, r := range replies {
		if strings.Contains(r, "绑定成功") {
			bound++
		}
	}
	if bound != 1 {
		t.Fatalf("%d bindings of one account: %q", bound, replies)
	}
}

// Binding codes are secrets an attacker would guess: each WeChat user tries ten a day, the
// right one given back.
func TestBindingCodesAreGuessedTenTimesADay(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	for i := range wxservice.BindTriesPerDay {
		guess := strings.Repeat("0", wxservice.BindCodeDigits-2) + strconvItoa(int64(10+i))
		if reply, _ := w.push(t, text("o-guesser", guess)); !strings.Contains(reply, "无效或已过期") {
			t.Fatalf("guess %d: %q", i+1, reply)
		}
	}
	res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: w.Token(a), Body: pw})
	right, _ := w.push(t, text("o-guesser", res.Str("bindCode")))
	wrong, _ := w.push(t, text("o-guesser", strings.Repeat("9", wxservice.BindCodeDigits)))
	// Past the day's tries a right code and a wrong one are answered alike: the code's read,
	// sent with the try's count, tells nothing.
	if !strings.Contains(right, "次数过多") || right != wrong || w.Account(a.Login).WechatUser != "" {
		t.Fatalf("the right code after the day's guesses: %q; a wrong one: %q", right, wrong)
	}
	if reply, _ := w.push(t, text("o-owner", res.Str("bindCode"))); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("the owner's own WeChat: %q", reply)
	}
}

// A stolen session adds no WeChat way to reset the password: binding and unbinding need the
// current password (a login attempt), and the account's contacts are told.
func TestBindingNeedsThePassword(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	wrong := map[string]any{"currentPassword": "Wrong#2026ok"}
	if res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: tok, Body: wrong}); res.Status != 422 || res.Field() != "currentPassword" {
		t.Fatalf("a binding code with a wrong password: %d %v", res.Status, res.Body)
	}
	if res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: tok}); res.Status != 400 {
		t.Fatalf("a binding code without the password: %d %v", res.Status, res.Body)
	}
	res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: tok, Body: pw})
	if res.Status != 201 {
		t.Fatalf("with the password: %d %v", res.Status, res.Body)
	}
	msgs := w.Outbox.Messages()
	if last := msgs[len(msgs)-1]; !strings.Contains(last.Body, "微信绑定码") {
		t.Fatalf("the account was not told: %+v", last)
	}
	w.push(t, text("o-user", res.Str("bindCode")))
	if res := apitest.Call(t, w.unbindH, apitest.Request{Method: "DELETE", Path: "/v1/me/wechat-binding", Token: tok, Body: wrong}); res.Status != 422 {
		t.Fatalf("unbinding with a wrong password: %d %v", res.Status, res.Body)
	}
	if w.Account(a.Login).WechatUser == "" {
		t.Fatal("a wrong password unbound")
	}
}

// A 找回密码 whose binding cannot be read, or whose code cannot be kept, sends no code and
// spends none of the day's: the three codes of the day are all still there.
func TestABusyResetSpendsNoneOfTheDays(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: w.Token(a), Body: pw})
	if res.Status != 201 {
		t.Fatalf("bind code: %d %v", res.Status, res.Body)
	}
	if reply, _ := w.push(t, text("o-user", "绑定 "+res.Str("bindCode"))); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("bind: %q", reply)
	}
	w.Env.Faults.ThrottleWhere(func(target string, body []byte) bool {
		return target == "GetItem" && bytes.Contains(body, []byte(`"BINDING"`))
	})
	if reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword)); !strings.Contains(reply, "繁忙") {
		t.Fatalf("找回密码 with the binding unreadable: %q", reply)
	}
	// The code and the count are one write.
	w.Env.Faults.ThrottleWhere(func(target string, body []byte) bool {
		return target == "TransactWriteItems" && bytes.Contains(body, []byte(`"WXRESETDAY#`))
	})
	if reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword)); !strings.Contains(reply, "繁忙") {
		t.Fatalf("找回密码 with the code unkept: %q", reply)
	}
	w.Env.Faults.Set(storetest.NoFault)
	for i := 0; i < wxservice.ResetsPerDay; i++ {
		if reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword)); sixDigits.FindStringSubmatch(reply) == nil {
			t.Fatalf("找回密码 %d after the busy one: %q", i+1, reply)
		}
	}
}

// A binding whose account no longer names the user (an approved ownership claim took the
// account's side from the squatter) resets nothing: 找回密码 answers as for no binding, sends
// no code, and drops the user's side, so the user may bind again.
func TestABindingItsAccountNoLongerNamesResetsNothing(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	if reply := w.bindAs(t, "o-user", a); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("bind: %q", reply)
	}
	w.removeAccountSide(t, a.Login)
	reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword))
	if !strings.Contains(reply, "尚未绑定") || sixDigits.MatchString(reply) {
		t.Fatalf("找回密码 with a binding the account no longer names: %q", reply)
	}
	if strings.Contains(w.Env.Dump(t), "BINDING") || strings.Contains(w.Env.Dump(t), "wxreset") {
		t.Fatal("the user's side of the binding, or a reset code, is still in the table")
	}
	if reply := w.bindAs(t, "o-user", a); !strings.Contains(reply, "绑定成功") {
		t.Fatalf("binding again: %q", reply)
	}
	// The refused 找回密码 gave its count of the day back: the day's codes are all there.
	for i := 0; i < wxservice.ResetsPerDay; i++ {
		if reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword)); !sixDigits.MatchString(reply) {
			t.Fatalf("找回密码 %d of the day after the refusal: %q", i+1, reply)
		}
	}
	// A binding made anew is never dropped as stale (a drop that read the account before the
	// new binding): the account names the user again.
	if err := w.Env.Store.DropWechatBinding(t.Context(), wxservice.UserKey(testkit.Pepper, "o-user"), a.Login); err != nil {
		t.Fatal(err)
	}
	if reply, _ := w.push(t, click("o-user", wxservice.KeyResetPassword)); !strings.Contains(reply, "今日已获取") {
		t.Fatalf("找回密码 after a late drop: %q", reply)
	}
}

// Binding codes can be asked again and again, but the account's contacts are told of at most
// notify.NoticesPerDay of them a day: the notices are no channel of unlimited texts.
func TestBindingCodesAreToldAtMostTheDaysNotices(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	for i := range notify.NoticesPerDay + 2 {
		if res := apitest.Call(t, w.bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: tok, Body: pw}); res.Status != 201 {
			t.Fatalf("code %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	texts, mails := 0, 0
	for _, m := range w.Outbox.Messages() {
		switch m.To {
		case a.Phone:
			texts++
		case a.Email:
			mails++
		}
	}
	if texts != notify.NoticesPerDay || mails != notify.NoticesPerDay {
		t.Fatalf("%d codes told by %d texts and %d mails", notify.NoticesPerDay+2, texts, mails)
	}
}
