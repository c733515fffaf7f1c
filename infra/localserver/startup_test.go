package localserver_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// placeholders stand in for values that resolve only at deployment; what a function checks
// at start-up (an https endpoint, a key's length) must still hold for them.
var placeholders = map[string]string{
	"IDV_ENDPOINT":               "https://idv.invalid/verify",
	"CTID_GUIDE_URL":             "https://www.jszg.edu.cn/ctid-guide",
	"OPERATORS_TOPIC_ARN":        "arn:aws:sns:cn-north-1:000000000000:operators",
	"SLIDERS_PER_ADDRESS_MINUTE": "60",
	"SMS_PER_ADDRESS_HOUR":       "30",
	"SMS_HOURLY_BUDGET":          "20000",
	"PHOTO_RETENTION_DAYS":       "30",
	"FEDERATION_ISSUER":          "https://idp.invalid/oidc",
	"FEDERATION_CALLBACK_URL":    "https://api.invalid/v1/federated-logins/callback",
	"FEDERATION_RETURN_URL":      "https://www.invalid/login/federated",
	"FEDERATION_TYPE_VALUES":     "",
	"WECHAT_AES_KEY":             "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}

// A function that needs a variable the template does not give it stops at its first cold
// start in production: start each one with exactly the template's variables and watch it
// reach the Lambda Runtime API's "next invocation". No event is ever handed out, so nothing
// is called beyond loopback.
func TestEveryFunctionStartsWithTheTemplatesEnvironment(t *testing.T) {
	bin := functionBinaries(t)
	for _, fn := range functions(t) {
		env := []string{
			"PATH=" + os.Getenv("PATH"), "AWS_REGION=cn-north-1",
			"AWS_ACCESS_KEY_ID=placeholder", "AWS_SECRET_ACCESS_KEY=placeholder",
			"AWS_LAMBDA_FUNCTION_NAME=" + fn.LogicalID, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_FUNCTION_VERSION=1",
		}
		for _, name := range fn.Env {
			v, ok := placeholders[name]
			if !ok {
				v = "placeholder-" + strings.ToLower(name) + "-0123456789"
			}
			env = append(env, name+"="+v)
		}
		if out, ok := reachesNext(t, filepath.Join(bin, fn.Name()), env); !ok {
			t.Errorf("%s does not start with the template's environment %v:\n%s", fn.LogicalID, fn.Env, out)
		}
	}
}

// reachesNext runs bin against a Runtime API that never hands out an event, and says whether
// it asked for one before it exited; when it did not, what it printed.
func reachesNext(t *testing.T, bin string, env []string) (string, bool) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	asked := make(chan struct{}, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/runtime/invocation/next") {
			asked <- struct{}{}
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusAccepted) // init/error: the exit tells the rest
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	var out bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-asked:
		_ = cmd.Process.Kill()
		<-exited
		return "", true
	case err := <-exited:
		return out.String() + err.Error(), false
	case <-giveUp(t):
		_ = cmd.Process.Kill()
		<-exited
		return "neither asked for an event nor exited before the test's deadline\n" + out.String(), false
	}
}

// giveUp fires shortly before the test binary's own deadline (go test -timeout), and never
// without one: how long a cold start takes depends on the machine's load, which no fixed
// bound here can know.
func giveUp(t *testing.T) <-chan time.Time {
	deadline, ok := t.Deadline()
	if !ok {
		return nil
	}
	return time.After(time.Until(deadline) * 9 / 10)
}

var functionsBuilt struct {
	sync.Once
	dir string
	err error
}

// functionBinaries builds every function once per test run, for this machine (to be run)
// with the Lambda build's tags, and returns the directory of the binaries. Under the race
// detector they are built with it too, which reuses what the tests compiled. The Lambda
// artifacts themselves (linux/arm64, no cgo) are `make build`'s, which CI runs.
func functionBinaries(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: builds every function; make test does")
	}
	functionsBuilt.Do(func() {
		dir, err := os.MkdirTemp("", "functions-")
		if err != nil {
			functionsBuilt.err = err
			return
		}
		args := []string{"build", "-tags", "lambda.norpc", "-o", dir + "/"}
		cgo := "CGO_ENABLED=0" // as make build
		if raceBuild {
			args, cgo = append(args, "-race"), "CGO_ENABLED=1" // the race detector needs cgo
		}
		build := exec.Command("go", append(args, "./functions/...")...)
		build.Dir = root
		build.Env = append(os.Environ(), cgo)
		if out, err := build.CombinedOutput(); err != nil {
			functionsBuilt.err = fmt.Errorf("go build ./functions/...: %w\n%s", err, out)
		}
		functionsBuilt.dir = dir
	})
	if functionsBuilt.err != nil {
		t.Fatal(functionsBuilt.err)
	}
	return functionsBuilt.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if functionsBuilt.dir != "" {
		_ = os.RemoveAll(functionsBuilt.dir)
	}
	os.Exit(code)
}
