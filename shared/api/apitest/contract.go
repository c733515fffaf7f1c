package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// contract is docs/openapi.yaml, loaded and checked once per test binary.
var contract = sync.OnceValues(func() (routers.Router, error) {
	_, here, _, _ := runtime.Caller(0)
	file := filepath.Join(filepath.Dir(here), "..", "..", "..", "docs", "openapi.yaml")
	doc, err := openapi3.NewLoader().LoadFromFile(file)
	if err != nil {
		return nil, err
	}
	return legacy.NewRouter(doc)
})

// holdToContract fails t when the answer is not one the contract lists for the route: an
// unlisted status, a missing or misnamed field, a field of the wrong type or format. The
// request is held to it too: a body the server took must be one the contract allows (the
// schema may not refuse what the server accepts), and a body the server refused as
// malformed (400 BAD_REQUEST) must be one the contract refuses, where JSON Schema can say so
// (it cannot see a key given twice, nesting depth, or bytes that are not UTF-8).
func holdToContract(t testing.TB, method, target string, body []byte, res Result) {
	t.Helper()
	router, err := contract()
	if err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	req := httptest.NewRequest(method, target, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in docs/openapi.yaml: %v", method, target, err)
	}
	if route.Operation.RequestBody != nil && len(body) > 0 {
		holdRequest(t, method, target, body, route, params, res)
	}
	header := http.Header{}
	for k, v := range res.Headers {
		header.Set(k, v)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  res.Status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader([]byte(res.Raw))),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s answered %d outside the contract (docs/openapi.yaml): %v\n%.400s", method, target, res.Status, err, res.Raw)
	}
}

func holdRequest(t testing.TB, method, target string, body []byte, route *routers.Route, params map[string]string, res Result) {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	err := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	})
	switch {
	case res.Status < 300 && err != nil:
		t.Fatalf("%s %s took a body docs/openapi.yaml refuses: %v\n%.300s", method, target, err, body)
	case res.Status == 400 && res.Code() == "BAD_REQUEST" && err == nil && schemaCanSee(body):
		t.Fatalf("%s %s refused as malformed a body docs/openapi.yaml allows (%s)\n%.300s", method, target, res.Message(), body)
	}
}

// schemaCanSee reports a body whose flaws JSON Schema could describe: valid UTF-8 JSON with
// no key given twice.
func schemaCanSee(body []byte) bool {
	if !utf8.Valid(body) || !json.Valid(body) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var walk func() bool
	walk = func() bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil || seen[k.(string)] {
					return false
				}
				seen[k.(string)] = true
				if !walk() {
					return false
				}
			}
			_, err = dec.Token()
			return err == nil
		case json.Delim('['):
			for dec.More() {
				if !walk() {
					return false
				}
			}
			_, err = dec.Token()
			return err == nil
		}
		return true
	}
	return walk()
}
