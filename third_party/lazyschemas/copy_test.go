package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/schemas"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	streamschemas "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/schemas"
	smithy "github.com/aws/smithy-go"
)

// reporter is what a check run in a fresh process reports to: *testing.T in a test, the
// child's own in the process TestMain starts for it.
type reporter interface {
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// freshChecks run each in a process of their own, where no operation has been sent yet:
// what they check (which schemas the init built, what Complete builds) holds only until a
// cold operation runs, which any other test may do first.
var freshChecks = map[string]func(reporter){
	"hot operations round trip before Complete": hotOperationsRoundTripBeforeComplete,
	"a cold operation builds its schemas once":  aColdOperationBuildsItsSchemasOnce,
}

const freshEnv = "LAZYSCHEMAS_FRESH_CHECK"

func TestMain(m *testing.M) {
	if name := os.Getenv(freshEnv); name != "" {
		os.Exit(runFresh(name))
	}
	os.Exit(m.Run())
}

// TestTheCopiesInAFreshProcess runs each fresh check in this test binary started again (so
// under -race when this one is), which runs only that check.
func TestTheCopiesInAFreshProcess(t *testing.T) {
	for name := range freshChecks {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), freshEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
		})
	}
}

// childReporter prints what fails and remembers it; Fatalf ends the process.
type childReporter struct{ failed bool }

func (c *childReporter) Errorf(format string, args ...any) {
	c.failed = true
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

func (c *childReporter) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func runFresh(name string) int {
	check, ok := freshChecks[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "no fresh check %q\n", name)
		return 2
	}
	r := &childReporter{}
	check(r)
	if r.failed {
		return 1
	}
	return 0
}

// aColdOperationBuildsItsSchemasOnce: the copies in third_party/dynamodb and
// third_party/dynamodbstreams, which go.mod puts in place of the SDK's, leave the cold
// schemas nil until a cold operation is sent; twenty goroutines sending the first ones at
// once build them once (under the race detector) and read their answers whole.
func aColdOperationBuildsItsSchemasOnce(t reporter) {
	for name, s := range map[string]*smithy.Schema{"PutItemInput": schemas.PutItemInput, "TransactWriteItemsInput": schemas.TransactWriteItemsInput,
		"CancellationReason": schemas.CancellationReason, "TransactionCanceledException": schemas.TransactionCanceledException,
		"BatchGetItemOutput": schemas.BatchGetItemOutput, "AttributeValue_M": schemas.AttributeValue_M} {
		if s == nil {
			t.Errorf("hot schema %s is not built at init", name)
		}
	}
	if schemas.PutItemInput == nil || schemas.CreateTableInput != nil || schemas.TableDescription != nil || schemas.ListBackupsOutput != nil {
		t.Fatalf("the copy's init did not leave the cold schemas to Complete")
	}
	if streamschemas.DescribeStreamInput != nil {
		t.Fatalf("the streams copy built its schemas at init")
	}

	var targets sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		target := r.Header.Get("X-Amz-Target")
		targets.Store(target, string(body))
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch target {
		case "DynamoDB_20120810.CreateTable":
			io.WriteString(w, `{"TableDescription":{"TableName":"t","TableStatus":"CREATING","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],`+
				`"GlobalSecondaryIndexes":[{"IndexName":"gsi1","IndexStatus":"CREATING","Projection":{"ProjectionType":"ALL"}}],"BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST"}}}`)
		case "DynamoDB_20120810.DescribeTable":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table t"}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"com.amazon.coral.validate#ValidationException","message":"unexpected"}`)
		}
	}))
	defer srv.Close()
	db := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
		HTTPClient:   srv.Client(),
	})

	// Twenty goroutines send the first cold operations at once: Complete builds the schemas
	// once, under the race detector, and every one of them answers whole.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			out, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
				TableName:            aws.String("t"),
				BillingMode:          types.BillingModePayPerRequest,
				AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
				KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
			})
			switch {
			case err != nil:
				errs <- err
			case out.TableDescription == nil || out.TableDescription.TableStatus != types.TableStatusCreating ||
				len(out.TableDescription.GlobalSecondaryIndexes) != 1 || *out.TableDescription.GlobalSecondaryIndexes[0].IndexName != "gsi1" ||
				out.TableDescription.BillingModeSummary.BillingMode != types.BillingModePayPerRequest:
				errs <- errors.New("CreateTable's answer was not read whole")
			}
		}()
		go func() {
			defer wg.Done()
			_, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String("t")})
			var notFound *types.ResourceNotFoundException
			if !errors.As(err, &notFound) || notFound.ErrorMessage() != "no table t" {
				errs <- errors.New("DescribeTable's error was not read as ResourceNotFoundException: " + errorText(err))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("%v", err)
	}
	if schemas.CreateTableInput == nil || schemas.TableDescription == nil || schemas.ListBackupsOutput == nil {
		t.Errorf("Complete left a cold schema nil")
	}
	sent, _ := targets.Load("DynamoDB_20120810.CreateTable")
	var body map[string]any
	if err := json.Unmarshal([]byte(sent.(string)), &body); err != nil || body["TableName"] != "t" || body["BillingMode"] != "PAY_PER_REQUEST" {
		t.Errorf("CreateTable sent %v (%v)", sent, err)
	}
	streamschemas.Complete()
	if streamschemas.DescribeStreamInput == nil {
		t.Errorf("the streams copy's Complete left DescribeStreamInput nil")
	}
}

func errorText(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// tableSetup are the operations the store sends only to make the table for `make run` and
// the tests (in AWS, template.yaml makes it): cold on purpose, and allowed to no function.
var tableSetup = map[string]bool{"CreateTable": true, "DescribeTable": true, "UpdateTimeToLive": true}

// The hot set is exactly what the functions send: the operations the store names outside
// its table setup, and the data-plane actions of the functions' policies.
func TestTheHotOperationsAreWhatTheFunctionsSend(t *testing.T) {
	named := map[string]bool{}
	entries, err := os.ReadDir("../../shared/store")
	if err != nil {
		t.Fatal(err)
	}
	input := regexp.MustCompile(`dynamodb\.(\w+)Input\b`)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile("../../shared/store/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range input.FindAllStringSubmatch(string(src), -1) {
			if !tableSetup[m[1]] {
				named[m[1]] = true
			}
		}
	}
	// Scan is the test helpers' (storetest) only.
	if got, want := sortedKeys(named), HotDynamoDBOperations; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the store sends %v; the hot operations are %v", got, want)
	}

	template, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	hot := map[string]bool{}
	for _, op := range HotDynamoDBOperations {
		hot[op] = true
	}
	for _, m := range regexp.MustCompile(`dynamodb:(\w+)`).FindAllStringSubmatch(string(template), -1) {
		action := m[1]
		switch {
		case action == "LeadingKeys" || action == "ConditionCheckItem": // a condition key; a transaction's check
		case tableSetup[action]:
			t.Errorf("template.yaml allows dynamodb:%s, which only the table's setup sends", action)
		case !hot[action]:
			t.Errorf("template.yaml allows dynamodb:%s, which is not a hot operation", action)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
