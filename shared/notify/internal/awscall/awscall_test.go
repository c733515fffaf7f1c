package awscall

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
)

// The standard endpoint is the one the SDK's own endpoint rules give, in every partition a
// deployment may use.
func TestStandardEndpointIsTheSDKs(t *testing.T) {
	ctx := context.Background()
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-1", "cn-north-1", "cn-northwest-1", "us-gov-west-1", "eusc-de-east-1"} {
		ses, err := sesv2.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, sesv2.EndpointParameters{Region: aws.String(region)})
		if err != nil {
			t.Fatal(err)
		}
		if got := StandardEndpoint("email", region); got != ses.URI.String() {
			t.Errorf("SES in %s: %s, the SDK's %s", region, got, ses.URI.String())
		}
		topic, err := sns.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, sns.EndpointParameters{Region: aws.String(region)})
		if err != nil {
			t.Fatal(err)
		}
		if got := StandardEndpoint("sns", region); got != topic.URI.String() {
			t.Errorf("SNS in %s: %s, the SDK's %s", region, got, topic.URI.String())
		}
	}
}

type staticCreds struct{}

func (staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"}, nil
}

var testService = Service{ID: "Test", SigningName: "ses", EndpointPrefix: "email"}

func fail(header http.Header, body []byte) (code, message string) {
	return header.Get("X-Code"), string(body)
}

// server answers the attempts with the statuses and codes given, in turn, then 200.
func server(t *testing.T, answers ...[2]string) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(answers) {
			w.Header().Set("X-Code", answers[i][1])
			switch answers[i][0] {
			case "503":
				w.WriteHeader(503)
			case "429":
				w.WriteHeader(429)
			default:
				w.WriteHeader(400)
			}
			_, _ = w.Write([]byte("refused"))
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func client(cfg aws.Config, url string) *Client {
	c := New(cfg, testService, aws.String(url))
	c.sleep = func(context.Context, time.Duration) error { return nil }
	return c
}

// Server errors, throttling and transport errors are tried again, up to the SDK's three
// attempts; a refusal is not.
func TestRetriesAsTheSDKDoes(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}}
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		answers  [][2]string
		attempts int32
		code     string
	}{
		{"two server errors", [][2]string{{"503", "ServiceUnavailable"}, {"503", ""}}, 3, ""},
		{"throttled", [][2]string{{"400", "Throttling"}}, 2, ""},
		{"too many requests", [][2]string{{"429", ""}}, 2, ""},
		{"three server errors", [][2]string{{"503", ""}, {"503", ""}, {"503", "InternalFailure"}}, 3, "InternalFailure"},
		{"a refusal", [][2]string{{"400", "MessageRejected"}}, 1, "MessageRejected"},
		{"a refusal without a code", [][2]string{{"400", ""}}, 1, "UnknownError"},
	} {
		srv, n := server(t, c.answers...)
		out, err := client(cfg, srv.URL).Do(ctx, "Op", "POST", "/", "text/plain", []byte("x"), fail)
		var api smithy.APIError
		switch {
		case c.code == "" && (err != nil || string(out) != "ok"):
			t.Errorf("%s: %q %v", c.name, out, err)
		case c.code != "" && (!errors.As(err, &api) || api.ErrorCode() != c.code):
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		case n.Load() != c.attempts:
			t.Errorf("%s: %d attempts, want %d", c.name, n.Load(), c.attempts)
		}
	}
	// RetryMaxAttempts caps them, as it caps the SDK's.
	srv, n := server(t, [2]string{"503", ""})
	cfg.RetryMaxAttempts = 1
	if _, err := client(cfg, srv.URL).Do(ctx, "Op", "POST", "/", "text/plain", nil, fail); err == nil || n.Load() != 1 {
		t.Fatalf("%v after %d attempts", err, n.Load())
	}
	// A server that is not there: the connection is refused, three times.
	cfg.RetryMaxAttempts = 0
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if _, err := client(cfg, dead.URL).Do(ctx, "Op", "POST", "/", "text/plain", nil, fail); err == nil || !strings.Contains(err.Error(), "attempt") {
		t.Fatalf("%v", err)
	}
}

// A request is signed as the SDK signs it, over the body as sent, unless the credentials are
// anonymous; an ended context ends it as canceled.
func TestSignsTheRequestAsSent(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body = make([]byte, r.ContentLength)
		_, _ = r.Body.Read(body)
	}))
	defer srv.Close()
	cfg := aws.Config{Region: "cn-north-1", Credentials: aws.NewCredentialsCache(staticCreds{})}
	if _, err := New(cfg, testService, aws.String(srv.URL)).Do(context.Background(), "Op", "POST", "/v2/x", "application/json", []byte(`{"a":1}`), fail); err != nil {
		t.Fatal(err)
	}
	// Signing again what the server received, at the time it was signed, gives the same signature.
	when, err := time.Parse("20060102T150405Z", got.Header.Get("X-Amz-Date"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := http.NewRequest("POST", srv.URL+"/v2/x", strings.NewReader(string(body)))
	again.Header.Set("Content-Type", got.Header.Get("Content-Type"))
	hash := "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862" // sha256 of {"a":1}
	if err := v4.NewSigner().SignHTTP(context.Background(), must(staticCreds{}.Retrieve(context.Background())), again, hash, "ses", "cn-north-1", when); err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Authorization") != again.Header.Get("Authorization") || got.Header.Get("X-Amz-Security-Token") != "TOKEN" {
		t.Fatalf("sent %q\nwant %q", got.Header.Get("Authorization"), again.Header.Get("Authorization"))
	}

	cfg.Credentials = aws.AnonymousCredentials{}
	if _, err := New(cfg, testService, aws.String(srv.URL)).Do(context.Background(), "Op", "POST", "/", "text/plain", nil, fail); err != nil || got.Header.Get("Authorization") != "" {
		t.Fatalf("anonymous: %v %q", err, got.Header.Get("Authorization"))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(cfg, testService, aws.String(srv.URL)).Do(ctx, "Op", "POST", "/", "text/plain", nil, fail); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
