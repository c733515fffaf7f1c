// Command coldstart measures each function's cold start on this machine, against a
// hello-world Lambda: it builds every bootstrap as `make build` does (but for this machine's
// architecture), plays the Lambda Runtime API on loopback, starts the bootstrap, hands it the
// function's sample event (functions/<name>/event.json) and times exec → response. Functions
// that reach DynamoDB reach an embedded minidyn on loopback; nothing leaves the machine.
//
//	go run ./bench/coldstart -n 30
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	miniserver "github.com/truora/minidyn/server"

	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	runs := flag.Int("n", 20, "cold starts per function")
	only := flag.String("only", "", "comma-separated function names (default: all)")
	flag.Parse()
	if err := run(*runs, *only); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

func run(runs int, only string) error {
	dir, err := os.MkdirTemp("", "coldstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

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
	env := append(os.Environ(),
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench",
		"AWS_LAMBDA_FUNCTION_NAME=bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_FUNCTION_VERSION=1",
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
	inits, results := map[string][]time.Duration{}, map[string][]time.Duration{}
	for _, name := range names {
		src, event := "./functions/"+name, filepath.Join("functions", name, "event.json")
		if name == "hello" {
			src, event = "./bench/coldstart/hello", ""
		}
		bin := filepath.Join(dir, name)
		build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bin, src)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", name, err, out)
		}
		payload := []byte(`{}`)
		if event != "" {
			if payload, err = os.ReadFile(event); err != nil {
				return err
			}
		}
		for i := 0; i < runs; i++ {
			init, d, err := coldStart(bin, env, payload)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			inits[name] = append(inits[name], init)
			results[name] = append(results[name], d)
		}
	}
	baseInit, base := median(inits["hello"]), median(results["hello"])
	fmt.Printf("%d cold starts each; init = exec → first request for an event, first answer = exec → response to the sample event\n", runs)
	fmt.Printf("%-26s %10s %8s %14s %8s\n", "function", "init", "× hello", "first answer", "× hello")
	for _, name := range names {
		i, d := median(inits[name]), median(results[name])
		fmt.Printf("%-26s %8.2fms %8.2f %12.2fms %8.2f\n", name, ms(i), float64(i)/float64(baseInit), ms(d), float64(d)/float64(base))
	}
	return nil
}

// coldStart serves one invocation of payload to a fresh process of bin, and says when the
// process first asked for an event and when it answered.
func coldStart(bin string, env []string, payload []byte) (time.Duration, time.Duration, error) {
	done := make(chan time.Time, 1)
	var asked time.Time
	mux := http.NewServeMux()
	served := false
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		if served { // the process asks again after answering: hold it until it is killed
			<-r.Context().Done()
			return
		}
		served = true
		asked = time.Now()
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
		w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:bench")
		_, _ = w.Write(payload)
	})
	answer := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		done <- time.Now()
		w.WriteHeader(http.StatusAccepted)
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", answer)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", answer)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(os.Stderr, "init error: %s\n", body)
		done <- time.Time{}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	cmd := exec.Command(bin)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	// What a function says before it dies (a missing setting) is shown when it gives no answer.
	var said strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &said
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	select {
	case end := <-done:
		if end.IsZero() {
			return 0, 0, fmt.Errorf("the function failed to initialize")
		}
		return asked.Sub(start), end.Sub(start), nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return 0, 0, fmt.Errorf("no answer in 30 s: %s", said.String())
	}
}

func median(ds []time.Duration) time.Duration { return pct(ds, 0.5) }

func pct(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(p*float64(len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
