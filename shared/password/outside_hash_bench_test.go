package password_test

// Issue 12, goal 3: the server time of login and registration outside the Argon2id hash.
// The real handlers run as a Lambda bootstrap runs them (the event decoded from JSON, the
// API Gateway adapter, the answer encoded) against minidyn over loopback HTTP, through the
// SDK with its signing. Every derivation is timed at shared/password's derive hook, every
// DynamoDB request at the HTTP transport, so what is left is this code's own time plus the
// SDK's marshalling and signing: "the rest", which the goal holds to 2 ms.
//
// These are benchmarks only (go test -bench); docs/PERFORMANCE.md has the figures.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	miniserver "github.com/truora/minidyn/server"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/registration"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

const benchPassword = "Smoke#2026ok"

var benchPepper = []byte("bench-sms-code-pepper-0123456789")

// spans times each DynamoDB request at the transport: from the request handed to HTTP to the
// answer's headers (minidyn's answers are a few hundred bytes, in the same segment).
type spans struct {
	next http.RoundTripper
	mu   sync.Mutex
	got  [][2]time.Time
}

func (s *spans) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := s.next.RoundTrip(r)
	end := time.Now()
	s.mu.Lock()
	s.got = append(s.got, [2]time.Time{start, end})
	s.mu.Unlock()
	return resp, err
}

// take forgets the requests timed so far and returns how many there were, how many in
// sequence (requests that overlap count once, as issue 12 counts them), and the time at
// least one was in flight.
func (s *spans) take() (n, inSequence int, covered time.Duration) {
	s.mu.Lock()
	got := s.got
	s.got = nil
	s.mu.Unlock()
	slices.SortFunc(got, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	var end time.Time
	for _, sp := range got {
		switch {
		case inSequence == 0 || sp[0].After(end):
			inSequence++
			covered += sp[1].Sub(sp[0])
			end = sp[1]
		case sp[1].After(end):
			covered += sp[1].Sub(end)
			end = sp[1]
		}
	}
	return len(got), inSequence, covered
}

// benchWorld is one minidyn behind loopback HTTP, the store over it as a function builds it,
// and the hash's time.
type benchWorld struct {
	store *store.Store
	trips *spans
	hash  atomic.Int64 // nanoseconds spent in Argon2id since the last take
}

type noOperators struct{}

func (noOperators) Publish(context.Context, string, string) error { return nil }

func newBenchWorld(b *testing.B) *benchWorld {
	b.Helper()
	srv := httptest.NewServer(miniserver.NewServer())
	b.Cleanup(srv.Close)
	w := &benchWorld{trips: &spans{next: http.DefaultTransport.(*http.Transport).Clone()}}
	// What awsenv.Config gives a function outside Lambda: a region and placeholder keys,
	// with which the SDK signs every request as it would in AWS.
	cfg := aws.Config{
		Region: "us-east-1",
		Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "bench"}, nil
		})),
		HTTPClient: &http.Client{Transport: w.trips},
	}
	client := store.NewClient(cfg, aws.String(srv.URL))
	if err := store.CreateTable(context.Background(), client, "bench"); err != nil {
		b.Fatal(err)
	}
	w.store = store.New(client, "bench").WithSealKey([]byte("bench-seal-key-0123456789abcdef"))
	password.TimeDerive(b, func(d time.Duration) { w.hash.Add(int64(d)) })
	// The request log and the metrics lines are written as in a function, to nowhere.
	prevLog, prevOut := slog.Default(), metrics.Out
	slog.SetDefault(api.NewLogger(io.Discard))
	metrics.Out = io.Discard
	b.Cleanup(func() { slog.SetDefault(prevLog); metrics.Out = prevOut })
	return w
}

// event is the JSON a bootstrap receives for a POST of body to route.
func event(b *testing.B, route, path string, body any) []byte {
	b.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(raw))
	r.Header.Set("Content-Type", "application/json")
	out, err := json.Marshal(api.NewEvent(r, route, nil, raw, token.New(8)))
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// run answers each prepared event in turn, as a bootstrap would (decode the event, the
// handler through the adapter, encode the answer), and reports per operation: total, hash,
// DynamoDB (time with a request in flight), the rest, and the round trips.
func (w *benchWorld) run(b *testing.B, h api.HandlerFunc, events [][]byte, want int) {
	b.Helper()
	fn := api.Lambda(h)
	var total, hash, ddb time.Duration
	var trips, inSequence int
	rests := make([]time.Duration, 0, len(events))
	w.hash.Store(0)
	w.trips.take()
	cpu0 := processCPU(b)
	b.ResetTimer()
	for _, payload := range events {
		start := time.Now()
		resp := invoke(b, fn, payload)
		took := time.Since(start)
		if resp.StatusCode != want {
			b.Fatalf("status %d, want %d: %s", resp.StatusCode, want, resp.Body)
		}
		n, seq, covered := w.trips.take()
		h := time.Duration(w.hash.Swap(0))
		total, hash, ddb = total+took, hash+h, ddb+covered
		trips, inSequence = trips+n, inSequence+seq
		rests = append(rests, took-h-covered)
	}
	b.StopTimer()
	cpu := processCPU(b) - cpu0
	ops := float64(len(events))
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / ops }
	b.ReportMetric(ms(total), "total-ms/op")
	b.ReportMetric(ms(hash), "hash-ms/op")
	b.ReportMetric(ms(ddb), "ddb-ms/op")
	b.ReportMetric(ms(total-hash-ddb), "rest-ms/op")
	slices.Sort(rests)
	b.ReportMetric(float64(rests[len(rests)/2])/float64(time.Millisecond), "rest-p50-ms")
	b.ReportMetric(float64(trips)/ops, "trips/op")
	b.ReportMetric(float64(inSequence)/ops, "seq-trips/op")
	// The process's CPU time (every thread: the handler, the SDK, minidyn's side of each
	// request, the collector), to set beside a load run's CPU time per request.
	b.ReportMetric(ms(cpu), "cpu-ms/op")
}

// processCPU is this process's CPU time so far, all threads.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func invoke(b *testing.B, fn api.LambdaFunc, payload []byte) events.APIGatewayV2HTTPResponse {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		b.Fatal(err)
	}
	resp, err := fn(context.Background(), ev)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := json.Marshal(resp); err != nil {
		b.Fatal(err)
	}
	return resp
}

// slider issues a solved slider (its answer sealed in its id, as POST /v1/captchas issues
// it) and returns the answer a client that dragged it right sends.
func (w *benchWorld) slider(b *testing.B) *captcha.Answer {
	b.Helper()
	id := w.store.SealCaptcha(store.Captcha{X: 100, Y: 60, Expires: time.Now().Add(captcha.TTL)})
	y := 60.0
	return &captcha.Answer{ID: id, X: 100, Y: &y}
}

var serial atomic.Int64

// residentID is a valid 居民身份证 number not drawn before in this process.
func residentID() string {
	n := serial.Add(1)
	birth := time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/1000)).Format("20060102")
	body := fmt.Sprintf("110105%s%03d", birth, n%1000)
	return body + string(identity.CheckChar(body))
}

func mobile() string { return fmt.Sprintf("139%08d", serial.Add(1)) }

// BenchmarkLoginOutsideHash is POST /v1/sessions with a right password, a fresh slider each.
func BenchmarkLoginOutsideHash(b *testing.B) { benchLogin(b, 4) }

// BenchmarkLoginOnAFullTable is the same login with 4,000 accounts stored first. It measures
// the emulator, not the handler: minidyn copies the whole table for every transaction
// (core.Table.Snapshot), so its time grows with the table, as it does in a load run against
// make run (docs/PERFORMANCE.md, "Load on one machine").
func BenchmarkLoginOnAFullTable(b *testing.B) { benchLogin(b, 4000) }

func benchLogin(b *testing.B, stored int) {
	w := newBenchWorld(b)
	hash, err := password.Hash(benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	accounts := make([]string, stored)
	for i := range accounts {
		a := account.Account{
			Login: residentID(), AccountID: token.New(16), Role: account.RoleApplicant,
			IDType: string(identity.ResidentID), Name: "张三", IDValidFrom: "2020-01-01", IDValidTo: "2040-01-01",
			PasswordHash: hash, Email: "123456789@qq.com", Phone: "+86" + mobile(),
			Verification: account.Verification{Status: account.StatusUnverified},
			CreatedAt:    time.Now().UTC().Format(time.RFC3339),
		}
		if err := w.store.CreateAccount(context.Background(), a); err != nil {
			b.Fatal(err)
		}
		accounts[i] = a.Login
	}
	evs := make([][]byte, b.N)
	for i := range evs {
		evs[i] = event(b, "POST /v1/sessions", "/v1/sessions", map[string]any{
			"account": accounts[i%4], "password": benchPassword, "captcha": w.slider(b)})
	}
	w.run(b, session.NewLogin(w.store, noOperators{}, clock.System{}), evs, http.StatusCreated)
}

// BenchmarkRegistrationOutsideHash is POST /v1/accounts with a fresh document number,
// mobile and SMS code each (the code stored as POST /v1/sms-codes stores it).
func BenchmarkRegistrationOutsideHash(b *testing.B) {
	w := newBenchWorld(b)
	evs := make([][]byte, b.N)
	for i := range evs {
		phone := mobile()
		e164, err := identity.NormalizePhone(phone)
		if err != nil {
			b.Fatal(err)
		}
		key := smscode.RegisterKey(e164)
		codeHash, err := smscode.HashCode(benchPepper, key, "246810")
		if err != nil {
			b.Fatal(err)
		}
		if err := w.store.PutCode(context.Background(), key, store.Code{Hash: codeHash, Expires: time.Now().Add(smscode.TTL)}); err != nil {
			b.Fatal(err)
		}
		evs[i] = event(b, "POST /v1/accounts", "/v1/accounts", map[string]any{
			"idType": "resident_id", "idNumber": residentID(), "name": "张三",
			"idValidFrom": "2020-01-01", "idValidTo": "2040-01-01",
			"password": benchPassword, "passwordConfirm": benchPassword,
			"email": fmt.Sprintf("%d@qq.com", 100000000+serial.Add(1)), "phone": phone,
			"smsCode": "246810", "agreementAccepted": true,
		})
	}
	w.run(b, registration.NewRegister(w.store, clock.System{}, benchPepper), evs, http.StatusCreated)
}
