package apitest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

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
// unlisted status, a missing or misnamed field, a field of the wrong type or format.
func holdToContract(t testing.TB, method, target string, res Result) {
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
