package localserver_test

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// placeholders stand in for values that resolve only at deployment; what a function checks
// at start-up (an https endpoint, a key's length) must still hold for them.
var placeholders = map[string]string{
	"IDV_ENDPOINT":        "https://idv.invalid/verify",
	"OPERATORS_TOPIC_ARN": "arn:aws:sns:cn-north-1:000000000000:operators",
}

// A function that needs a variable the template does not give it stops at its first cold
// start in production: start each one with exactly the template's variables and watch it
// reach the Lambda Runtime API's "next invocation". No event is ever handed out, so nothing
// is called beyond loopback.
func TestEveryFunctionStartsWithTheTemplatesEnvironment(t *testing.T) {
	bin := t.TempDir()
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin+"/", "./functions/...")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./functions/...: %v\n%s", err, out)
	}
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
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-exited
		return "neither asked for an event nor exited within a minute\n" + out.String(), false
	}
}
