package localserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/getkin/kin-openapi/openapi3"
	miniserver "github.com/truora/minidyn/server"

	"github.com/jszg/applicant-accounts/infra/localserver"
	"github.com/jszg/applicant-accounts/infra/samtemplate"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/notifytest"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

const root = "../.."

func functions(t *testing.T) []samtemplate.Function {
	t.Helper()
	fns, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) == 0 {
		t.Fatal("no functions in template.yaml")
	}
	return fns
}

var camel = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// The Makefile builds build-<LogicalId> from functions/<kebab-case of LogicalId minus Function>.
func TestEveryTemplateFunctionHasItsFolder(t *testing.T) {
	inTemplate := map[string]bool{}
	for _, fn := range functions(t) {
		inTemplate[fn.Name()] = true
		if fn.CodeURI != "functions/"+fn.Name()+"/" {
			t.Errorf("%s: CodeUri %q is not functions/<name>/", fn.LogicalID, fn.CodeURI)
		}
		kebab := strings.ToLower(camel.ReplaceAllString(strings.TrimSuffix(fn.LogicalID, "Function"), "$1-$2"))
		if !strings.HasSuffix(fn.LogicalID, "Function") || kebab != fn.Name() {
			t.Errorf("%s: logical id does not name its folder %s (want %sFunction)", fn.LogicalID, fn.Name(), kebab)
		}
		if fn.BuildMethod != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod %q, want makefile", fn.LogicalID, fn.BuildMethod)
		}
		if _, err := os.Stat(filepath.Join(root, "functions", fn.Name(), "main.go")); err != nil {
			t.Errorf("%s: %v", fn.LogicalID, err)
		}
		// The sample event for `sam local invoke`: one of the function's routes, or for a
		// scheduled function the schedule's input.
		raw, err := os.ReadFile(filepath.Join(root, "functions", fn.Name(), "event.json"))
		var ev events.APIGatewayV2HTTPRequest
		if err == nil {
			err = json.Unmarshal(raw, &ev)
		}
		routes := make([]string, 0, len(fn.Routes))
		for _, rt := range fn.Routes {
			routes = append(routes, rt.Key())
		}
		if err != nil || (len(routes) > 0 && !slices.Contains(routes, ev.RouteKey)) {
			t.Errorf("%s: event.json: %v, route key %q, not one of %q", fn.LogicalID, err, ev.RouteKey, routes)
		}
	}
	dirs, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !inTemplate[d.Name()] {
			t.Errorf("functions/%s is not in template.yaml", d.Name())
		}
	}
}

// Every function compiles (functionBinaries builds them all), and `sam build` finds a make
// target for it that builds that function's folder into its artifacts directory.
func TestEveryFunctionBuildsAndHasItsMakeTarget(t *testing.T) {
	functionBinaries(t)
	for _, fn := range functions(t) {
		cmd := exec.Command("make", "-n", "build-"+fn.LogicalID, "ARTIFACTS_DIR=/artifacts")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "./functions/"+fn.Name()) || !strings.Contains(string(out), "/artifacts/bootstrap") ||
			!strings.Contains(string(out), "GOARCH=arm64") {
			t.Errorf("make build-%s: %v\n%s", fn.LogicalID, err, out)
		}
	}
}

func start(t *testing.T, dynamo *string, tweak ...func(*localserver.Config)) *localserver.Server {
	t.Helper()
	cfg := localserver.Config{
		Template:         filepath.Join(root, "template.yaml"),
		Addr:             "127.0.0.1:0",
		Table:            "local-test",
		DynamoDBEndpoint: dynamo,
		ResetLinkBase:    "http://127.0.0.1/reset-password",
		CursorSecret:     "test-cursor-secret",
		CodePepper:       "test-sms-code-pepper",
		AWS:              storetest.Config(storetest.NewCounter(http.DefaultTransport)),
		Clock:            clock.System{},
	}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := localserver.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, method, url string, body any) (int, map[string]any) {
	t.Helper()
	return doAs(t, "", method, url, body)
}

// doAs is do with a bearer token.
func doAs(t *testing.T, token, method, url string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: not JSON: %q", method, url, raw)
		}
	}
	return resp.StatusCode, m
}

func isNotFound(m map[string]any) bool {
	e, _ := m["error"].(map[string]any)
	return e != nil && e["code"] == "NOT_FOUND" && strings.Contains(fmt.Sprint(e["message"]), "接口不存在")
}

// Every HTTP route of the template reaches its function's handler: nothing answers with the
// catch-all's 404 but the catch-all.
func TestEveryRouteIsServed(t *testing.T) {
	srv := start(t, nil)
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, fn := range functions(t) {
		for _, rt := range fn.Routes {
			if rt.Path == "$default" {
				continue
			}
			status, m := do(t, rt.Method, srv.URL+param.ReplaceAllString(rt.Path, "x"), nil)
			if isNotFound(m) {
				t.Errorf("%s %s (%s) is not served: %d %v", rt.Method, rt.Path, fn.LogicalID, status, m)
			}
		}
	}
	for _, unknown := range [][2]string{{"GET", "/v1/nothing"}, {"DELETE", "/v1/accounts"}, {"GET", "/"},
		{"GET", "//v1/me"}, {"POST", "/v1/./captchas"}, {"GET", "/v1/reviews/../me"}} {
		status, m := do(t, unknown[0], srv.URL+unknown[1], nil)
		if status != 404 || !isNotFound(m) {
			t.Errorf("%s %s: %d %v, want the JSON 404", unknown[0], unknown[1], status, m)
		}
	}
}

func TestHandlersMatchTheTemplate(t *testing.T) {
	routed, scheduled := map[string]bool{}, map[string]bool{}
	for _, fn := range functions(t) {
		if len(fn.Routes) > 0 {
			routed[fn.Name()] = true
		} else {
			scheduled[fn.Name()] = true
		}
	}
	for name := range localserver.Handlers(&localserver.Deps{}) {
		if !routed[name] {
			t.Errorf("local handler %s has no HTTP function in template.yaml", name)
		}
	}
	jobs := localserver.Jobs(&localserver.Deps{})
	for name := range scheduled {
		if jobs[name] == nil {
			t.Errorf("scheduled function %s has no local job", name)
		}
	}
	for name := range jobs {
		if !scheduled[name] {
			t.Errorf("local job %s has no scheduled function in template.yaml", name)
		}
	}
	_, err := localserver.New([]samtemplate.Function{{LogicalID: "GhostFunction", CodeURI: "functions/ghost/", Routes: []samtemplate.Route{{Method: "GET", Path: "/v1/ghost"}}}},
		localserver.Handlers(&localserver.Deps{}), &localserver.Deps{})
	if err == nil {
		t.Fatal("a template function without a local handler was accepted")
	}
}

// register drives SPEC §2 for the slider, the code and the account over HTTP, using the
// local-only routes of SPEC §4 as a script would.
func register(t *testing.T, base string) string {
	t.Helper()
	status, c := do(t, "POST", base+"/v1/captchas", nil)
	if status != 201 {
		t.Fatalf("captcha: %d %v", status, c)
	}
	status, ans := do(t, "GET", base+"/local/captchas/"+c["captchaId"].(string), nil)
	if status != 200 {
		t.Fatalf("captcha answer: %d %v", status, ans)
	}
	phone := testkit.Phone()
	status, m := do(t, "POST", base+"/v1/sms-codes", map[string]any{"phone": phone, "purpose": "register",
		"captcha": map[string]any{"id": c["captchaId"], "x": ans["x"], "y": ans["y"]}})
	if status != 202 || m["remainingToday"] != float64(2) {
		t.Fatalf("sms code: %d %v", status, m)
	}
	code := lastOutbox(t, base, "sms", phone, smsCode)
	doc := testkit.ResidentID("19900307")
	form := map[string]any{"idType": "resident_id", "idNumber": doc, "name": "张三", "idValidFrom": "2020-01-01",
		"idValidTo": "2040-01-01", "password": "Smoke#2026ok", "passwordConfirm": "Smoke#2026ok",
		"email": "123456789@qq.com", "phone": phone, "smsCode": code, "agreementAccepted": true}
	status, m = do(t, "POST", base+"/v1/accounts", form)
	if status != 201 || m["account"] != doc {
		t.Fatalf("register: %d %v", status, m)
	}
	status, m = do(t, "POST", base+"/v1/accounts", form)
	if status != 409 {
		t.Fatalf("register again: %d %v", status, m)
	}
	if status, _ := do(t, "GET", base+"/local/captchas/"+c["captchaId"].(string), nil); status != 404 {
		t.Fatalf("a spent slider is still readable: %d", status)
	}
	return doc
}

func TestRegisterOverHTTPWithTheEmbeddedStore(t *testing.T) {
	srv := start(t, nil)
	register(t, srv.URL)
	status, m := do(t, "GET", srv.URL+"/v1/ethnicities", nil)
	if status != 200 || len(m["items"].([]any)) != 58 {
		t.Fatalf("ethnicities: %d", status)
	}
}

// DYNAMODB_ENDPOINT: the same flow against a separate DynamoDB-compatible server, where the
// local server creates the table itself.
func TestRegisterOverHTTPWithAnExternalStore(t *testing.T) {
	external := httptest.NewServer(miniserver.NewServer())
	defer external.Close()
	srv := start(t, aws.String(external.URL))
	register(t, srv.URL)
	// A second start against the same server finds the table there and keeps its data.
	again := start(t, aws.String(external.URL))
	status, _ := do(t, "GET", again.URL+"/v1/ethnicities", nil)
	if status != 200 {
		t.Fatalf("second start: %d", status)
	}
}

// A server without transactions (dynalite answers them as below) is named at start-up, not
// found out by the first registration's 500.
func TestAServerWithoutTransactionsIsRefusedAtStart(t *testing.T) {
	db := miniserver.NewServer()
	external := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".TransactWriteItems") {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"com.amazon.coral.service#UnknownOperationException","message":"UnknownError"}`)
			return
		}
		db.ServeHTTP(w, r)
	}))
	defer external.Close()
	_, err := localserver.Start(context.Background(), localserver.Config{
		Template: filepath.Join(root, "template.yaml"), Addr: "127.0.0.1:0", Table: "no-transactions",
		DynamoDBEndpoint: aws.String(external.URL), AWS: storetest.Config(http.DefaultTransport), Clock: clock.System{},
	})
	if !errors.Is(err, store.ErrNoTransactions) {
		t.Fatalf("start against a server without transactions: %v", err)
	}
}

func TestBodiesOverOneMiBAreRefused(t *testing.T) {
	srv := start(t, nil)
	big := `{"phone":"` + strings.Repeat("1", 1<<20) + `"}`
	resp, err := http.Post(srv.URL+"/v1/sms-codes", "application/json", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != 413 || m["error"].(map[string]any)["code"] != "PAYLOAD_TOO_LARGE" {
		t.Fatalf("got %d %v", resp.StatusCode, m)
	}
}

func solved(t *testing.T, base string) map[string]any {
	t.Helper()
	_, c := do(t, "POST", base+"/v1/captchas", nil)
	_, ans := do(t, "GET", base+"/local/captchas/"+c["captchaId"].(string), nil)
	return map[string]any{"id": c["captchaId"], "x": ans["x"], "y": ans["y"]}
}

// SPEC §4: a reviewer account `reviewer` / `Reviewer#2026` exists in local runs.
func TestTheLocalReviewerIsSeeded(t *testing.T) {
	external := httptest.NewServer(miniserver.NewServer())
	defer external.Close()
	srv := start(t, aws.String(external.URL))
	status, m := reviewerLogin(t, srv.URL, time.Now())
	if status != 201 || m["role"] != "reviewer" {
		t.Fatalf("reviewer login: %d %v", status, m)
	}
	// A restart against the same store finds the reviewer there and starts anyway.
	again := start(t, aws.String(external.URL))
	if status, m := reviewerLogin(t, again.URL, time.Now().Add(30*time.Second)); status != 201 {
		t.Fatalf("reviewer login after a restart: %d %v", status, m)
	}
}

// SES_ENDPOINT sends reset mail through the SES adapter instead of the outbox.
func TestMailGoesToSESWhenAnEndpointIsSet(t *testing.T) {
	ses := notifytest.NewSES(t)
	srv := start(t, nil, func(c *localserver.Config) {
		c.SESEndpoint = aws.String(ses.URL)
		c.SESSender = "noreply@jszg.edu.cn"
	})
	doc := register(t, srv.URL)
	status, m := do(t, "POST", srv.URL+"/v1/password-resets", map[string]any{"idType": "resident_id", "idNumber": doc,
		"name": "张三", "captcha": solved(t, srv.URL)})
	if status != 201 {
		t.Fatalf("start reset: %d %v", status, m)
	}
	if status, m := do(t, "POST", srv.URL+"/v1/password-resets/"+m["resetId"].(string)+"/email", nil); status != 202 {
		t.Fatalf("email: %d %v", status, m)
	}
	sent := ses.Sent()
	if len(sent) != 1 || sent[0].FromEmailAddress != "noreply@jszg.edu.cn" || !strings.Contains(sent[0].Content.Simple.Body.Text.Data, "http://127.0.0.1/reset-password?token=") {
		t.Fatalf("SES got %+v", sent)
	}
	_, box := do(t, "GET", srv.URL+"/local/outbox", nil)
	for _, m := range box["messages"].([]any) {
		if m.(map[string]any)["channel"] == "email" {
			t.Fatal("the mail also went to the outbox")
		}
	}
}

// The scheduled functions run locally against the same store, and are idempotent.
func TestJobsRunLocally(t *testing.T) {
	srv := start(t, nil)
	for name, job := range localserver.Jobs(srv.Deps) {
		for i := 0; i < 2; i++ {
			if err := job(context.Background()); err != nil {
				t.Fatalf("%s run %d: %v", name, i, err)
			}
		}
	}
}

// docs/openapi.yaml describes exactly the routes of template.yaml.
func TestTheOpenAPIContractListsEveryRoute(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(root, "docs", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	inDoc := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inDoc[method+" "+path] = true
		}
	}
	inTemplate := map[string]bool{}
	for _, fn := range functions(t) {
		for _, rt := range fn.Routes {
			if rt.Path != "$default" {
				inTemplate[rt.Key()] = true
			}
		}
	}
	for k := range inTemplate {
		if !inDoc[k] {
			t.Errorf("%s is in template.yaml but not in docs/openapi.yaml", k)
		}
	}
	for k := range inDoc {
		if !inTemplate[k] {
			t.Errorf("%s is in docs/openapi.yaml but not in template.yaml", k)
		}
	}
}
