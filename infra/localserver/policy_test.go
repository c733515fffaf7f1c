package localserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"gopkg.in/yaml.v3"

	"github.com/jszg/applicant-accounts/infra/localserver"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

// access is one item-level DynamoDB permission a request needs, as IAM evaluates it: the
// action (a transaction's items each need their own), the table or an index, and the
// partition key that dynamodb:LeadingKeys is matched against.
type access struct {
	Action string
	Index  string // "" for the table
	Key    string
}

func (a access) String() string {
	on := "table"
	if a.Index != "" {
		on = "index/" + a.Index
	}
	return fmt.Sprintf("%s on %s, key %q", a.Action, on, a.Key)
}

type attrs map[string]struct {
	S string `json:"S"`
}

type request struct {
	Key                       attrs
	Item                      attrs
	IndexName                 string
	KeyConditionExpression    string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues attrs
	RequestItems              map[string]json.RawMessage
	TransactItems             []map[string]struct {
		Key  attrs
		Item attrs
	}
}

var partitionCondition = regexp.MustCompile(`([#\w]+)\s*=\s*(:\w+)`)

// accessesOf reads what a DynamoDB request touches from its target and JSON body.
func accessesOf(target string, body []byte) ([]access, error) {
	var r request
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	switch target {
	case "GetItem", "UpdateItem", "DeleteItem":
		return []access{{Action: target, Key: r.Key["pk"].S}}, nil
	case "PutItem":
		return []access{{Action: target, Key: r.Item["pk"].S}}, nil
	case "Query":
		for _, m := range partitionCondition.FindAllStringSubmatch(r.KeyConditionExpression, -1) {
			name := m[1]
			if n, ok := r.ExpressionAttributeNames[name]; ok {
				name = n
			}
			if name == "pk" || name == "gsi1pk" {
				return []access{{Action: target, Index: r.IndexName, Key: r.ExpressionAttributeValues[m[2]].S}}, nil
			}
		}
		return nil, fmt.Errorf("no partition key in %q", r.KeyConditionExpression)
	case "BatchGetItem":
		var out []access
		for _, raw := range r.RequestItems {
			var t struct{ Keys []attrs }
			if err := json.Unmarshal(raw, &t); err != nil {
				return nil, err
			}
			for _, k := range t.Keys {
				out = append(out, access{Action: target, Key: k["pk"].S})
			}
		}
		return out, nil
	case "BatchWriteItem":
		var out []access
		for _, raw := range r.RequestItems {
			var ws []struct {
				PutRequest    *struct{ Item attrs }
				DeleteRequest *struct{ Key attrs }
			}
			if err := json.Unmarshal(raw, &ws); err != nil {
				return nil, err
			}
			for _, w := range ws {
				switch {
				case w.PutRequest != nil:
					out = append(out, access{Action: target, Key: w.PutRequest.Item["pk"].S})
				case w.DeleteRequest != nil:
					out = append(out, access{Action: target, Key: w.DeleteRequest.Key["pk"].S})
				}
			}
		}
		return out, nil
	case "TransactWriteItems", "TransactGetItems":
		actions := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
			"ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
		var out []access
		for _, item := range r.TransactItems {
			for kind, op := range item {
				key := op.Key["pk"].S
				if kind == "Put" {
					key = op.Item["pk"].S
				}
				out = append(out, access{Action: actions[kind], Key: key})
			}
		}
		return out, nil
	}
	return []access{{Action: target}}, nil
}

// recorder keeps, per function (named by the Lambda context of the request's context), every
// access its DynamoDB requests needed.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	by   map[string][]access
	errs []error
}

func (rec *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	lc, ok := lambdacontext.FromContext(r.Context())
	if ok && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		target := r.Header.Get("X-Amz-Target")
		target = target[strings.LastIndexByte(target, '.')+1:]
		fn := strings.TrimPrefix(lc.InvokedFunctionArn, localserver.LocalARNPrefix)
		got, err := accessesOf(target, body)
		rec.mu.Lock()
		if err != nil {
			rec.errs = append(rec.errs, fmt.Errorf("%s %s: %w", fn, target, err))
		}
		rec.by[fn] = append(rec.by[fn], got...)
		rec.mu.Unlock()
	}
	return rec.next.RoundTrip(r)
}

// statement is one Allow statement of a function's policy, as the template writes it.
type statement struct {
	Effect    string                          `yaml:"Effect"`
	Action    []string                        `yaml:"Action"`
	Resource  yaml.Node                       `yaml:"Resource"`
	Condition map[string]map[string]yaml.Node `yaml:"Condition"`
}

// allows says whether the statement grants a: the action, on the table or the index, and when
// it is limited by dynamodb:LeadingKeys, for a's partition key.
func (s statement) allows(a access) bool {
	if s.Effect != "Allow" || !slices.Contains(s.Action, "dynamodb:"+a.Action) {
		return false
	}
	resource := s.Resource.Value // !GetAtt Table.Arn, or !Sub "${Table.Arn}/index/gsi1"
	if a.Index == "" && resource != "Table.Arn" || a.Index != "" && !strings.HasSuffix(resource, "/index/"+a.Index) {
		return false
	}
	node, limited := s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
	if !limited {
		return true
	}
	var patterns []string
	if err := node.Decode(&patterns); err != nil {
		return false
	}
	for _, p := range patterns {
		re := "^" + strings.ReplaceAll(regexp.QuoteMeta(p), `\*`, ".*") + "$"
		if regexp.MustCompile(re).MatchString(a.Key) {
			return true
		}
	}
	return false
}

// policies reads each function's DynamoDB statements from template.yaml, by logical id.
func policies(t *testing.T) map[string][]statement {
	t.Helper()
	var tpl struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Policies []struct {
					Statement []statement `yaml:"Statement"`
				} `yaml:"Policies"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	readTemplate(t, &tpl)
	out := map[string][]statement{}
	for id, r := range tpl.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		for _, p := range r.Properties.Policies {
			out[id] = append(out[id], p.Statement...)
		}
	}
	return out
}

// Every DynamoDB request each function makes in the flows is one its template policy allows,
// down to the partition-key prefixes of dynamodb:LeadingKeys: minidyn enforces no IAM, so
// without this a missing grant would first show as AccessDenied in production.
func TestEveryTableAccessIsAllowedByTheFunctionsPolicy(t *testing.T) {
	faults := storetest.NewFaults(http.DefaultTransport)
	rec := &recorder{next: storetest.NewCounter(faults), by: map[string][]access{}}
	clk := clock.NewFixed(testkit.Start)
	srv := start(t, nil, func(c *localserver.Config) {
		c.AWS = storetest.Config(rec)
		c.Clock = clk
	})
	everyFlow(t, srv)
	wechatDoor(t, srv.URL) // a reset completed with a code asked in WeChat

	// The scheduled functions: a day on, the day's counters have ended; a month on, the
	// second review is overdue; the resend finds the notices delivered.
	ids := map[string]string{}
	for _, fn := range functions(t) {
		ids[fn.Name()] = fn.LogicalID
	}
	jobs := localserver.Jobs(srv.Deps)
	for _, run := range []struct {
		after time.Duration
		job   string
	}{{24 * time.Hour, "reset-quotas"}, {30 * 24 * time.Hour, "report-overdue-reviews"}, {0, "resend-decision-notices"}} {
		clk.Advance(run.after)
		if err := jobs[run.job](localserver.Invocation(context.Background(), ids[run.job], "job")); err != nil {
			t.Fatalf("%s: %v", run.job, err)
		}
	}

	// What a busy table makes the functions do: give back what a request spent so far.
	givesBack(t, srv.URL, faults)

	for _, err := range rec.errs {
		t.Error(err)
	}
	granted := policies(t)
	for _, fn := range functions(t) {
		seen := rec.by[fn.LogicalID]
		if len(seen) == 0 && len(granted[fn.LogicalID]) > 0 {
			t.Errorf("%s has table permissions but the flows never reached the table through it", fn.LogicalID)
		}
		for _, a := range seen {
			if !slices.ContainsFunc(granted[fn.LogicalID], func(s statement) bool { return s.allows(a) }) {
				t.Errorf("%s needs %s, which its policy does not grant", fn.LogicalID, a)
			}
		}
	}
}

// givesBack sends, to a table that is busy once the slider is spent, each request that spends
// a slider: each gives it back, which takes a permission of its own.
func givesBack(t *testing.T, base string, faults *storetest.Faults) {
	t.Helper()
	for _, r := range []struct{ path, body string }{
		{"/v1/sms-codes", `{"phone": "13800000000", "purpose": "register", "captcha": %s}`},
		{"/v1/sessions", `{"account": "110105199003071239", "password": "Smoke#2026ok", "captcha": %s}`},
		{"/v1/password-resets", `{"idType": "resident_id", "idNumber": "110105199003071239", "name": "张三", "captcha": %s}`},
	} {
		answer, err := json.Marshal(solved(t, base))
		if err != nil {
			t.Fatal(err)
		}
		faults.Set(storetest.ThrottleAllButDeletes)
		st, m := do(t, "POST", base+r.path, json.RawMessage(fmt.Sprintf(r.body, answer)))
		faults.Set(storetest.NoFault)
		if st != http.StatusServiceUnavailable {
			t.Fatalf("POST %s to a busy table: %d %v", r.path, st, m)
		}
	}
}

// senders are the SNS and SES clients a function may build, and the permission each needs.
var senders = map[string]string{
	"awssns.NewSMS(":    "sns:Publish",
	"awssns.NewTopic(":  "sns:Publish",
	"awsses.NewMailer(": "ses:SendEmail",
}

// A function that builds an SNS or SES client has the permission to use it, and one that
// builds none has no such permission.
func TestEverySenderIsAllowedAndNoOtherIs(t *testing.T) {
	granted := policies(t)
	for _, fn := range functions(t) {
		src, err := os.ReadFile(filepath.Join(root, "functions", fn.Name(), "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		need := map[string]bool{}
		for call, action := range senders {
			if strings.Contains(string(src), call) {
				need[action] = true
			}
		}
		have := map[string]bool{}
		for _, s := range granted[fn.LogicalID] {
			for _, a := range s.Action {
				if s.Effect == "Allow" && !strings.HasPrefix(a, "dynamodb:") {
					have[a] = true
				}
			}
		}
		for a := range need {
			if !have[a] {
				t.Errorf("%s sends with %s, which its policy does not grant", fn.LogicalID, a)
			}
		}
		for a := range have {
			if !need[a] {
				t.Errorf("%s is granted %s but builds no client that uses it", fn.LogicalID, a)
			}
		}
	}
}

// Every dynamodb:LeadingKeys pattern of the template grants a partition-key prefix the store
// makes (shared/store/keys.go), and every prefix the store makes is granted to some function:
// a renamed prefix fails here, not as AccessDenied in production.
func TestTheTemplatesLeadingKeysAreTheStoresPrefixes(t *testing.T) {
	made := store.KeyPrefixes()
	granted := map[string]bool{}
	for fn, statements := range policies(t) {
		for _, s := range statements {
			node, limited := s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
			if !limited {
				continue
			}
			var patterns []string
			if err := node.Decode(&patterns); err != nil {
				t.Fatal(err)
			}
			for _, p := range patterns {
				prefix, ok := strings.CutSuffix(p, "*")
				if !ok || !slices.Contains(made, prefix) {
					t.Errorf("%s grants %q, which is no prefix of the store's keys %v", fn, p, made)
				}
				granted[prefix] = true
			}
		}
	}
	for _, prefix := range made {
		if !granted[prefix] {
			t.Errorf("no function is granted the store's prefix %q", prefix)
		}
	}
}

// readTemplate decodes the parts of template.yaml that into's fields name.
func readTemplate(t *testing.T, into any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, into); err != nil {
		t.Fatal(err)
	}
}
