package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/jszg/applicant-accounts/shared/identity"
)

type form struct {
	Phone   string `json:"phone"`
	Count   int    `json:"count"`
	Captcha *struct {
		ID string  `json:"id"`
		X  float64 `json:"x"`
	} `json:"captcha"`
}

func echo(ctx context.Context, r *Request) (*Response, error) {
	var f form
	if err := r.Decode(&f); err != nil {
		return nil, err
	}
	return JSON(200, f), nil
}

func call(t *testing.T, h HandlerFunc, body string, b64 bool) (int, map[string]any, events.APIGatewayV2HTTPResponse) {
	t.Helper()
	return callAs(t, h, "application/json", body, b64)
}

func callAs(t *testing.T, h HandlerFunc, contentType, body string, b64 bool) (int, map[string]any, events.APIGatewayV2HTTPResponse) {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{RouteKey: "POST /x", Body: body, IsBase64Encoded: b64,
		Headers:        map[string]string{"content-type": contentType},
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "req-1"}}
	resp, err := Lambda(h)(context.Background(), ev)
	if err != nil {
		t.Fatalf("adapter returned an error to the runtime: %v", err)
	}
	var m map[string]any
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &m); err != nil {
			t.Fatalf("answer is not JSON: %q", resp.Body)
		}
	}
	return resp.StatusCode, m, resp
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestStrictJSON(t *testing.T) {
	cases := []struct {
		name string
		body string
		want int
		code string
	}{
		{"ok", `{"phone":"138","count":1,"captcha":{"id":"a","x":12.5}}`, 200, ""},
		{"missing fields are zero", `{}`, 200, ""},
		{"empty body", ``, 400, CodeBadRequest},
		{"blank body", "  \n", 400, CodeBadRequest},
		{"array", `[{"phone":"1"}]`, 400, CodeBadRequest},
		{"null", `null`, 400, CodeBadRequest},
		{"string", `"phone"`, 400, CodeBadRequest},
		{"not json", `{phone: 1}`, 400, CodeBadRequest},
		{"truncated", `{"phone":"1"`, 400, CodeBadRequest},
		{"trailing data", `{"phone":"1"} {"phone":"2"}`, 400, CodeBadRequest},
		{"unknown field", `{"phone":"1","admin":true}`, 400, CodeBadRequest},
		{"unknown nested field", `{"captcha":{"id":"a","x":1,"y":2}}`, 400, CodeBadRequest},
		{"key in other case", `{"Phone":"1"}`, 400, CodeBadRequest},
		{"nested key in other case", `{"captcha":{"ID":"a","x":1}}`, 400, CodeBadRequest},
		{"wrong type string for int", `{"count":"1"}`, 400, CodeBadRequest},
		{"wrong type number for string", `{"phone":13800138000}`, 400, CodeBadRequest},
		{"wrong type for object", `{"captcha":"abc"}`, 400, CodeBadRequest},
		{"null for a string", `{"phone":null}`, 400, CodeBadRequest},
		{"null for an optional object", `{"captcha":null}`, 200, ""},
		{"fraction for an int", `{"count":1.5}`, 400, CodeBadRequest},
		{"invalid utf-8", "{\"phone\":\"\xff\"}", 400, CodeBadRequest},
		{"a key twice", `{"phone":"1","phone":"2"}`, 400, CodeBadRequest},
		{"a nested key twice", `{"captcha":{"id":"a","x":1,"id":"b"}}`, 400, CodeBadRequest},
		{"keys of a nested object count apart", `{"phone":"1","captcha":{"id":"a","x":1}}`, 200, ""},
		{"a key twice after a nested object", `{"captcha":{"id":"a"},"phone":"1","captcha":null}`, 400, CodeBadRequest},
		{"nested too deep", strings.Repeat(`{"captcha":`, 20) + `{}` + strings.Repeat(`}`, 20), 400, CodeBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m, _ := call(t, echo, c.body, false)
			if status != c.want || errCode(m) != c.code {
				t.Fatalf("status %d code %q, want %d %q (%v)", status, errCode(m), c.want, c.code, m)
			}
			if c.code != "" {
				e := m["error"].(map[string]any)
				if msg, _ := e["message"].(string); msg == "" {
					t.Fatal("error without a message")
				}
			}
		})
	}
}

// A body is JSON only as application/json: a text/plain or form body is what another site's
// page can make a visitor's browser send without a preflight, and is refused unread.
func TestABodyIsReadOnlyAsJSON(t *testing.T) {
	const body = `{"phone":"1"}`
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON"} {
		if status, m, _ := callAs(t, echo, ct, body, false); status != 200 {
			t.Errorf("%q: %d %v", ct, status, m)
		}
	}
	for _, ct := range []string{"", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/json-patch+json", "application/jsonx", "json"} {
		if status, m, _ := callAs(t, echo, ct, body, false); status != 400 || errCode(m) != CodeBadRequest {
			t.Errorf("%q: %d %v", ct, status, m)
		}
	}
	noBody := func(ctx context.Context, r *Request) (*Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		return NoContent(), nil
	}
	if status, _, _ := callAs(t, noBody, "text/plain", "", false); status != 204 {
		t.Errorf("no body as text/plain: %d", status)
	}
	if status, _, _ := callAs(t, noBody, "text/plain", "{}", false); status != 204 {
		t.Errorf("{} as text/plain, which SPEC §2 lets a route without a body take: %d", status)
	}
	if status, _, _ := callAs(t, noBody, "text/plain", `{"a":1}`, false); status != 400 {
		t.Errorf("a body as text/plain on a route without one: %d", status)
	}
}

// A page of another site cannot make its visitors' browsers act: every request but a GET
// that says it comes from another site's page is 403, with a body or without one, before
// the handler runs; its own pages, a typed address and clients that are no browser pass, and
// so does a navigation (the 教育部 callback comes from the provider's site).
func TestAnotherSitesPageIsRefused(t *testing.T) {
	ran := 0
	h := func(ctx context.Context, r *Request) (*Response, error) {
		ran++
		return NoContent(), nil
	}
	call := func(method, site, body string) int {
		headers := map[string]string{"content-type": "application/json"}
		if site != "" {
			headers["sec-fetch-site"] = site
		}
		ev := events.APIGatewayV2HTTPRequest{RouteKey: method + " /x", Body: body, Headers: headers,
			RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "req-1",
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method}}}
		resp, err := Lambda(h)(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	for _, c := range []struct {
		method, site, body string
		want               int
	}{
		{"POST", "cross-site", "", 403},
		{"POST", "same-site", "", 403},
		{"PUT", "cross-site", "{}", 403},
		{"DELETE", "cross-site", "", 403},
		{"POST", "same-origin", "", 204},
		{"POST", "none", "", 204},
		{"POST", "", "", 204},
		{"GET", "cross-site", "", 204},
	} {
		before := ran
		if got := call(c.method, c.site, c.body); got != c.want || (got == 403) != (ran == before) {
			t.Errorf("%s from %q: %d (the handler ran: %v), want %d", c.method, c.site, got, ran > before, c.want)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	atLimit := `{"phone":"` + strings.Repeat("1", MaxBody-len(`{"phone":""}`)) + `"}`
	if status, _, _ := call(t, echo, atLimit, false); status != 200 {
		t.Fatalf("a body of exactly 1 MiB got %d", status)
	}
	over := atLimit[:len(atLimit)-2] + `1"}`
	status, m, _ := call(t, echo, over, false)
	if status != 413 || errCode(m) != CodePayloadTooLarge {
		t.Fatalf("1 MiB + 1 got %d %v", status, errCode(m))
	}
	status, m, _ = call(t, echo, base64.StdEncoding.EncodeToString([]byte(over)), true)
	if status != 413 || errCode(m) != CodePayloadTooLarge {
		t.Fatalf("base64 1 MiB + 1 got %d %v", status, errCode(m))
	}
	status, _, _ = call(t, echo, base64.StdEncoding.EncodeToString([]byte(`{"phone":"1"}`)), true)
	if status != 200 {
		t.Fatalf("base64 body got %d", status)
	}
	status, m, _ = call(t, echo, "%%%not-base64", true)
	if status != 400 || errCode(m) != CodeBadRequest {
		t.Fatalf("bad base64 got %d %v", status, m)
	}
}

func TestNoBody(t *testing.T) {
	h := func(ctx context.Context, r *Request) (*Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		return NoContent(), nil
	}
	for _, ok := range []string{"", "{}", " { } "} {
		if status, _, _ := call(t, h, ok, false); status != 204 {
			t.Errorf("%q got %d", ok, status)
		}
	}
	for _, bad := range []string{`{"a":1}`, `[]`, `x`} {
		if status, _, _ := call(t, h, bad, false); status != 400 {
			t.Errorf("%q got %d", bad, status)
		}
	}
}

func TestErrorShape(t *testing.T) {
	h := func(ctx context.Context, r *Request) (*Response, error) {
		return nil, Invalid("password", &identity.RuleError{Message: "密码太短"})
	}
	status, m, resp := call(t, h, "{}", false)
	e := m["error"].(map[string]any)
	if status != 422 || e["code"] != CodeInvalidField || e["field"] != "password" || e["message"] != "密码太短" {
		t.Fatalf("got %d %v", status, m)
	}
	if _, has := e["retryAfter"]; has {
		t.Fatal("retryAfter present without a wait")
	}
	if resp.Headers["Content-Type"] != "application/json; charset=utf-8" || resp.Headers["X-Request-Id"] != "req-1" {
		t.Fatalf("headers %v", resp.Headers)
	}

	h = func(ctx context.Context, r *Request) (*Response, error) {
		return nil, QuotaExceeded("今日次数已用完", 3600)
	}
	status, m, resp = call(t, h, "{}", false)
	e = m["error"].(map[string]any)
	if status != 429 || e["retryAfter"] != float64(3600) || resp.Headers["Retry-After"] != "3600" {
		t.Fatalf("got %d %v %v", status, m, resp.Headers)
	}
	if _, has := e["field"]; has {
		t.Fatal("field present without a field at fault")
	}
}

func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(NewLogger(&logs))
	defer slog.SetDefault(prev)

	secret := errors.New("dial tcp 10.0.0.7:443: table accounts-prod refused")
	h := func(ctx context.Context, r *Request) (*Response, error) { return nil, secret }
	status, m, _ := call(t, h, "{}", false)
	if status != 500 || errCode(m) != CodeInternal {
		t.Fatalf("got %d %v", status, m)
	}
	raw, _ := json.Marshal(m)
	if strings.Contains(string(raw), "10.0.0.7") {
		t.Fatal("the cause reached the client")
	}
	if !strings.Contains(logs.String(), "10.0.0.7") {
		t.Fatal("the cause was not logged")
	}

	logs.Reset()
	panicky := func(ctx context.Context, r *Request) (*Response, error) { panic("boom") }
	status, m, _ = call(t, panicky, "{}", false)
	if status != 500 || errCode(m) != CodeInternal {
		t.Fatalf("panic got %d %v", status, m)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["requestId"] != "req-1" {
			t.Fatalf("log line without the request id: %q", line)
		}
	}
}

func TestBearerToken(t *testing.T) {
	cases := map[string]string{
		"Bearer abc":   "abc",
		"bearer  abc ": "abc",
		"Basic abc":    "",
		"Bearer":       "",
		"":             "",
	}
	for h, want := range cases {
		r := &Request{Event: &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"authorization": h}}}
		if got := r.BearerToken(); got != want {
			t.Errorf("%q → %q, want %q", h, got, want)
		}
	}
	r := &Request{Event: &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"Authorization": "Bearer x"}}}
	if r.BearerToken() != "x" {
		t.Error("a header not lower-cased is not found")
	}
}

func TestNotFoundRoute(t *testing.T) {
	status, m, _ := call(t, NotFoundRoute, "", false)
	if status != 404 || errCode(m) != CodeNotFound {
		t.Fatalf("got %d %v", status, m)
	}
}

func TestAnIPv6SubscriberIsOneSource(t *testing.T) {
	cases := map[string]string{
		"203.0.113.7":                    "203.0.113.7",
		"::ffff:203.0.113.7":             "203.0.113.7",
		"2001:db8:1:2::1":                "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:ff": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":                "2001:db8:1:3::/64",
		"fe80::1%eth0":                   "fe80::/64",
		"":                               "",
	}
	for addr, want := range cases {
		if got := SourceKey(addr); got != want {
			t.Errorf("SourceKey(%q) = %q, want %q", addr, got, want)
		}
	}
}

// A route of another protocol answers its own bytes and headers, still with the request id
// and no caching.
func TestPlainAndRedirectAnswers(t *testing.T) {
	plain := func(context.Context, *Request) (*Response, error) {
		return Plain(200, "application/xml; charset=utf-8", "<xml><A>1</A></xml>"), nil
	}
	ev := events.APIGatewayV2HTTPRequest{RouteKey: "POST /x", RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "req-1"}}
	resp, err := Lambda(plain)(context.Background(), ev)
	if err != nil || resp.Body != "<xml><A>1</A></xml>" || resp.Headers["Content-Type"] != "application/xml; charset=utf-8" ||
		resp.Headers["Cache-Control"] != "no-store" || resp.Headers["X-Request-Id"] == "" {
		t.Fatalf("plain: %+v", resp)
	}
	redirect := func(context.Context, *Request) (*Response, error) {
		return Redirect("https://example.cn/login?code=1"), nil
	}
	_, _, resp = call(t, redirect, "", false)
	if resp.StatusCode != 302 || resp.Headers["Location"] != "https://example.cn/login?code=1" || resp.Body != "" {
		t.Fatalf("redirect: %+v", resp)
	}
}

// A shared answer keeps its JSON body and the request id, tells shared caches how long and
// browsers to ask again.
func TestASharedAnswerKeepsItsBody(t *testing.T) {
	shared := func(context.Context, *Request) (*Response, error) {
		return JSON(200, map[string]string{"text": "协议"}).SharedFor(TextsKeptFor), nil
	}
	status, m, resp := call(t, shared, "", false)
	if status != 200 || m["text"] != "协议" || resp.Headers["Content-Type"] != "application/json; charset=utf-8" ||
		resp.Headers["Cache-Control"] != "public, max-age=0, s-maxage=300" || resp.Headers["X-Request-Id"] == "" {
		t.Fatalf("shared: %d %v %v", status, m, resp.Headers)
	}
}
