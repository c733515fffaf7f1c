package wxservice_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/wechat"
	"github.com/jszg/applicant-accounts/shared/wxservice"
)

func fakeWechat(t *testing.T, w *world) (*wechat.FakeAPI, *wxservice.Tokens) {
	t.Helper()
	fake := &wechat.FakeAPI{AppID: "wxtest", AppSecret: "secret", Now: w.Clock.Now}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, wxservice.NewTokens(w.Store, wechat.API{Base: srv.URL, AppID: "wxtest", AppSecret: "secret", HTTP: srv.Client()}, w.Clock)
}

// WeChat voids a token when it hands out the next: callers racing for a token fetch one.
func TestOneTokenForEveryCaller(t *testing.T) {
	w := newWorld(t)
	fake, tokens := fakeWechat(t, w)
	got := testkit.Race(8, func(int) string {
		tok, err := tokens.Get(t.Context(), "")
		if err != nil {
			t.Error(err)
		}
		return tok
	})
	for _, tok := range got {
		if tok != got[0] || tok == "" {
			t.Fatalf("callers got different tokens: %q", got)
		}
	}
	if fake.Fetches != 1 {
		t.Fatalf("%d tokens fetched for 8 callers", fake.Fetches)
	}
}

// A token WeChat refuses (voided by a fetch elsewhere) is renewed once and the call made again.
func TestAVoidedTokenIsRenewed(t *testing.T) {
	w := newWorld(t)
	fake, tokens := fakeWechat(t, w)
	if _, err := tokens.QR(t.Context(), "bind:12345678", wxservice.BindCodeTTL); err != nil {
		t.Fatal(err)
	}
	// Another holder of the AppSecret fetches: the stored token is void now.
	if _, err := (wechat.API{Base: "", AppID: "wxtest"}).FetchToken(t.Context(), w.Clock.Now()); err == nil {
		t.Fatal("a fetch without a server succeeded")
	}
	other := httptest.NewServer(fake)
	defer other.Close()
	if _, err := (wechat.API{Base: other.URL, AppID: "wxtest", AppSecret: "secret"}).FetchToken(t.Context(), w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	qr, err := tokens.QR(t.Context(), "bind:87654321", wxservice.BindCodeTTL)
	if err != nil || !strings.Contains(qr.ImageURL, "ticket") {
		t.Fatalf("after the token was voided: %+v %v", qr, err)
	}
	if fake.Fetches != 3 {
		t.Fatalf("%d fetches: want the first, the other holder's and one renewal", fake.Fetches)
	}
}

// The binding code's QR code binds when scanned, by a follower (SCAN) or a new one
// (subscribe, qrscene_).
func TestScanningTheBindingQRCodeBinds(t *testing.T) {
	w := newWorld(t)
	fake, tokens := fakeWechat(t, w)
	bindH := wxservice.NewBindCode(w.Store, tokens, w.Outbox, w.Outbox, w.Clock, testkit.Pepper)
	for i, event := range []string{"SCAN", "subscribe"} {
		a := w.Applicant("张三")
		res := apitest.Call(t, bindH, apitest.Request{Method: "POST", Path: "/v1/me/wechat-binding", Token: w.Token(a), Body: pw})
		if res.Status != 201 || res.Str("qrUrl") == "" || res.Str("qrContent") != "http://weixin.qq.com/q/fake" || fake.Scenes[i] != wxservice.BindScene(res.Str("bindCode")) {
			t.Fatalf("%s: %d %v, scenes %q", event, res.Status, res.Body, fake.Scenes)
		}
		key := wxservice.BindScene(res.Str("bindCode"))
		if event == "subscribe" {
			key = "qrscene_" + key
		}
		w.Env.Calls.Reset()
		reply, _ := w.push(t, wechat.Message{ToUserName: "gh", FromUserName: "o-" + event, MsgType: "event", Event: event, EventKey: key})
		// The replay marks with the try counted and the code read; the binding with the try
		// given back.
		if w.Env.Calls.Trips() != 2 {
			t.Fatalf("%s: %s in %d round trips", event, w.Env.Calls.String(), w.Env.Calls.Trips())
		}
		if !strings.Contains(reply, "绑定成功") || w.Account(a.Login).WechatUser == "" {
			t.Fatalf("%s: %q", event, reply)
		}
	}
}
