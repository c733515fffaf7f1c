package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// API is the service account's server API (api.weixin.qq.com): the access token and
// temporary QR codes. Its client is built only by the functions that call it.
type API struct {
	Base      string // https://api.weixin.qq.com, or a local fake
	AppID     string
	AppSecret string
	HTTP      *http.Client
}

// DefaultAPIBase is WeChat's API host.
const DefaultAPIBase = "https://api.weixin.qq.com"

// apiError is WeChat's error answer; errcode 0 is none.
type apiError struct {
	Code    int    `json:"errcode"`
	Message string `json:"errmsg"`
}

func (e apiError) err(call string) error {
	if e.Code == 0 {
		return nil
	}
	return fmt.Errorf("wechat %s: errcode %d", call, e.Code) // errmsg may echo the request
}

// ErrTokenVoid is an access token WeChat no longer takes (40001, 42001, 40014): another
// fetch voided it, or it expired early.
var ErrTokenVoid = errors.New("wechat: access token void")

func (a API) call(ctx context.Context, method, path string, query url.Values, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.Base+path+"?"+query.Encode(), rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := a.HTTP
	if client == nil {
		client = &http.Client{Timeout: 3 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("wechat %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wechat %s: HTTP %d", path, resp.StatusCode)
	}
	var e apiError
	_ = json.Unmarshal(raw, &e)
	switch e.Code {
	case 40001, 42001, 40014:
		return ErrTokenVoid
	}
	if err := e.err(path); err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// Token is an access token and when it ends.
type Token struct {
	Value   string
	Expires time.Time
}

// FetchToken asks WeChat for a new access token, which voids the previous one: only the
// holder of the table's lease calls it (store.LeaseWechatToken).
func (a API) FetchToken(ctx context.Context, now time.Time) (Token, error) {
	var out struct {
		Token     string `json:"access_token"`
		ExpiresIn int    `json:"expires_in"`
	}
	q := url.Values{"grant_type": {"client_credential"}, "appid": {a.AppID}, "secret": {a.AppSecret}}
	if err := a.call(ctx, http.MethodGet, "/cgi-bin/token", q, nil, &out); err != nil {
		return Token{}, err
	}
	if out.Token == "" || out.ExpiresIn <= 0 {
		return Token{}, errors.New("wechat token: empty answer")
	}
	return Token{Value: out.Token, Expires: now.Add(time.Duration(out.ExpiresIn) * time.Second)}, nil
}

// QR is a temporary QR code: its image's address on WeChat's site, the text it encodes (for a
// page that draws the code itself rather than load a third party's image), and how long it
// lives.
type QR struct {
	ImageURL  string
	Content   string
	ExpiresIn int
}

// CreateQR makes a temporary QR code whose scan sends scene back in a SCAN or subscribe event.
func (a API) CreateQR(ctx context.Context, token, scene string, ttl time.Duration) (QR, error) {
	body := map[string]any{
		"expire_seconds": int(ttl / time.Second),
		"action_name":    "QR_STR_SCENE",
		"action_info":    map[string]any{"scene": map[string]string{"scene_str": scene}},
	}
	var out struct {
		Ticket        string `json:"ticket"`
		ExpireSeconds int    `json:"expire_seconds"`
		URL           string `json:"url"`
	}
	if err := a.call(ctx, http.MethodPost, "/cgi-bin/qrcode/create", url.Values{"access_token": {token}}, body, &out); err != nil {
		return QR{}, err
	}
	if out.Ticket == "" {
		return QR{}, errors.New("wechat qrcode: empty ticket")
	}
	return QR{ImageURL: "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=" + url.QueryEscape(out.Ticket),
		Content: out.URL, ExpiresIn: out.ExpireSeconds}, nil
}
