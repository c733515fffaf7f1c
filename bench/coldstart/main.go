// Command coldstart measures each function's cold start on this machine against a
// hello-world Lambda, under the Lambda Runtime Interface Emulator (RIE), the way issue 12
// measures it: it builds every bootstrap as `make build` does (but for this machine's
// architecture), starts the RIE on loopback with that bootstrap, sends one invocation with the
// function's sample event (functions/<name>/event.json) and times the RIE's process start →
// the invocation's answer. Runs are interleaved: each round starts every function once, each
// right after a start of hello, so a busy moment of the machine falls on hello as much as on
// the functions. Functions that reach
// DynamoDB reach an embedded minidyn on loopback; nothing leaves the machine.
//
// The RIE is built from the module proxy into a temporary directory (rieModule at rieVersion,
// the version named in shared/DESIGN.md) unless -rie names a binary.
//
//	go run ./bench/coldstart -n 9
//	go run ./bench/coldstart -n 9 -base ../before   # also the functions of another worktree, as name@base
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	miniserver "github.com/truora/minidyn/server"

	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

// The emulator, as shared/DESIGN.md names it.
const (
	rieModule  = "github.com/aws/aws-lambda-runtime-interface-emulator"
	rieVersion = "v0.0.0-20261030222936-bef5c4ba774d"
)

func main() {
	runs := flag.Int("n", 20, "cold starts per function")
	only := flag.String("only", "", "comma-separated function names (default: all)")
	rie := flag.String("rie", "", "an aws-lambda-rie binary to use (default: build "+rieModule+"@"+rieVersion+")")
	base := flag.String("base", "", "another tree of this repository (a git worktree of an earlier commit): its functions are started too, as name@base, in the same rounds")
	flag.Parse()
	if err := run(*runs, *only, *rie, *base); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

// sample is one cold start: RIE start → answer (the measure), and what the RIE itself reports
// of the bootstrap: its init (exec → first request for an event) and the invocation.
type sample struct {
	answer, init, invoke time.Duration
	status               int // the API answer's statusCode, or 0 for another kind of event
	faults               int // the bootstrap's page faults when it has answered (-1: not found)
}

func run(runs int, only, rie, baseTree string) error {
	dir, err := os.MkdirTemp("", "coldstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	if rie == "" {
		if rie, err = buildRIE(dir); err != nil {
			return err
		}
	}

	db, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = http.Serve(db, miniserver.NewServer()) }()
	endpoint := "http://" + db.Addr().String()
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}}
	if err := store.CreateTable(context.Background(), store.NewClient(cfg, aws.String(endpoint)), "coldstart"); err != nil {
		return err
	}
	dead := "http://127.0.0.1:9" // SNS/SES: the sample events never get that far
	// The RIE hands its own environment to the bootstrap.
	env := append(os.Environ(),
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench",
		"AWS_LAMBDA_FUNCTION_NAME=bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_FUNCTION_VERSION=1",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"TABLE_NAME=coldstart", "DYNAMODB_ENDPOINT="+endpoint, "SNS_ENDPOINT="+dead, "SES_ENDPOINT="+dead,
		"CTID_GUIDE_URL=https://example.com/ctid-guide", "SES_SENDER=noreply@example.com", "RESET_LINK_BASE_URL=https://example.com/r",
		"IDV_ENDPOINT=https://127.0.0.1:9/verify", "IDV_API_KEY=bench", "CURSOR_SECRET=bench-secret", "SEAL_KEY=bench-seal-key", "SMS_CODE_PEPPER=bench-pepper-0123456789",
		"OPERATORS_TOPIC_ARN=arn:aws:sns:us-east-1:000000000000:bench",
		"SLIDERS_PER_ADDRESS_MINUTE=60", "SMS_PER_ADDRESS_HOUR=30", "SMS_HOURLY_BUDGET=20000", "PHOTO_RETENTION_DAYS=30",
		// The WeChat service account in plain mode, its API unreachable (no AppSecret).
		"WECHAT_APP_ID=wxbench000000000", "WECHAT_TOKEN=bench-token", "WECHAT_AES_KEY=none", "WECHAT_APP_SECRET=none",
		// The 教育部 login's provider is unreachable: the sample events end at its discovery.
		"FEDERATION_ISSUER=http://127.0.0.1:9/oidc", "FEDERATION_CLIENT_ID=bench", "FEDERATION_CLIENT_SECRET=bench",
		"FEDERATION_CALLBACK_URL=https://api.example.com/v1/federated-logins/callback", "FEDERATION_RETURN_URL=https://example.com/login/federated",
		"FEDERATION_NUMBER_CLAIM=id_number", "FEDERATION_TYPE_CLAIM=id_type", "FEDERATION_NAME_CLAIM=name")

	names := []string{"hello"}
	entries, err := os.ReadDir("functions")
	if err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	for _, e := range entries {
		if only == "" || slices.Contains(strings.Split(only, ","), e.Name()) {
			names = append(names, e.Name())
		}
	}
	// What is started: hello, then each function of this tree and, with -base, of the other.
	payloads, bins := map[string][]byte{}, map[string]string{}
	var labels []string
	build := func(label, tree, src string, payload []byte) error {
		bin := filepath.Join(dir, label, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bin, src)
		cmd.Dir, cmd.Env = tree, append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", label, err, out)
		}
		labels, bins[label], payloads[label] = append(labels, label), bin, payload
		return nil
	}
	if err := build("hello", ".", "./bench/coldstart/hello", []byte(`{}`)); err != nil {
		return err
	}
	for _, name := range names[1:] {
		payload, err := os.ReadFile(filepath.Join("functions", name, "event.json"))
		if err != nil {
			return err
		}
		if err := build(name, ".", "./functions/"+name, payload); err != nil {
			return err
		}
		if baseTree == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(baseTree, "functions", name)); err == nil {
			if err := build(name+"@base", baseTree, "./functions/"+name, payload); err != nil {
				return err
			}
		}
	}

	// Each function's start follows one of hello's, round after round: the machine's busy
	// moments fall on hello as much as on the functions.
	results := map[string][]sample{}
	for i := 0; i < runs; i++ {
		for _, label := range labels[1:] {
			for _, label := range []string{"hello", label} {
				s, err := coldStart(rie, bins[label], env, payloads[label])
				if err != nil {
					return fmt.Errorf("%s: %w", label, err)
				}
				results[label] = append(results[label], s)
			}
		}
	}

	field := func(name string, f func(sample) time.Duration) time.Duration {
		var ds []time.Duration
		for _, s := range results[name] {
			ds = append(ds, f(s))
		}
		return median(ds)
	}
	answer := func(s sample) time.Duration { return s.answer }
	initOf := func(s sample) time.Duration { return s.init }
	boot := func(s sample) time.Duration { return s.init + s.invoke }
	base, baseInit, baseBoot := field("hello", answer), field("hello", initOf), field("hello", boot)
	fmt.Printf("RIE %s@%s; %d cold starts of each function, each after one of hello (%d); medians\n", rieModule, rieVersion, runs, len(results["hello"]))
	if baseTree != "" {
		fmt.Printf("name@base: the function as built from %s\n", baseTree)
	}
	fmt.Println("first answer = RIE process start → the answer to the sample event (issue 12's measure)")
	fmt.Println("init, init+invoke = what the RIE reports of the bootstrap alone (exec → first /next; + the invocation)")
	fmt.Println("faults = the bootstrap's page faults when it has answered")
	fmt.Printf("%-31s %6s %13s %8s %10s %8s %13s %8s %7s\n", "function", "status", "first answer", "× hello", "init", "× hello", "init+invoke", "× hello", "faults")
	for _, name := range labels {
		a, in, b := field(name, answer), field(name, initOf), field(name, boot)
		faults := field(name, func(s sample) time.Duration { return time.Duration(s.faults) })
		fmt.Printf("%-31s %6d %11.2fms %8.2f %8.2fms %8.2f %11.2fms %8.2f %7d\n", name, results[name][0].status,
			ms(a), ratio(a, base), ms(in), ratio(in, baseInit), ms(b), ratio(b, baseBoot), int(faults))
	}
	return nil
}

// buildRIE installs the emulator's command into dir and returns its path. The build cache
// makes every build after the first take about a second.
func buildRIE(dir string) (string, error) {
	cmd := exec.Command("go", "install", rieModule+"/cmd/aws-lambda-rie@"+rieVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOWORK=off", "GOFLAGS=", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the RIE (%s@%s): %v\n%s", rieModule, rieVersion, err, out)
	}
	return filepath.Join(dir, "aws-lambda-rie"), nil
}

// The RIE's log lines that say how long the bootstrap took to start, and to answer.
var (
	initReport  = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
	invokeDone  = regexp.MustCompile(`INVOKE RTDONE\(status: success, [^)]*duration: ([0-9.]+)ms\)`)
	errPortUsed = errors.New("the RIE could not listen")
)

// coldStart starts a fresh RIE on bin and times its start → the answer to one invocation of
// payload. A port taken in between choosing it and the RIE's listen is tried again.
func coldStart(rie, bin string, env []string, payload []byte) (sample, error) {
	for try := 0; ; try++ {
		s, err := startOnce(rie, bin, env, payload)
		if errors.Is(err, errPortUsed) && try < 3 {
			continue
		}
		return s, err
	}
}

func startOnce(rie, bin string, env []string, payload []byte) (sample, error) {
	ports, err := freePorts(2)
	if err != nil {
		return sample{}, err
	}
	api, runtime := ports[0], ports[1]
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", api, "--runtime-api-address", runtime, bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = env
	// Its own process group, so the bootstrap goes with the RIE.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var said testkit.SafeBuffer
	cmd.Stdout, cmd.Stderr = &said, &said
	exited := make(chan struct{})
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
	url := "http://" + api + "/2015-03-31/functions/function/invocations"
	deadline := start.Add(30 * time.Second)
	for {
		select {
		case <-exited:
			if portTaken(said.String()) {
				return sample{}, errPortUsed
			}
			return sample{}, fmt.Errorf("the RIE exited: %s", said.String())
		default:
		}
		if time.Now().After(deadline) {
			return sample{}, fmt.Errorf("no answer in 30 s: %s", said.String())
		}
		resp, err := client.Post(url, "application/json", bytes.NewReader(payload))
		if err != nil {
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" { // not listening yet
				time.Sleep(200 * time.Microsecond)
				continue
			}
			if portTaken(said.String()) {
				return sample{}, errPortUsed
			}
			return sample{}, fmt.Errorf("invoke: %w: %s", err, said.String())
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		end := time.Now()
		if err != nil {
			return sample{}, err
		}
		if resp.StatusCode != http.StatusOK {
			if portTaken(said.String()) {
				return sample{}, errPortUsed
			}
			return sample{}, fmt.Errorf("the RIE answered %s: %s\n%s", resp.Status, body, said.String())
		}
		s := sample{answer: end.Sub(start)}
		var answer struct {
			StatusCode   int    `json:"statusCode"`
			ErrorMessage string `json:"errorMessage"`
		}
		if json.Unmarshal(body, &answer) == nil {
			if answer.ErrorMessage != "" {
				return sample{}, fmt.Errorf("the function failed: %s", body)
			}
			s.status = answer.StatusCode
		}
		s.faults = pageFaults(cmd.Process.Pid, bin)
		// The RIE writes its report of the invocation just after answering it.
		for wait := time.Now().Add(2 * time.Second); ; time.Sleep(time.Millisecond) {
			log := said.String()
			in, iv := initReport.FindStringSubmatch(log), invokeDone.FindStringSubmatch(log)
			if in != nil && iv != nil {
				s.init, s.invoke = msDuration(in[1]), msDuration(iv[1])
				return s, nil
			}
			if time.Now().After(wait) {
				return sample{}, fmt.Errorf("the RIE did not report the invocation: %s", log)
			}
		}
	}
}

// portTaken says whether a port given to the RIE was taken by another process between our
// choosing it and the RIE's listening on it: then the RIE stops, or the bootstrap finds
// something else at its runtime API.
func portTaken(log string) bool {
	return strings.Contains(log, "address already in use") || strings.Contains(log, "failed to listen") ||
		strings.Contains(log, "failed to get the next invoke")
}

// pageFaults is how many pages the bootstrap bin, a child of the RIE process rie, has faulted
// in so far (minor and major): on this kind of machine, where a first touch of a page costs
// tens of microseconds, most of what a start costs beyond hello's, and steady whatever else
// the machine is doing. -1 when it cannot be read (no /proc).
func pageFaults(rie int, bin string) int {
	if real, err := filepath.EvalSymlinks(bin); err == nil {
		bin = real // /proc/<pid>/exe names the file, not the link to it
	}
	threads, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", rie))
	for _, t := range threads {
		kids, _ := os.ReadFile(t)
		for _, kid := range strings.Fields(string(kids)) {
			if exe, _ := os.Readlink("/proc/" + kid + "/exe"); exe != bin {
				continue
			}
			stat, err := os.ReadFile("/proc/" + kid + "/stat")
			if err != nil {
				return -1
			}
			// Fields after the command's closing parenthesis: state is 3rd, minflt 10th, majflt 12th.
			_, rest, _ := strings.Cut(string(stat), ") ")
			f := strings.Fields(rest)
			if len(f) < 10 {
				return -1
			}
			minor, _ := strconv.Atoi(f[7])
			major, _ := strconv.Atoi(f[9])
			return minor + major
		}
	}
	return -1
}

// freePorts are n distinct loopback addresses nothing listens on now. (The RIE cannot be
// given port 0: it hands the bootstrap the address as given.)
func freePorts(n int) ([]string, error) {
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
}

func msDuration(s string) time.Duration {
	f, _ := strconv.ParseFloat(s, 64)
	return time.Duration(f * float64(time.Millisecond))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
