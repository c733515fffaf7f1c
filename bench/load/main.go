// Command load is issue 12's load run on one machine (goal 4): it builds and starts the local
// system (infra/local, the embedded minidyn, on a free port of 127.0.0.1, with the per-address
// allowances raised as a run from one address needs), prepares what each request needs, and
// attacks, one after the other, GET /v1/me, POST /v1/captchas, POST /v1/sessions (login) and
// POST /v1/accounts (registration) with vegeta. For each it first ramps the rate in short
// steps until a step is not sustained (an error, a 5xx or any unexpected status, a p99 past
// the sane bound, or fewer answers a second than asked), then attacks for longer at the last
// sustained rate. It prints per target the rate achieved, p50, p99, max, the status codes,
// and the server's CPU time over the attack, with the machine; then stops the server.
// Every attack has a fixed duration, so the run ends by itself in a few minutes, and every
// request goes to 127.0.0.1.
//
//	go run ./bench/load [-step 3s] [-main 10s] [-only me,captcha,login,register] [-cpuprofile /tmp/load]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/jszg/applicant-accounts/bench/internal/machine"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/password"
)

const pw = "Load#2026ok"

// cpuProfile, when set, is the prefix of the server's CPU profiles of the main attacks.
var cpuProfile string

var loopback = net.IPv4(127, 0, 0, 1)

func main() {
	step := flag.Duration("step", 3*time.Second, "length of each ramp step")
	mainFor := flag.Duration("main", 10*time.Second, "length of the attack at the sustained rate")
	only := flag.String("only", "me,captcha,login,register", "targets, in order")
	nAccounts := flag.Int("accounts", 64, "accounts made for GET /v1/me and login")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write the server's CPU profile of each target's main attack to this prefix-N.pprof")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *step, *mainFor, strings.Split(*only, ","), *nAccounts); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, step, mainFor time.Duration, only []string, nAccounts int) error {
	fmt.Printf("load: %s, machine: %s\n", time.Now().UTC().Format(time.RFC3339), machine.Describe())
	hash := hashTime()
	capacity := float64(runtime.NumCPU()) / hash.Seconds()
	fmt.Printf("Argon2id %+v: %.1f ms of CPU a hash here (median of 5, one goroutine), so %d cores hash at most %.0f/s\n",
		password.Default, ms(hash), runtime.NumCPU(), capacity)

	srv, err := startServer(ctx)
	if err != nil {
		return err
	}
	defer srv.stop()
	c := &client{base: srv.base, http: &http.Client{Timeout: 60 * time.Second, Transport: loopbackTransport()}}

	fmt.Printf("preparing %d accounts with sessions\n", nAccounts)
	accounts, err := c.accounts(ctx, nAccounts)
	if err != nil {
		return fmt.Errorf("prepare accounts: %w", err)
	}
	targets := map[string]*target{
		"me": {name: "GET /v1/me", want: http.StatusOK, start: 100, factor: 1.5,
			prepare: func(_ context.Context, n int) ([]vegeta.Target, error) {
				out := make([]vegeta.Target, n)
				for i := range out {
					out[i] = c.target("GET", "/v1/me", nil, accounts[i%len(accounts)].token)
				}
				return out, nil
			}},
		"captcha": {name: "POST /v1/captchas", want: http.StatusCreated, start: 10, factor: 1.5,
			prepare: func(_ context.Context, n int) ([]vegeta.Target, error) {
				out := make([]vegeta.Target, n)
				for i := range out {
					out[i] = c.target("POST", "/v1/captchas", nil, "")
				}
				return out, nil
			}},
		"login": {name: "POST /v1/sessions", want: http.StatusCreated, start: max(1, int(capacity/2)), factor: 1.1, hashes: true,
			prepare: func(ctx context.Context, n int) ([]vegeta.Target, error) {
				sliders, err := parallel(ctx, n, func(context.Context, int) (map[string]any, error) { return c.slider(ctx) })
				if err != nil {
					return nil, err
				}
				out := make([]vegeta.Target, n)
				for i := range out {
					out[i] = c.target("POST", "/v1/sessions", map[string]any{
						"account": accounts[i%len(accounts)].login, "password": pw, "captcha": sliders[i]}, "")
				}
				return out, nil
			}},
		"register": {name: "POST /v1/accounts", want: http.StatusCreated, start: max(1, int(capacity/2)), factor: 1.1, hashes: true,
			prepare: func(ctx context.Context, n int) ([]vegeta.Target, error) {
				forms, err := c.registrations(ctx, n)
				if err != nil {
					return nil, err
				}
				out := make([]vegeta.Target, n)
				for i := range out {
					out[i] = c.target("POST", "/v1/accounts", forms[i], "")
				}
				return out, nil
			}},
	}
	var results []summary
	for _, name := range only {
		t := targets[strings.TrimSpace(name)]
		if t == nil {
			return fmt.Errorf("no target %q (me, captcha, login, register)", name)
		}
		s, err := t.ramp(ctx, srv, step, mainFor)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		results = append(results, s)
	}
	fmt.Printf("\nsummary (%d CPUs, %s; server and load generator share them; load average now %s):\n\n",
		runtime.NumCPU(), machine.CPUModel(), machine.LoadAverage())
	fmt.Println("| target | rate asked | achieved /s | p50 | p99 | max | statuses | server CPU | server CPU a request | load generator CPU |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, s := range results {
		fmt.Println(s.row())
	}
	fmt.Printf("\nsustained: no error, every status the success's, at least 95 %% of the requests sent, the last answer within the bound after the attack's end, and p99 ≤ %v or %d × the fastest answer at %d/s, whichever is more\n", saneFloor, saneFactor, baseRate)
	return nil
}

// hashTime is the median CPU time of five Default hashes in this process, one at a time:
// the reference for the server's CPU time a login or a registration.
func hashTime() time.Duration {
	if _, err := password.Hash(pw); err != nil { // the first one faults its memory in
		panic(err)
	}
	self := machine.CPUClock(os.Getpid())
	var ts []time.Duration
	for range 5 {
		start := mustCPU(self)
		if _, err := password.Hash(pw); err != nil {
			panic(err)
		}
		ts = append(ts, mustCPU(self)-start)
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}

// server is the local system, started from a build of infra/local.
type server struct {
	base   string
	cmd    *exec.Cmd
	exited chan error
	cpu    int32 // the server process's CPU clock
	dir    string
	log    *os.File
	// profiled: the next attack is profiled (-cpuprofile); profiles counts those written.
	profiled bool
	profiles int
}

// profile starts (SIGUSR1) or stops (SIGUSR2) the server's CPU profile.
func (s *server) profile(sig syscall.Signal) {
	if sig == syscall.SIGUSR1 {
		s.profiles++
		fmt.Printf("  CPU profile of the main attack: %s-%d.pprof\n", cpuProfile, s.profiles)
	}
	_ = s.cmd.Process.Signal(sig)
}

// startServer builds infra/local into a temporary directory and starts it on a free port
// of 127.0.0.1 with the embedded store, the outbox, and allowances for one busy address. Its
// environment is built here, not inherited, so no endpoint variable can point it away from
// loopback.
func startServer(ctx context.Context) (*server, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "bench-load-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir}
	bin := filepath.Join(dir, "local")
	fmt.Println("building infra/local")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./infra/local")
	build.Dir, build.Stdout, build.Stderr = root, os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		s.stop()
		return nil, fmt.Errorf("build infra/local: %w", err)
	}
	port, err := freePort()
	if err != nil {
		s.stop()
		return nil, err
	}
	if s.log, err = os.Create(filepath.Join(dir, "server.log")); err != nil {
		s.stop()
		return nil, err
	}
	s.cmd = exec.Command(bin)
	s.cmd.Dir, s.cmd.Stdout, s.cmd.Stderr = root, s.log, s.log
	s.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir(),
		"PORT=" + strconv.Itoa(port),
		"SLIDERS_PER_ADDRESS_MINUTE=1000000", "SMS_PER_ADDRESS_HOUR=1000000", "SMS_HOURLY_BUDGET=1000000",
	}
	if cpuProfile != "" {
		s.cmd.Env = append(s.cmd.Env, "CPU_PROFILE="+cpuProfile)
	}
	if err := s.cmd.Start(); err != nil {
		s.stop()
		return nil, fmt.Errorf("start infra/local: %w", err)
	}
	s.cpu = machine.CPUClock(s.cmd.Process.Pid)
	s.base = "http://" + net.JoinHostPort(loopback.String(), strconv.Itoa(port))
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait() }()
	hc := &http.Client{Timeout: 2 * time.Second, Transport: loopbackTransport()}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := hc.Get(s.base + "/v1/agreement")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-s.exited:
			s.cmd = nil
			s.stop()
			return nil, fmt.Errorf("infra/local exited at start (%v); its log: %s", err, s.tail())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("infra/local did not answer within 2 minutes")
		}
	}
	fmt.Printf("local system at %s (pid %d, log %s)\n", s.base, s.cmd.Process.Pid, s.log.Name())
	return s, nil
}

// stop ends the server (SIGTERM, then SIGKILL after 10 s) and removes its directory.
func (s *server) stop() {
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		s.cmd = nil
	}
	if s.log != nil {
		s.log.Close()
	}
	_ = os.RemoveAll(s.dir)
}

func (s *server) tail() string {
	b, _ := os.ReadFile(s.log.Name())
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func (s *server) cpuTime() time.Duration {
	d, err := machine.CPUTime(s.cpu)
	if err != nil {
		return 0
	}
	return d
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "template.yaml")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from the repository (no template.yaml and go.mod above the working directory)")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(loopback.String(), "0"))
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// loopbackTransport dials 127.0.0.1 only, whatever the address says, and never a proxy.
func loopbackTransport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if err := onLoopback(addr); err != nil {
				return nil, err
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 1024,
	}
}

func onLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.Equal(loopback) {
		return fmt.Errorf("refused to dial %s: the load run talks to 127.0.0.1 only", addr)
	}
	return nil
}

// client prepares requests against the local system.
type client struct {
	base string
	http *http.Client
	n    atomic.Int64
}

type account struct{ login, token string }

func (c *client) call(ctx context.Context, method, path string, body any, token string, want int) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: %d, want %d: %.300s", method, path, resp.StatusCode, want, raw)
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return out, nil
}

// target is one prepared request for vegeta.
func (c *client) target(method, path string, body any, token string) vegeta.Target {
	t := vegeta.Target{Method: method, URL: c.base + path, Header: http.Header{}}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			panic(err)
		}
		t.Body = b
		t.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		t.Header.Set("Authorization", "Bearer "+token)
	}
	return t
}

// slider asks for a puzzle and reads its answer from the local route.
func (c *client) slider(ctx context.Context) (map[string]any, error) {
	p, err := c.call(ctx, "POST", "/v1/captchas", nil, "", http.StatusCreated)
	if err != nil {
		return nil, err
	}
	id, _ := p["captchaId"].(string)
	ans, err := c.call(ctx, "GET", "/local/captchas/"+url.PathEscape(id), nil, "", http.StatusOK)
	if err != nil {
		return nil, err
	}
	ans["id"] = id
	return ans, nil
}

// identity draws a resident ID, mobile and e-mail not drawn before in this run (the server's
// store is new each run).
func (c *client) identity() (id, phone, email string) {
	n := c.n.Add(1)
	birth := time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/1000)).Format("20060102")
	body := fmt.Sprintf("110105%s%03d", birth, n%1000)
	return body + string(identity.CheckChar(body)), fmt.Sprintf("139%08d", n), fmt.Sprintf("%d@qq.com", 100000000+n)
}

// registrations prepares n registration forms, each with its own slider-bought SMS code.
func (c *client) registrations(ctx context.Context, n int) ([]map[string]any, error) {
	forms, err := parallel(ctx, n, func(ctx context.Context, _ int) (map[string]any, error) {
		id, phone, email := c.identity()
		s, err := c.slider(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := c.call(ctx, "POST", "/v1/sms-codes", map[string]any{"phone": phone, "purpose": "register", "captcha": s}, "", http.StatusAccepted); err != nil {
			return nil, err
		}
		return map[string]any{
			"idType": "resident_id", "idNumber": id, "name": "张三", "idValidFrom": "2020-01-01", "idValidTo": "2040-01-01",
			"password": pw, "passwordConfirm": pw, "email": email, "phone": phone, "agreementAccepted": true,
		}, nil
	})
	if err != nil {
		return nil, err
	}
	codes, err := c.codes(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range forms {
		code, ok := codes[f["phone"].(string)]
		if !ok {
			return nil, fmt.Errorf("no SMS code in the outbox for %s", f["phone"])
		}
		f["smsCode"] = code
	}
	return forms, nil
}

var sixDigits = regexp.MustCompile(`(?:^|\D)(\d{6})(?:\D|$)`)

// codes is the newest SMS code in the outbox per mobile (its last 11 digits).
func (c *client) codes(ctx context.Context) (map[string]string, error) {
	box, err := c.call(ctx, "GET", "/local/outbox", nil, "", http.StatusOK)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	msgs, _ := box["messages"].([]any)
	for _, m := range msgs {
		msg, _ := m.(map[string]any)
		to, _ := msg["to"].(string)
		body, _ := msg["body"].(string)
		if msg["channel"] != "sms" || len(to) < 11 {
			continue
		}
		if code := sixDigits.FindStringSubmatch(body); code != nil {
			out[to[len(to)-11:]] = code[1]
		}
	}
	return out, nil
}

// accounts registers n applicants and logs each in.
func (c *client) accounts(ctx context.Context, n int) ([]account, error) {
	forms, err := c.registrations(ctx, n)
	if err != nil {
		return nil, err
	}
	return parallel(ctx, n, func(ctx context.Context, i int) (account, error) {
		if _, err := c.call(ctx, "POST", "/v1/accounts", forms[i], "", http.StatusCreated); err != nil {
			return account{}, err
		}
		s, err := c.slider(ctx)
		if err != nil {
			return account{}, err
		}
		out, err := c.call(ctx, "POST", "/v1/sessions", map[string]any{"account": forms[i]["idNumber"], "password": pw, "captcha": s}, "", http.StatusCreated)
		if err != nil {
			return account{}, err
		}
		tok, _ := out["token"].(string)
		return account{login: forms[i]["idNumber"].(string), token: tok}, nil
	})
}

// parallel runs f for 0..n-1 on as many goroutines as CPUs, and stops at the first error.
func parallel[T any](ctx context.Context, n int, f func(context.Context, int) (T, error)) ([]T, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make([]T, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.NumCPU() * 2 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				v, err := f(ctx, i)
				if err != nil {
					cancel(err)
					return
				}
				out[i] = v
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// target is one route under load.
type target struct {
	name    string
	want    int     // the status of a success
	start   int     // the ramp's first rate, a second
	factor  float64 // each step's rate over the last's
	hashes  bool    // one Argon2id hash a request
	prepare func(ctx context.Context, n int) ([]vegeta.Target, error)
}

const (
	baseRate   = 5
	baseFor    = 4 * time.Second
	saneFactor = 10
	saneFloor  = 50 * time.Millisecond
	maxSteps   = 12
	maxRate    = 20000
)

// outcome is one attack's figures.
type outcome struct {
	rate                 float64
	asked                time.Duration // how long requests were sent for
	took                 time.Duration // from the first request sent to the last answer
	requests, ok, errors int
	achieved             float64 // answers a second
	min, p50, p99, max   time.Duration
	codes                map[int]int
	errText              string
	serverCPU, selfCPU   time.Duration
}

// sustained says whether the attack was answered at its rate within the sane bound, without
// an error or an unexpected status: every request sent on time (95 %), every answer by the
// attack's end plus the bound, and p99 within it.
func (o outcome) sustained(sane time.Duration) (bool, string) {
	switch {
	case o.errors > 0:
		return false, "errors: " + o.errText
	case o.ok < o.requests:
		return false, fmt.Sprintf("statuses %s", codes(o.codes))
	case o.p99 > sane:
		return false, fmt.Sprintf("p99 %v past %v", o.p99.Round(time.Millisecond), sane)
	case float64(o.requests) < 0.95*o.rate*o.asked.Seconds():
		return false, fmt.Sprintf("%d requests sent of %.0f asked", o.requests, o.rate*o.asked.Seconds())
	case o.took > o.asked+sane:
		return false, fmt.Sprintf("the answers ended %v after the attack's %v", (o.took - o.asked).Round(time.Millisecond), o.asked)
	}
	return true, ""
}

// ramp finds the sustained rate and attacks at it. A first step not sustained halves the
// rate (three times at most) before the ramp goes up.
func (t *target) ramp(ctx context.Context, srv *server, step, mainFor time.Duration) (summary, error) {
	// The bound on p99 is set from the fastest answer under a light load (5 requests a
	// second): the service time without queueing, which a busy machine disturbs least.
	base, err := t.attack(ctx, srv, baseRate, baseFor)
	if err != nil {
		return summary{}, err
	}
	sane := max(saneFloor, saneFactor*base.min)
	fmt.Printf("\n%s: light load %s; fastest %.2f ms, so sane p99 ≤ %v\n", t.name, base.line(), ms(base.min), sane.Round(time.Millisecond))
	fmt.Printf("ramp of %v steps from %d/s, ×%.2f\n", step, t.start, t.factor)
	good, rate, halved := 0, t.start, 0
	for i := 0; i < maxSteps && rate <= maxRate; i++ {
		o, err := t.attack(ctx, srv, rate, step)
		if err != nil {
			return summary{}, err
		}
		ok, why := o.sustained(sane)
		fmt.Printf("  %s  %s\n", o.line(), map[bool]string{true: "sustained", false: "NOT sustained: " + why}[ok])
		switch {
		case ok:
			good = rate
			rate = max(rate+1, int(math.Round(float64(rate)*t.factor)))
		case good == 0 && halved < 3:
			halved++
			rate = max(1, rate/2)
			time.Sleep(time.Second)
		default:
			i = maxSteps
		}
	}
	if good == 0 {
		fmt.Printf("  no rate was sustained: the attack below is at the lowest tried\n")
		good = rate
	}
	// Let a backlog of the last step drain before the measured attack.
	time.Sleep(time.Second)
	srv.profiled = cpuProfile != ""
	o, err := t.attack(ctx, srv, good, mainFor)
	srv.profiled = false
	if err != nil {
		return summary{}, err
	}
	ok, why := o.sustained(sane)
	verdict := "sustained"
	if !ok {
		verdict = "NOT sustained: " + why
	}
	fmt.Printf("  main: %s  %s\n", o.line(), verdict)
	fmt.Printf("  server CPU %.2f s over %.1f s (%.2f cores busy), %.2f ms a request; load generator %.2f s\n",
		o.serverCPU.Seconds(), o.took.Seconds(), o.serverCPU.Seconds()/o.took.Seconds(),
		ms(o.serverCPU)/float64(o.requests), o.selfCPU.Seconds())
	s := summary{target: t.name, o: o, verdict: verdict, hashes: t.hashes}
	if t.hashes {
		// A hash's CPU time on a shared machine varies with what else runs: measured again
		// now, beside the attack's CPU time a request.
		s.hash = hashTime()
		fmt.Printf("  a hash now: %.1f ms of CPU in this process\n", ms(s.hash))
	}
	return s, nil
}

// attack prepares rate×d requests, sends them at rate for d, and reads every answer.
func (t *target) attack(ctx context.Context, srv *server, rate int, d time.Duration) (outcome, error) {
	n := int(math.Ceil(float64(rate)*d.Seconds()*1.02)) + 5
	tgts, err := t.prepare(ctx, n)
	if err != nil {
		return outcome{}, err
	}
	for _, tg := range tgts {
		u, err := url.Parse(tg.URL)
		if err != nil || onLoopback(u.Host) != nil {
			return outcome{}, fmt.Errorf("target %s is not on 127.0.0.1", tg.URL)
		}
	}
	var next atomic.Int64
	targeter := func(tg *vegeta.Target) error {
		i := int(next.Add(1) - 1)
		if i >= len(tgts) {
			return vegeta.ErrNoTargets
		}
		*tg = tgts[i]
		return nil
	}
	atk := vegeta.NewAttacker(
		vegeta.Client(&http.Client{Timeout: 30 * time.Second, Transport: loopbackTransport()}),
		vegeta.Workers(8), vegeta.MaxWorkers(4096), vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow),
	)
	self := machine.CPUClock(os.Getpid())
	if srv.profiled {
		srv.profile(syscall.SIGUSR1)
		defer srv.profile(syscall.SIGUSR2)
	}
	cpu0, self0 := srv.cpuTime(), mustCPU(self)
	o := outcome{rate: float64(rate), asked: d, codes: map[int]int{}}
	var lat []time.Duration
	var first, last time.Time
	for res := range atk.Attack(vegeta.Targeter(targeter), vegeta.ConstantPacer{Freq: rate, Per: time.Second}, d, t.name) {
		if ctx.Err() != nil {
			atk.Stop()
		}
		o.requests++
		if first.IsZero() || res.Timestamp.Before(first) {
			first = res.Timestamp
		}
		if end := res.Timestamp.Add(res.Latency); end.After(last) {
			last = end
		}
		if res.Error != "" && res.Code == 0 {
			o.errors++
			o.errText = res.Error
			continue
		}
		o.codes[int(res.Code)]++
		if int(res.Code) == t.want {
			o.ok++
		}
		lat = append(lat, res.Latency)
	}
	if err := ctx.Err(); err != nil {
		return outcome{}, err
	}
	o.serverCPU, o.selfCPU = srv.cpuTime()-cpu0, mustCPU(self)-self0
	o.took = last.Sub(first)
	if o.took > 0 {
		o.achieved = float64(o.requests-o.errors) / o.took.Seconds()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		o.min, o.p50, o.p99, o.max = lat[0], quantile(lat, 0.50), quantile(lat, 0.99), lat[len(lat)-1]
	}
	return o, nil
}

func mustCPU(clk int32) time.Duration {
	d, _ := machine.CPUTime(clk)
	return d
}

// quantile of sorted latencies, nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func (o outcome) line() string {
	return fmt.Sprintf("%7.1f/s asked: %7.1f/s answered, p50 %7.2f ms, p99 %8.2f ms, max %8.2f ms, %s, server CPU %.2f cores",
		o.rate, o.achieved, ms(o.p50), ms(o.p99), ms(o.max), codes(o.codes), o.serverCPU.Seconds()/max(o.took.Seconds(), 1e-9))
}

func codes(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", m[k], k))
	}
	if len(parts) == 0 {
		return "no answers"
	}
	return strings.Join(parts, " ")
}

type summary struct {
	target  string
	o       outcome
	verdict string
	hashes  bool
	hash    time.Duration
}

func (s summary) row() string {
	perReq := ms(s.o.serverCPU) / float64(max(1, s.o.requests))
	note := ""
	if s.hashes {
		note = fmt.Sprintf(" (a hash just after: %.1f ms of CPU; %d cores hash at most %.0f/s)", ms(s.hash), runtime.NumCPU(),
			float64(runtime.NumCPU())/s.hash.Seconds())
	}
	return fmt.Sprintf("| %s | %.0f/s | %.1f | %.1f ms | %.1f ms | %.1f ms | %s | %.2f cores | %.2f ms%s | %.2f cores |",
		s.target, s.o.rate, s.o.achieved, ms(s.o.p50), ms(s.o.p99), ms(s.o.max), codes(s.o.codes),
		s.o.serverCPU.Seconds()/s.o.took.Seconds(), perReq, note, s.o.selfCPU.Seconds()/s.o.took.Seconds())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
