package api

import (
	"crypto/subtle"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Behind CloudFront (template.yaml: the site and /v1/* under one distribution) API Gateway's
// sourceIp is an edge server's, shared by every applicant that edge serves, so the
// per-address limits would count whole cities as one caller. The distribution sends the
// viewer's own address in CloudFront-Viewer-Address, which a client cannot set, and a
// secret header that proves the request came through it; a call straight to the execute-api
// address could forge the first but not the second, and is refused.
const (
	// OriginSecretEnv names the variable holding the secret the distribution adds; unset (make
	// run, tests) the event's sourceIp stands as it is.
	OriginSecretEnv    = "ORIGIN_VERIFY_SECRET"
	originSecretHeader = "x-origin-verify"
	viewerHeader       = "cloudfront-viewer-address"
)

// edge is what Lambda needs to trust the distribution: its secret, or "" for none.
type edge struct{ secret []byte }

func edgeFromEnv() edge { return edge{secret: []byte(os.Getenv(OriginSecretEnv))} }

// admit checks that ev came through the distribution and puts the viewer's address where
// Source reads it. The secret header is dropped so that nothing later logs or echoes it.
func (e edge) admit(ev *events.APIGatewayV2HTTPRequest) *Error {
	if len(e.secret) == 0 {
		return nil
	}
	got := []byte(ev.Headers[originSecretHeader])
	delete(ev.Headers, originSecretHeader)
	if subtle.ConstantTimeCompare(got, e.secret) != 1 {
		return Forbidden(CodeForbidden, "请通过中国教师资格网网站访问")
	}
	if ip, ok := viewerAddress(ev.Headers[viewerHeader]); ok {
		ev.RequestContext.HTTP.SourceIP = ip
	}
	return nil
}

// viewerAddress is the address of CloudFront-Viewer-Address ("198.51.100.10:46532",
// "2001:db8::1:443" — IPv6 without brackets, the port after the last colon).
func viewerAddress(v string) (string, bool) {
	if v == "" {
		return "", false
	}
	if host, _, err := net.SplitHostPort(v); err == nil {
		v = host
	} else if i := strings.LastIndexByte(v, ':'); i > 0 {
		v = v[:i]
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return "", false
	}
	return a.String(), true
}
