// Package apitest calls handlers the way API Gateway does: through a payload 2.0 event built
// from an HTTP request, and the Lambda adapter of package api; and it holds every answer to
// the contract in docs/openapi.yaml, status, shape and field names.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/jszg/applicant-accounts/shared/api"
)

// Result is a decoded answer.
type Result struct {
	Status  int
	Body    map[string]any
	Raw     string
	Headers map[string]string
}

// Code is the error code of an error answer, or "".
func (r Result) Code() string { return r.errField("code") }

// Field is the field named by an error answer, or "".
func (r Result) Field() string { return r.errField("field") }

// Message is the message of an error answer, or "".
func (r Result) Message() string { return r.errField("message") }

func (r Result) errField(name string) string {
	e, _ := r.Body["error"].(map[string]any)
	v, _ := e[name].(string)
	return v
}

// RetryAfter is the retryAfter of an error answer, or 0.
func (r Result) RetryAfter() int {
	e, _ := r.Body["error"].(map[string]any)
	f, _ := e["retryAfter"].(float64)
	return int(f)
}

// Int reads a number at the top of the body.
func (r Result) Int(name string) int {
	f, _ := r.Body[name].(float64)
	return int(f)
}

// Str reads a string at the top of the body.
func (r Result) Str(name string) string {
	s, _ := r.Body[name].(string)
	return s
}

// Items reads the objects of the body's items list.
func (r Result) Items() []map[string]any {
	raw, _ := r.Body["items"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		m, _ := it.(map[string]any)
		out = append(out, m)
	}
	return out
}

// Request describes one call.
type Request struct {
	Method string
	Path   string
	Route  string            // defaults to "METHOD Path"
	Params map[string]string // path parameters
	Token  string            // bearer token
	From   string            // the caller's address as API Gateway sees it (sourceIp)
	Query  map[string]string // query-string parameters
	Body   any               // nil: no body; string or []byte: sent as is; else JSON
	// Unlisted is for handlers made up by a test (a gate's probe): not in the contract, so
	// their answers are not held to it.
	Unlisted bool
}

// Call sends req to h.
func Call(t testing.TB, h api.HandlerFunc, req Request) Result {
	t.Helper()
	var body []byte
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = []byte(b)
	case []byte:
		body = b
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			t.Fatalf("marshal body: %v", err)
		}
	}
	target := req.Path
	if len(req.Query) > 0 {
		q := url.Values{}
		for k, v := range req.Query {
			q.Set(k, v)
		}
		target += "?" + q.Encode()
	}
	hr := httptest.NewRequest(req.Method, target, bytes.NewReader(body))
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	route := req.Route
	if route == "" {
		route = req.Method + " " + req.Path
	}
	ev := api.NewEvent(hr, route, req.Params, body, "test-request")
	if req.From != "" {
		ev.RequestContext.HTTP.SourceIP = req.From
	}
	resp, err := api.Lambda(h)(context.Background(), ev)
	if err != nil {
		t.Fatalf("the adapter returned an error to the runtime: %v", err)
	}
	res := Result{Status: resp.StatusCode, Raw: resp.Body, Headers: resp.Headers}
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &res.Body); err != nil {
			t.Fatalf("answer is not a JSON object: %q", resp.Body)
		}
	}
	if !req.Unlisted {
		holdToContract(t, req.Method, target, body, res)
	}
	return res
}

// FuzzBody fuzzes the strict decoding of a route's body into a T, from the seeds given:
// whatever comes in, decoding neither panics nor answers anything but a 400, and a body it
// accepts, written out again, decodes to the same value.
func FuzzBody[T any](f *testing.F, seeds ...string) {
	jsonRequest := func(body []byte) *api.Request {
		return &api.Request{Body: body, Event: &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"content-type": "application/json"}}}
	}
	for _, s := range append(seeds, `{}`, `{"a":1,"a":2}`, `[]`, `null`, "{\"\xff\":1}", `{"x":{"y":{"z":[[[[[]]]]]}}}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v T
		err := jsonRequest(body).Decode(&v)
		if err != nil {
			var e *api.Error
			if !errors.As(err, &e) || e.Status != 400 {
				t.Fatalf("%q: %v", body, err)
			}
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%q: accepted as %+v, which does not encode: %v", body, v, err)
		}
		var w T
		if err := jsonRequest(again).Decode(&w); err != nil || !reflect.DeepEqual(v, w) {
			t.Fatalf("%q: accepted as %+v, which decodes again as %+v, %v", body, v, w, err)
		}
	})
}
