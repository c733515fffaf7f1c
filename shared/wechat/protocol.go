// Package wechat speaks the message-push protocol of a WeChat service account (服务号): the
// URL check, signed messages and events in XML, passive replies, and the message encryption
// of 安全模式. It is a thin layer of the standard library: the protocol is a SHA-1 signature,
// a few XML fields and AES-CBC, and the SDKs that carry it also carry caches, HTTP clients
// and dependencies a cold start would pay for.
package wechat

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is one service account as the endpoint knows it.
type Config struct {
	AppID string
	// Token is the one entered beside the server URL in the account's settings; signatures
	// are made with it.
	Token string
	// AESKey is EncodingAESKey decoded (32 bytes) where the account is in 安全模式 (or
	// compatible mode); nil in plain mode.
	AESKey []byte
}

// Skew is how far a request's timestamp may be from the clock: WeChat signs when it sends
// and retries within seconds, so a timestamp minutes away is a replay.
const Skew = 5 * time.Minute

// Errors of a request that is not WeChat's.
var (
	ErrSignature = errors.New("wechat: bad signature")
	ErrStale     = errors.New("wechat: timestamp too far from now")
	ErrMessage   = errors.New("wechat: malformed message")
)

// DecodeAESKey reads an EncodingAESKey (43 characters of base64 without its padding).
func DecodeAESKey(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	k, err := base64.StdEncoding.DecodeString(s + "=")
	if err != nil || len(k) != 32 {
		return nil, errors.New("wechat: EncodingAESKey must be 43 characters of base64 (32 bytes)")
	}
	return k, nil
}

// Sign is WeChat's signature: the SHA-1 of the parts sorted and joined, in hex.
func Sign(parts ...string) string {
	sorted := append([]string(nil), parts...)
	sort.Strings(sorted)
	sum := sha1.Sum([]byte(strings.Join(sorted, "")))
	return hex.EncodeToString(sum[:])
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (c Config) fresh(timestamp string, now time.Time) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrStale
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Skew || d < -Skew {
		return ErrStale
	}
	return nil
}

// CheckURL checks the GET by which WeChat verifies the server URL; the answer is echostr.
func (c Config) CheckURL(signature, timestamp, nonce string, now time.Time) error {
	if !equal(Sign(c.Token, timestamp, nonce), signature) {
		return ErrSignature
	}
	return c.fresh(timestamp, now)
}

// Message is an inbound message or event (the fields this service reads).
type Message struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	MsgID        int64    `xml:"MsgId"`
	Event        string   `xml:"Event"`
	EventKey     string   `xml:"EventKey"`
}

// ID names the message once: MsgId for messages, sender and time for events (WeChat's own
// advice for telling a retried event).
func (m Message) ID() string {
	if m.MsgID != 0 {
		return "m" + strconv.FormatInt(m.MsgID, 10)
	}
	return "e" + Sign(m.FromUserName, strconv.FormatInt(m.CreateTime, 10), m.Event, m.EventKey)
}

type envelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	Encrypt    string   `xml:"Encrypt"`
}

// Query is the query string of a pushed message.
type Query struct {
	Signature, Timestamp, Nonce string
	// EncryptType is "aes" for an encrypted message, with MsgSignature over its ciphertext.
	EncryptType, MsgSignature string
}

// maxMessage bounds a pushed message: text messages are at most 2,048 bytes of content.
const maxMessage = 16 << 10

// Open checks a pushed message's signature and age and returns it, decrypted where it is
// encrypted. An account configured for encryption takes no plain message.
func (c Config) Open(q Query, body []byte, now time.Time) (Message, error) {
	if len(body) > maxMessage {
		return Message{}, ErrMessage
	}
	if err := c.fresh(q.Timestamp, now); err != nil {
		return Message{}, err
	}
	plain := body
	if q.EncryptType == "aes" || c.AESKey != nil {
		if c.AESKey == nil || q.EncryptType != "aes" {
			return Message{}, ErrMessage
		}
		var env envelope
		if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
			return Message{}, ErrMessage
		}
		if !equal(Sign(c.Token, q.Timestamp, q.Nonce, env.Encrypt), q.MsgSignature) {
			return Message{}, ErrSignature
		}
		var err error
		if plain, err = c.decrypt(env.Encrypt); err != nil {
			return Message{}, err
		}
	} else if !equal(Sign(c.Token, q.Timestamp, q.Nonce), q.Signature) {
		return Message{}, ErrSignature
	}
	var m Message
	if err := xml.Unmarshal(plain, &m); err != nil || m.FromUserName == "" || m.MsgType == "" {
		return Message{}, ErrMessage
	}
	return m, nil
}

// Reply is the passive reply of a text to m, encrypted when the account is; nonce is
// random per reply.
func (c Config) Reply(m Message, text string, now time.Time) (string, error) {
	var b bytes.Buffer
	b.WriteString("<xml><ToUserName>")
	cdata(&b, m.FromUserName)
	b.WriteString("</ToUserName><FromUserName>")
	cdata(&b, m.ToUserName)
	fmt.Fprintf(&b, "</FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>", now.Unix())
	cdata(&b, text)
	b.WriteString("</Content></xml>")
	if c.AESKey == nil {
		return b.String(), nil
	}
	return c.seal(b.Bytes(), now, nonce())
}

// seal encrypts a message and wraps it with its signature, as WeChat sends and takes them.
func (c Config) seal(msg []byte, now time.Time, nonce string) (string, error) {
	enc, err := c.encrypt(msg)
	if err != nil {
		return "", err
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	var b bytes.Buffer
	b.WriteString("<xml><Encrypt>")
	cdata(&b, enc)
	b.WriteString("</Encrypt><MsgSignature>")
	cdata(&b, Sign(c.Token, ts, nonce, enc))
	fmt.Fprintf(&b, "</MsgSignature><TimeStamp>%s</TimeStamp><Nonce>", ts)
	cdata(&b, nonce)
	b.WriteString("</Nonce></xml>")
	return b.String(), nil
}

// cdata writes s as CDATA, splitting any "]]>" it holds so it cannot end the section.
func cdata(b *bytes.Buffer, s string) {
	b.WriteString("<![CDATA[")
	b.WriteString(strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]>")
}

func nonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// encrypt is WeChat's scheme: 16 random bytes, the message's length (4 bytes, big-endian),
// the message, the AppID; PKCS#7 to 32 bytes; AES-256-CBC with the key's first 16 bytes as
// IV; base64.
func (c Config) encrypt(msg []byte) (string, error) {
	var plain bytes.Buffer
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", err
	}
	plain.Write(random[:])
	_ = binary.Write(&plain, binary.BigEndian, uint32(len(msg)))
	plain.Write(msg)
	plain.WriteString(c.AppID)
	pad := 32 - plain.Len()%32
	plain.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, err := aes.NewCipher(c.AESKey)
	if err != nil {
		return "", err
	}
	out := make([]byte, plain.Len())
	cipher.NewCBCEncrypter(block, c.AESKey[:16]).CryptBlocks(out, plain.Bytes())
	return base64.StdEncoding.EncodeToString(out), nil
}

func (c Config) decrypt(enc string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, ErrMessage
	}
	block, err := aes.NewCipher(c.AESKey)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, c.AESKey[:16]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) {
		return nil, ErrMessage
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, ErrMessage
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if n < 0 || 20+n > len(plain) {
		return nil, ErrMessage
	}
	msg, appID := plain[20:20+n], string(plain[20+n:])
	if !equal(appID, c.AppID) {
		return nil, ErrSignature
	}
	return msg, nil
}

// Push builds a request as WeChat would send m to the endpoint at now: the query and the
// body, encrypted where the account is. Tests and the local helper post with it.
func (c Config) Push(m Message, now time.Time) (Query, []byte, error) {
	m.XMLName = xml.Name{Local: "xml"}
	body, err := xml.Marshal(m)
	if err != nil {
		return Query{}, nil, err
	}
	ts, n := strconv.FormatInt(now.Unix(), 10), nonce()
	q := Query{Signature: Sign(c.Token, ts, n), Timestamp: ts, Nonce: n}
	if c.AESKey == nil {
		return q, body, nil
	}
	enc, err := c.encrypt(body)
	if err != nil {
		return Query{}, nil, err
	}
	q.EncryptType, q.MsgSignature = "aes", Sign(c.Token, ts, n, enc)
	var b bytes.Buffer
	b.WriteString("<xml><ToUserName>")
	cdata(&b, m.ToUserName)
	b.WriteString("</ToUserName><Encrypt>")
	cdata(&b, enc)
	b.WriteString("</Encrypt></xml>")
	return q, b.Bytes(), nil
}

// replyEnvelope is an encrypted reply as WeChat reads it.
type replyEnvelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      string   `xml:"Encrypt"`
	MsgSignature string   `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        string   `xml:"Nonce"`
}

type textReply struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
}

// ReadReply reads a passive reply as WeChat does (checking an encrypted one's signature) and
// returns its text and to whom it goes: for tests and the local helper. An empty reply
// ("success" or nothing) has no text.
func (c Config) ReadReply(reply string) (to, text string, err error) {
	if reply == "" || reply == "success" {
		return "", "", nil
	}
	body := []byte(reply)
	if c.AESKey != nil {
		var env replyEnvelope
		if err := xml.Unmarshal(body, &env); err != nil {
			return "", "", ErrMessage
		}
		if !equal(Sign(c.Token, env.TimeStamp, env.Nonce, env.Encrypt), env.MsgSignature) {
			return "", "", ErrSignature
		}
		if body, err = c.decrypt(env.Encrypt); err != nil {
			return "", "", err
		}
	}
	var r textReply
	if err := xml.Unmarshal(body, &r); err != nil || r.MsgType != "text" {
		return "", "", ErrMessage
	}
	return r.ToUserName, r.Content, nil
}
