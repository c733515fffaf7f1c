package wechat_test

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/wechat"
)

// FuzzOpen: whatever body comes with a rightly signed query, opening it never panics and
// either refuses it or gives a message with a sender and a type.
func FuzzOpen(f *testing.F) {
	key, _ := wechat.DecodeAESKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	plain := wechat.Config{AppID: "wx0000000000000001", Token: "local-token"}
	encrypted := wechat.Config{AppID: "wx0000000000000001", Token: "local-token", AESKey: key}
	in := wechat.Message{ToUserName: "gh", FromUserName: "o", CreateTime: now.Unix(), MsgType: "text", Content: "11010519491231002X", MsgID: 1}
	pq, pbody, _ := plain.Push(in, now)
	eq, ebody, _ := encrypted.Push(in, now)
	f.Add(pbody, false)
	f.Add(ebody, true)
	f.Add([]byte(`<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>`), true)
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><FromUserName>&a;</FromUserName></xml>`), false)
	f.Fuzz(func(t *testing.T, body []byte, enc bool) {
		c, q := plain, pq
		if enc {
			c, q = encrypted, eq
			// the signature must cover whatever ciphertext the body carries
			q.MsgSignature = ""
		}
		m, err := c.Open(q, body, now)
		if err == nil && (m.FromUserName == "" || m.MsgType == "") {
			t.Fatalf("opened without a sender or a type: %+v", m)
		}
	})
}
