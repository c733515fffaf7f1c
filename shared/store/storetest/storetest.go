// Package storetest runs minidyn's DynamoDB-compatible HTTP server on loopback and points the
// real SDK at it, so store code is tested over the wire it uses in AWS, not against a map.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	miniserver "github.com/truora/minidyn/server"

	"github.com/jszg/applicant-accounts/shared/store"
)

// Table is the table name tests use.
const Table = "applicant-accounts-test"

// SealKey is the seal key of the tests' stores.
const SealKey = "storetest-seal-key"

// Env is one fresh DynamoDB-compatible server with the table created.
type Env struct {
	Store  *store.Store
	Client *dynamodb.Client
	Server *miniserver.Server
	URL    string
	Calls  *Counter
	// Faults makes DynamoDB's transient refusals (conflicts, throttling) happen on demand.
	Faults *Faults
}

// New starts a server for t and stops it when t ends.
func New(t testing.TB) *Env {
	t.Helper()
	srv := miniserver.NewServer()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	faults := NewFaults(http.DefaultTransport)
	calls := NewCounter(faults)
	client := store.NewClient(Config(calls), aws.String(ts.URL))
	if err := store.CreateTable(context.Background(), client, Table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	calls.Reset()
	return &Env{Store: store.New(client, Table).WithSealKey([]byte(SealKey)), Client: client, Server: srv, URL: ts.URL, Calls: calls, Faults: faults}
}

// Config is an aws.Config for emulators: placeholder credentials, and the given transport.
func Config(rt http.RoundTripper) aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: aws.AnonymousCredentials{},
		HTTPClient:  &http.Client{Transport: rt},
	}
}

// Counter counts DynamoDB operations by name (the X-Amz-Target the SDK sends), so tests can
// hold each handler to its documented number of round trips.
type Counter struct {
	next   http.RoundTripper
	mu     sync.Mutex
	counts map[string]int
	trips  int
	marks  map[int64]bool // the store.Together marks already counted as a trip
}

// NewCounter counts and checks the DynamoDB requests that go through it to next.
func NewCounter(next http.RoundTripper) *Counter { return &Counter{next: next} }

// RoundTrip counts and forwards, after refusing what DynamoDB refuses but minidyn lets by
// (checkRequest).
func (c *Counter) RoundTrip(r *http.Request) (*http.Response, error) {
	target := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		target = target[i+1:]
	}
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := checkRequest(target, body); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[target]++
	if mark := store.TripOf(r.Context()); mark == 0 || !c.marks[mark] {
		c.trips++
		if mark != 0 {
			if c.marks == nil {
				c.marks = map[int64]bool{}
			}
			c.marks[mark] = true
		}
	}
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

// Reset forgets what was counted.
func (c *Counter) Reset() {
	c.mu.Lock()
	c.counts = map[string]int{}
	c.trips, c.marks = 0, nil
	c.mu.Unlock()
}

// Trips is the number of round trips in sequence since the last Reset: requests sent
// together (store.Together) count once.
func (c *Counter) Trips() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trips
}

// Total is the number of round trips since the last Reset.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, v := range c.counts {
		t += v
	}
	return t
}

// String lists the operations since the last Reset, e.g. "DeleteItem=1 PutItem=1".
func (c *Counter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	parts := make([]string, 0, len(c.counts))
	for k, v := range c.counts {
		parts = append(parts, k+"="+strconv.Itoa(v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Dump is every item of the table, printed: for tests that look for what must not be stored.
func (e *Env) Dump(t testing.TB) string {
	t.Helper()
	out, err := e.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(Table)})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	var b strings.Builder
	for _, item := range out.Items {
		for k, v := range item {
			fmt.Fprintf(&b, "%s=%v ", k, v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// MarkPhoneUnproven marks the account's mobile as one it never proved, as a WeChat
// registration leaves it.
func (e *Env) MarkPhoneUnproven(t testing.TB, login string) {
	t.Helper()
	_, err := e.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(Table),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "ACCOUNT#" + login}, "sk": &types.AttributeValueMemberS{Value: "ACCOUNT"},
		},
		UpdateExpression:          aws.String("SET phoneUnproven = :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}},
	})
	if err != nil {
		t.Fatalf("mark the mobile unproven: %v", err)
	}
}

// OperatorEnv points an operator command's AWS configuration (the usual credential chain)
// at this server only, with placeholder credentials and no instance metadata lookups.
func (e *Env) OperatorEnv(t testing.TB) {
	t.Helper()
	for k, v := range map[string]string{
		"TABLE_NAME": Table, "DYNAMODB_ENDPOINT": e.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_CONFIG_FILE": os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
}

// checkRequest refuses what DynamoDB refuses and minidyn lets by, so that such code fails in
// make test rather than in AWS: key conditions beyond what DynamoDB allows, expression names
// and values defined but unused (a ValidationException in DynamoDB) or used but undefined,
// overlapping update paths, empty strings in key attributes, two operations on one item in
// a transaction or one batch, and batches over their size limits.
func checkRequest(target string, body []byte) error {
	var in struct {
		unit
		TransactItems []map[string]json.RawMessage
		RequestItems  map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return fmt.Errorf("storetest: %s body: %w", target, err)
	}
	if err := checkKeyCondition(in.KeyConditionExpression); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return fmt.Errorf("storetest: %s: %w", target, err)
	}
	if len(in.TransactItems) > 100 {
		return fmt.Errorf("storetest: %s has %d items; DynamoDB takes 100", target, len(in.TransactItems))
	}
	items := map[string]bool{}
	for _, ti := range in.TransactItems {
		for kind, raw := range ti {
			var u unit
			if err := json.Unmarshal(raw, &u); err != nil {
				return fmt.Errorf("storetest: %s %s: %w", target, kind, err)
			}
			if err := u.check(); err != nil {
				return fmt.Errorf("storetest: %s %s: %w", target, kind, err)
			}
			key := u.Key
			if kind == "Put" {
				key = u.Item
			}
			id := u.TableName + "|" + string(key["pk"]) + "|" + string(key["sk"])
			if items[id] {
				return fmt.Errorf("storetest: %s touches one item twice (%s); DynamoDB refuses the whole transaction", target, id)
			}
			items[id] = true
		}
	}
	limit := map[string]int{"BatchWriteItem": 25, "BatchGetItem": 100}[target]
	for table, raw := range in.RequestItems {
		var keys []map[string]json.RawMessage
		if target == "BatchGetItem" {
			var get struct{ Keys []map[string]json.RawMessage }
			if err := json.Unmarshal(raw, &get); err != nil {
				return err
			}
			keys = get.Keys
		} else {
			var writes []struct {
				PutRequest    *struct{ Item map[string]json.RawMessage }
				DeleteRequest *struct{ Key map[string]json.RawMessage }
			}
			if err := json.Unmarshal(raw, &writes); err != nil {
				return err
			}
			for _, w := range writes {
				if w.PutRequest != nil {
					keys = append(keys, w.PutRequest.Item)
				} else if w.DeleteRequest != nil {
					keys = append(keys, w.DeleteRequest.Key)
				}
			}
		}
		if len(keys) > limit {
			return fmt.Errorf("storetest: %s asks for %d items of %s; DynamoDB takes %d", target, len(keys), table, limit)
		}
		seen := map[string]bool{}
		for _, k := range keys {
			if err := checkKeyValues(k); err != nil {
				return fmt.Errorf("storetest: %s: %w", target, err)
			}
			id := string(k["pk"]) + "|" + string(k["sk"])
			if seen[id] {
				return fmt.Errorf("storetest: %s names one item twice (%s); DynamoDB refuses duplicates in a batch", target, id)
			}
			seen[id] = true
		}
	}
	return nil
}

// unit is one operation's expressions: a whole request, or one item of a transaction.
type unit struct {
	TableName                 string
	Key, Item                 map[string]json.RawMessage
	KeyConditionExpression    string
	ConditionExpression       string
	UpdateExpression          string
	FilterExpression          string
	ProjectionExpression      string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]json.RawMessage
}

var placeholder = regexp.MustCompile(`[#:][A-Za-z0-9_]+`)

func (u unit) check() error {
	if err := u.checkExpressions(); err != nil {
		return err
	}
	if err := checkKeyValues(u.Key); err != nil {
		return err
	}
	if err := checkKeyValues(u.Item); err != nil {
		return err
	}
	return u.checkUpdate()
}

// keyAttributes are the table's and the index's keys: DynamoDB refuses an empty string in any
// of them, minidyn stores it.
var keyAttributes = []string{"pk", "sk", "gsi1pk", "gsi1sk"}

var emptyString = regexp.MustCompile(`^\{\s*"S"\s*:\s*""\s*\}$`)

func checkKeyValues(item map[string]json.RawMessage) error {
	for _, k := range keyAttributes {
		if v, ok := item[k]; ok && emptyString.Match(v) {
			return fmt.Errorf("key attribute %s is an empty string", k)
		}
	}
	return nil
}

var (
	updateClause = regexp.MustCompile(`(?i)\b(SET|REMOVE|ADD|DELETE)\b`)
	valueOnly    = regexp.MustCompile(`^:[A-Za-z0-9_]+$`)
)

// checkUpdate refuses an update expression whose paths overlap ("SET a = :x, a.b = :y"),
// which DynamoDB rejects, and one that sets an index key to an empty string.
func (u unit) checkUpdate() error {
	expr := u.UpdateExpression
	bounds := updateClause.FindAllStringIndex(expr, -1)
	var paths []string
	for i, b := range bounds {
		end := len(expr)
		if i+1 < len(bounds) {
			end = bounds[i+1][0]
		}
		verb := strings.ToUpper(expr[b[0]:b[1]])
		for _, action := range splitTopLevel(expr[b[1]:end]) {
			path, rest := strings.TrimSpace(action), ""
			switch verb {
			case "SET":
				path, rest, _ = strings.Cut(action, "=")
			case "ADD", "DELETE":
				path, rest, _ = strings.Cut(strings.TrimSpace(action), " ")
			}
			path = placeholder.ReplaceAllStringFunc(strings.TrimSpace(path), func(p string) string {
				if n, ok := u.ExpressionAttributeNames[p]; ok {
					return n
				}
				return p
			})
			for _, seen := range paths {
				if overlap(seen, path) {
					return fmt.Errorf("update paths %s and %s overlap: %s", seen, path, expr)
				}
			}
			paths = append(paths, path)
			rest = strings.TrimSpace(rest)
			if verb == "SET" && slices.Contains(keyAttributes, path) && valueOnly.MatchString(rest) && emptyString.Match(u.ExpressionAttributeValues[rest]) {
				return fmt.Errorf("SET %s to an empty string", path)
			}
		}
	}
	return nil
}

func overlap(a, b string) bool {
	nested := func(outer, inner string) bool {
		return strings.HasPrefix(inner, outer+".") || strings.HasPrefix(inner, outer+"[")
	}
	return a == b || nested(a, b) || nested(b, a)
}

// splitTopLevel splits a clause's actions at commas outside parentheses.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}

func (u unit) checkExpressions() error {
	used := map[string]bool{}
	for _, e := range []string{u.KeyConditionExpression, u.ConditionExpression, u.UpdateExpression, u.FilterExpression, u.ProjectionExpression} {
		for _, p := range placeholder.FindAllString(e, -1) {
			used[p] = true
		}
	}
	for name := range u.ExpressionAttributeNames {
		if !used[name] {
			return fmt.Errorf("ExpressionAttributeNames has %s, which no expression uses", name)
		}
	}
	for value := range u.ExpressionAttributeValues {
		if !used[value] {
			return fmt.Errorf("ExpressionAttributeValues has %s, which no expression uses", value)
		}
	}
	for p := range used {
		_, name := u.ExpressionAttributeNames[p]
		_, value := u.ExpressionAttributeValues[p]
		if !name && !value {
			return fmt.Errorf("%s is used but not defined", p)
		}
	}
	return nil
}

// keyConditionToken finds what DynamoDB refuses in a KeyConditionExpression, which allows
// only names, values, comparisons, BETWEEN, begins_with and AND. minidyn evaluates anything
// (IN, OR, <>).
var keyConditionToken = regexp.MustCompile(`[A-Za-z_]+\(|\b(?i:IN|OR|NOT)\b|<>`)

func checkKeyCondition(expr string) error {
	for _, tok := range keyConditionToken.FindAllString(expr, -1) {
		if tok != "begins_with(" {
			return fmt.Errorf("storetest: DynamoDB refuses %q in a key condition: %s", tok, expr)
		}
	}
	return nil
}
