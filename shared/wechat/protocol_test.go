package wechat_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/wechat"
)

var now = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func accounts(t *testing.T) map[string]wechat.Config {
	t.Helper()
	key, err := wechat.DecodeAESKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]wechat.Config{
		"plain":     {AppID: "wx0000000000000001", Token: "local-token"},
		"encrypted": {AppID: "wx0000000000000001", Token: "local-token", AESKey: key},
	}
}

// WeChat's own published sample of 安全模式 (token spamtest, its EncodingAESKey and AppID):
// an implementation that opens it speaks WeChat's encryption, not only its own.
func TestOpensWeChatsPublishedSample(t *testing.T) {
	key, err := wechat.DecodeAESKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	if err != nil {
		t.Fatal(err)
	}
	c := wechat.Config{AppID: "wx2c2769f8efd9abc2", Token: "spamtest", AESKey: key}
	body := `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>`
	q := wechat.Query{Timestamp: "1409735669", Nonce: "1320562132", EncryptType: "aes", MsgSignature: "5d197aaffba7e9b25a30732f161a50dee96bd5fa"}
	m, err := c.Open(q, []byte(body), time.Unix(1409735669, 0))
	if err != nil {
		t.Fatalf("WeChat's sample: %v", err)
	}
	if m.FromUserName == "" || m.MsgType == "" {
		t.Fatalf("decrypted: %+v", m)
	}
	q.MsgSignature = strings.Replace(q.MsgSignature, "5", "6", 1)
	if _, err := c.Open(q, []byte(body), time.Unix(1409735669, 0)); !errors.Is(err, wechat.ErrSignature) {
		t.Fatalf("a wrong msg_signature: %v", err)
	}
}

func TestTheURLCheck(t *testing.T) {
	c := accounts(t)["plain"]
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := wechat.Sign(c.Token, ts, "n0nce")
	if err := c.CheckURL(sig, ts, "n0nce", now); err != nil {
		t.Fatalf("a right check: %v", err)
	}
	if err := c.CheckURL(sig, ts, "other", now); !errors.Is(err, wechat.ErrSignature) {
		t.Fatalf("another nonce: %v", err)
	}
	if err := c.CheckURL(sig, ts, "n0nce", now.Add(wechat.Skew+time.Second)); !errors.Is(err, wechat.ErrStale) {
		t.Fatalf("a stale timestamp: %v", err)
	}
}

// A message goes in and a reply comes out as WeChat sends and reads them, in both modes;
// whatever is changed on the way is refused.
func TestMessagesAndRepliesRoundTrip(t *testing.T) {
	for mode, c := range accounts(t) {
		in := wechat.Message{ToUserName: "gh_jszg", FromUserName: "o-user-1", CreateTime: now.Unix(), MsgType: "text", Content: "11010519491231002X", MsgID: 42}
		q, body, err := c.Push(in, now)
		if err != nil {
			t.Fatal(err)
		}
		m, err := c.Open(q, body, now)
		if err != nil || m.Content != in.Content || m.FromUserName != "o-user-1" || m.ID() != "m42" {
			t.Fatalf("%s: %+v %v", mode, m, err)
		}
		if _, err := c.Open(q, body, now.Add(wechat.Skew+time.Minute)); !errors.Is(err, wechat.ErrStale) {
			t.Errorf("%s, replayed later: %v", mode, err)
		}
		tampered := []byte(strings.Replace(string(body), "1101", "1102", 1))
		if mode == "encrypted" {
			tampered = []byte(strings.Replace(string(body), "<Encrypt><![CDATA[", "<Encrypt><![CDATA[A", 1))
		}
		if _, err := c.Open(q, tampered, now); err == nil && mode == "encrypted" {
			t.Errorf("%s: a changed body was opened", mode)
		}
		other := c
		other.Token = "not-the-token"
		if _, err := other.Open(q, body, now); !errors.Is(err, wechat.ErrSignature) {
			t.Errorf("%s, another token: %v", mode, err)
		}
		// A text that tries to close the CDATA and add a field stays text.
		sneaky := "您好]]></Content><MsgType><![CDATA[news"
		reply, err := c.Reply(m, sneaky, now)
		if err != nil {
			t.Fatal(err)
		}
		to, text, err := c.ReadReply(reply)
		if err != nil || to != "o-user-1" || text != sneaky {
			t.Fatalf("%s reply: %q %q %v", mode, to, text, err)
		}
	}
	// An account in 安全模式 takes no plain message.
	c := accounts(t)
	q, body, _ := c["plain"].Push(wechat.Message{FromUserName: "o", MsgType: "text", Content: "x", CreateTime: now.Unix()}, now)
	if _, err := c["encrypted"].Open(q, body, now); err == nil {
		t.Fatal("a plain message was taken by an account that encrypts")
	}
}

func TestAnotherAppsMessageIsRefused(t *testing.T) {
	c := accounts(t)["encrypted"]
	q, body, err := c.Push(wechat.Message{FromUserName: "o", MsgType: "text", Content: "x", CreateTime: now.Unix()}, now)
	if err != nil {
		t.Fatal(err)
	}
	other := c
	other.AppID = "wx9999999999999999"
	if _, err := other.Open(q, body, now); !errors.Is(err, wechat.ErrSignature) {
		t.Fatalf("a message for another AppID: %v", err)
	}
}
