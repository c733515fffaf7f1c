package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jszg/applicant-accounts/shared/metrics"
)

// HandlerFunc is one operation of the contract.
type HandlerFunc func(ctx context.Context, r *Request) (*Response, error)

// LambdaFunc is the shape lambda.Start takes for an HTTP API route, and what the local server
// calls with the events it builds.
type LambdaFunc func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Serve is a function's main loop: JSON logs with request ids on stdout, where Lambda sends
// them to CloudWatch, and h answering every event.
func Serve(h HandlerFunc) {
	slog.SetDefault(NewLogger(os.Stdout))
	lambda.Start(Lambda(h))
}

// Lambda adapts h to API Gateway events. It never returns an error to the runtime: every
// outcome, panics included, is an answer in the contract's shape.
func Lambda(h HandlerFunc) LambdaFunc {
	edge := edgeFromEnv()
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		start := time.Now()
		id := ev.RequestContext.RequestID
		if id == "" {
			id = newRequestID()
		}
		ctx = WithRequestID(ctx, id)
		ctx, flushMetrics := metrics.Invocation(ctx)
		defer flushMetrics()
		var resp events.APIGatewayV2HTTPResponse
		failure := edge.admit(&ev)
		if failure == nil && fromAnotherSite(&ev) {
			failure = Forbidden(CodeForbidden, "请在中国教师资格网网站上操作")
		}
		if failure != nil {
			resp = encodeError(ctx, failure, id)
		} else {
			resp, failure = serve(ctx, h, &ev, id)
		}
		attrs := []any{
			slog.String("route", ev.RouteKey),
			slog.Int("status", resp.StatusCode),
			slog.Int64("durationMs", time.Since(start).Milliseconds()),
		}
		if failure != nil {
			attrs = append(attrs, slog.String("code", failure.Code))
			if failure.Field != "" {
				attrs = append(attrs, slog.String("field", failure.Field))
			}
		}
		slog.InfoContext(ctx, "request", attrs...)
		return resp, nil
	}
}

// serve runs h and also returns the error answered, if any, for the request's log line.
func serve(ctx context.Context, h HandlerFunc, ev *events.APIGatewayV2HTTPRequest, id string) (out events.APIGatewayV2HTTPResponse, failure *Error) {
	defer func() {
		if p := recover(); p != nil {
			failure = internal(fmt.Errorf("panic: %v", p))
			out = encodeError(ctx, failure, id)
		}
	}()
	body, failure := requestBody(ev)
	if failure != nil {
		return encodeError(ctx, failure, id), failure
	}
	resp, err := h(ctx, &Request{Event: ev, Body: body, ID: id})
	if err != nil {
		failure = answerOf(err)
		return encodeError(ctx, failure, id), failure
	}
	if resp.ContentType == "" {
		out = encode(resp.Status, resp.Body, id)
	} else {
		out = encode(resp.Status, nil, id)
		out.Headers["Content-Type"] = resp.ContentType
		out.Body = resp.Text
	}
	for k, v := range resp.Headers {
		out.Headers[k] = v
	}
	return out, nil
}

func requestBody(ev *events.APIGatewayV2HTTPRequest) ([]byte, *Error) {
	if !ev.IsBase64Encoded {
		if len(ev.Body) > MaxBody {
			return nil, payloadTooLarge()
		}
		return []byte(ev.Body), nil
	}
	if base64.StdEncoding.DecodedLen(len(ev.Body)) > MaxBody+3 {
		return nil, payloadTooLarge()
	}
	b, err := base64.StdEncoding.DecodeString(ev.Body)
	if err != nil {
		return nil, BadRequest("请求体编码无效")
	}
	if len(b) > MaxBody {
		return nil, payloadTooLarge()
	}
	return b, nil
}

func encodeError(ctx context.Context, e *Error, id string) events.APIGatewayV2HTTPResponse {
	if e.Status >= 500 {
		slog.ErrorContext(ctx, "request failed", slog.String("code", e.Code), slog.String("cause", causeText(e)))
	}
	resp := encode(e.Status, e.body(), id)
	if e.RetryAfter > 0 {
		resp.Headers["Retry-After"] = strconv.Itoa(e.RetryAfter)
	}
	return resp
}

func causeText(e *Error) string {
	if e.Cause == nil {
		return e.Message
	}
	return e.Cause.Error()
}

func encode(status int, body any, id string) events.APIGatewayV2HTTPResponse {
	headers := map[string]string{
		"Cache-Control": "no-store",
		"X-Request-Id":  id,
	}
	if body == nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"INTERNAL","message":"系统繁忙，请稍后重试"}}`)
	}
	headers["Content-Type"] = "application/json; charset=utf-8"
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers, Body: buf.String()}
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NotFoundRoute answers routes that do not exist with the contract's 404.
func NotFoundRoute(_ context.Context, _ *Request) (*Response, error) {
	return nil, NotFound("请求的接口不存在")
}

// fromAnotherSite is a browser's request that a page of another site made (Sec-Fetch-Site,
// which no page can set), for any method but GET and HEAD. Such a request is refused
// whatever its body: a POST with none (a slider, a reset's send) or a text/plain one needs
// no CORS preflight, so a page elsewhere could spend the sliders, codes and login attempts
// of the address its visitors share. GET is let through: the 教育部 callback is a
// navigation from the provider's site, and no other GET changes anything. Requests from no
// browser (WeChat's servers, scripts) carry no Sec-Fetch-Site.
func fromAnotherSite(ev *events.APIGatewayV2HTTPRequest) bool {
	if m := ev.RequestContext.HTTP.Method; m == http.MethodGet || m == http.MethodHead {
		return false
	}
	site := ev.Headers["sec-fetch-site"]
	return site == "cross-site" || site == "same-site"
}
