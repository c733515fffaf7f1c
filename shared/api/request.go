package api

import (
	"bytes"
	"fmt"
	"mime"
	"net/netip"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBody is the largest request body the contract takes (SPEC §2).
const MaxBody = 1 << 20

// Request is one API call: the API Gateway event, its decoded body and its request id.
type Request struct {
	Event *events.APIGatewayV2HTTPRequest
	Body  []byte
	ID    string
}

// PathParam is a {name} segment of the route.
func (r *Request) PathParam(name string) string { return r.Event.PathParameters[name] }

// Query is a query-string parameter.
func (r *Request) Query(name string) string { return r.Event.QueryStringParameters[name] }

// Header is a request header; API Gateway lower-cases their names in payload v2.
func (r *Request) Header(name string) string {
	if v, ok := r.Event.Headers[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range r.Event.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Source is the caller's address as API Gateway saw it, in the form the per-address limits
// count: an IPv6 address stands for its /64, because one subscriber is handed a whole /64 and
// could otherwise take a fresh address, and a fresh allowance, for every request.
func (r *Request) Source() string { return SourceKey(r.Event.RequestContext.HTTP.SourceIP) }

// SourceKey is Source for one address: IPv4 (also IPv4-mapped IPv6) as it is, IPv6 as its /64
// prefix, and anything else unchanged.
func SourceKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// BearerToken is the token of an "Authorization: Bearer …" header, or "".
func (r *Request) BearerToken() string {
	h := strings.TrimSpace(r.Header("Authorization"))
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// Decode reads the body, which must be a JSON object of exactly dst's fields sent as
// application/json. Another site's page can make a visitor's browser send a text/plain or
// form body without asking (no CORS preflight), and so spend the visitor's allowances or
// count wrong passwords against a login from the visitor's address; a JSON body from
// another origin needs a preflight, which the API never grants.
func (r *Request) Decode(dst any) error {
	if media, _, err := mime.ParseMediaType(r.Header("Content-Type")); err != nil || media != "application/json" {
		return BadRequest("请求体应为JSON（Content-Type: application/json）")
	}
	if err := decodeStrict(r.Body, dst); err != nil {
		return err
	}
	return nil
}

// NoBody accepts what routes without a body take: nothing, or an empty object (SPEC §2), in
// any media type; anything else is read as Decode reads a body.
func (r *Request) NoBody() error {
	b := bytes.TrimSpace(r.Body)
	if len(b) == 0 || string(b) == "{}" {
		return nil
	}
	var empty struct{}
	return r.Decode(&empty)
}

// Response is what a handler answers; Body is encoded as JSON unless nil. A route that speaks
// another protocol (WeChat's XML, a redirect) sets ContentType and Text instead, sent as they
// are. Headers are set last, over the others (Content-Type, Cache-Control, X-Request-Id).
type Response struct {
	Status      int
	Body        any
	ContentType string
	Text        string
	Headers     map[string]string
}

// Plain answers status with text of the given content type, as it is.
func Plain(status int, contentType, text string) *Response {
	return &Response{Status: status, ContentType: contentType, Text: text}
}

// Redirect answers 302 to location, with no body.
func Redirect(location string) *Response {
	return &Response{Status: 302, Headers: map[string]string{"Location": location}}
}

// JSON answers status with body.
func JSON(status int, body any) *Response { return &Response{Status: status, Body: body} }

// TextsKeptFor is how long CloudFront keeps an answer that changes only with a deploy (the
// site's texts). Short, so that a deploy reaches every viewer within minutes even when nobody
// runs make deploy-texts, which invalidates them at once: the agreement a viewer reads is the
// one registration records. Each regional cache asks again every 5 minutes, about 11,000
// requests a day for the three texts, nothing against a wave's millions.
const TextsKeptFor = 5 * time.Minute

// SharedFor lets shared caches (CloudFront) keep r for ttl and makes browsers ask again each
// time: for answers that change only with a deploy, which invalidates them at the edge
// (docs/OPERATIONS.md). Every other answer says no-store.
func (r *Response) SharedFor(ttl time.Duration) *Response {
	if r.Headers == nil {
		r.Headers = map[string]string{}
	}
	r.Headers["Cache-Control"] = fmt.Sprintf("public, max-age=0, s-maxage=%d", int(ttl/time.Second))
	return r
}

// NoContent answers 204.
func NoContent() *Response { return &Response{Status: 204} }
