package main

import (
	"math"
	"os"
	"strings"
	"testing"
)

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// An item's size by DynamoDB's rules, by hand: pk (2 + 30), sk (2 + 7), x (1 + 3: three
// digits), y (1 + 2: two digits), expiresAt (9 + 5: eight significant digits), putBy
// (5 + 12).
func TestAnItemsSizeByHand(t *testing.T) {
	if got := Size("captcha"); got != 32+9+4+3+14+17 {
		t.Errorf("captcha: %d bytes, want 79", got)
	}
	if got := valueSize(attrs{"status": "verified", "onlineFailed": true}); got != 3+(1+6+8)+(1+12+1) {
		t.Errorf("a map: %d bytes, want 32", got)
	}
}

func TestRequestUnitsByHand(t *testing.T) {
	photoKB := math.Ceil(float64(Size("photo")) / 1024)
	for _, c := range []struct {
		call     Call
		rru, wru float64
	}{
		{get("account"), 1, 0}, // under 4 KB
		{get("photo"), math.Ceil(float64(Size("photo")) / 4096), 0},
		{write("session"), 0, 1},       // under 1 KB
		{writeIdx("smsDay", 1), 0, 2},  // and its gsi1 copy
		{tx("captcha"), 0, 2},          // a transaction's item costs double
		{tx("photo"), 0, 2 * photoKB},  // 150 KB, twice
		{txIdx("review", 2), 0, 2 + 2}, // the review leaves REVIEWS#pending
		{queryGSI("review", 20), 0.5 * math.Ceil(20*float64(Size("review"))/4096), 0},
		{queryGSI("notice", 0), 0.5, 0}, // the minimum
		{query("reviewEntry", 1), 1, 0},
	} {
		r, w := c.call.Units()
		if r != c.rru || w != c.wru {
			t.Errorf("%v: %v RRU %v WRU, want %v %v", c.call, r, w, c.rru, c.wru)
		}
	}
}

// One authenticated read priced by hand in us-east-1: four DynamoDB requests in three round
// trips, at 256 MB.
func TestOneOperationPricedByHand(t *testing.T) {
	if ArmFactor != 1.5 || TripMS != 6 || BaseCPUMS != 1 || CallCPUMS != 0.3 || ColdShare != 0.01 || InitMS != 20 || LogBytes != 350 {
		t.Fatal("the model's estimates changed: price this operation by hand again")
	}
	op := Op{Function: "F", HTTP: true, Trips: 3,
		Calls:   []Call{write("session"), get("account"), get("verifyDay"), get("reviewCycle")},
		InBytes: 500, OutBytes: 1200}
	memory := map[string]int{"F": 256}

	// CPU (1 + 4 × 0.3) ms × 1.5 ÷ (256/1769) = 22.80 ms; + 3 trips × 6 ms = 40.80, billed 41;
	// a cold init 1 % × 20 ms × 1.5 ÷ (256/1769) = 2.073 ms.
	share := 256.0 / 1769
	ms := 41 + 0.01*20*1.5/share
	near(t, "billed ms", op.DurationMS(256), ms)

	lines := USEast1.Cost(op.Usage(memory))
	want := map[string]float64{
		"Lambda requests":           0.20 / 1e6,
		"Lambda duration":           0.25 * ms / 1000 * 0.0000133334,
		"DynamoDB writes":           1 * 0.625 / 1e6,
		"DynamoDB reads":            3 * 0.125 / 1e6,
		"API Gateway":               1.00 / 1e6,
		"CloudFront requests":       0.0120 / 1e4,
		"CloudFront Functions":      0, // the API's behaviour runs none
		"CloudFront data out":       1200 / 1e9 * 0.120,
		"CloudFront data to origin": 500 / 1e9 * 0.060,
		"CloudWatch Logs":           350 / 1e9 * 0.50,
	}
	sum := 0.0
	for _, l := range lines {
		w, ok := want[l.Service]
		if !ok {
			t.Errorf("a line priced by no hand: %s", l.Service)
		}
		near(t, l.Service, l.Amount, w)
		sum += w
	}
	near(t, "total", Total(lines), sum)
	// 0.2 + 0.1436 + 0.625 + 0.375 + 1 + 1.2 + 0.144 + 0.03 + 0.175 µ$
	if got := Total(lines) * 1e6; math.Abs(got-3.8926) > 0.0001 {
		t.Errorf("total: %.5f µ$, want 3.8926", got)
	}
	// The same in cn-north-1: the sourced CNY prices where there are, the rest converted.
	cn := CNNorth1.Cost(op.Usage(memory))
	near(t, "cn-north-1 writes", cn[2].Amount, 11.1538/1e6)
	near(t, "cn-north-1 requests", cn[0].Amount, 0.20*cnyPerUSD/1e6)
}

// CloudFront compresses an answer from 1,000 bytes (its documented floor) and sends a smaller
// one as it is; PageRoutes runs once a visit, not for the assets (their own behaviour).
func TestWhatCloudFrontSendsAndRuns(t *testing.T) {
	if sent(999, 0.5) != 999 || sent(1000, 0.5) != 500 || sent(24_100, SliderShare) != 18_075 {
		t.Errorf("sent: %d %d %d", sent(999, 0.5), sent(1000, 0.5), sent(24_100, SliderShare))
	}
	c := Assumed
	pages := c.Pages()
	visits := 1 + c.Visits + c.ResetShare
	near(t, "function runs", pages.CDNFunctions, visits)
	near(t, "requests", pages.CDNRequests, visits+c.FullPageLoads*c.PageAssetRequests)
}

func readTemplate(t *testing.T) Template {
	t.Helper()
	f, err := os.Open("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tpl, err := ReadTemplate(f)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestTheTemplateIsRead(t *testing.T) {
	tpl, err := ReadTemplate(strings.NewReader(`Globals:
  Function:
    Runtime: provided.al2023
    MemorySize: 256
Resources:
  AFunction:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: 1024
      Events:
        Http:
          Type: HttpApi
  BFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/b/
  Secret:
    Type: AWS::SecretsManager::Secret
`))
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Memory["AFunction"] != 1024 || tpl.Memory["BFunction"] != 256 || len(tpl.Memory) != 2 {
		t.Errorf("memory: %v", tpl.Memory)
	}
	if tpl.Routes != 1 || tpl.Types["AWS::SecretsManager::Secret"] != 1 {
		t.Errorf("routes %d, types %v", tpl.Routes, tpl.Types)
	}

	real := readTemplate(t)
	for name, op := range Ops {
		if mb, ok := real.Memory[op.Function]; op.Function != "" && (!ok || mb < 128) {
			t.Errorf("%s: template.yaml has no function %s (or no memory: %d)", name, op.Function, mb)
		}
	}
	for name := range Assumed.Counts() {
		if _, ok := Ops[name]; !ok {
			t.Errorf("the cycle counts %q, which the operation table lacks", name)
		}
	}
}

// Issue 12's goal is ≤ $60 per million applicants a cycle, SMS and mail apart. The bill
// priced here does not meet it (docs/PERFORMANCE.md, "The bill"). Until it does, Ceiling is
// the bill as recorded there, so that a change that adds round trips, requests or memory
// fails make test; lower it as the bill comes down, and set it to GoalUSD once met.
const (
	GoalCeilingUS = 246.0 // us-east-1, USD (recorded: 242)
	GoalCeilingCN = 400.0 // cn-north-1, USD at the stated rate (recorded: 393)
)

func TestTheBillStaysUnderItsCeiling(t *testing.T) {
	if GoalUSD != 60 {
		t.Fatalf("issue 12's goal is $60, not %v", GoalUSD)
	}
	per := Assumed.PerApplicant(readTemplate(t).Memory)
	us := Total(USEast1.Cost(per)) * million
	cn := CNNorth1.USD(Total(CNNorth1.Cost(per))) * million
	t.Logf("a million applicants a cycle: us-east-1 $%.0f, cn-north-1 $%.0f; goal $%.0f", us, cn, GoalUSD)
	if us > max(GoalCeilingUS, GoalUSD) {
		t.Errorf("us-east-1: $%.0f per million applicants, over the ceiling $%.0f", us, GoalCeilingUS)
	}
	if cn > max(GoalCeilingCN, GoalUSD) {
		t.Errorf("cn-north-1: $%.0f per million applicants, over the ceiling $%.0f", cn, GoalCeilingCN)
	}
	if (us <= GoalUSD) != (GoalCeilingUS <= GoalUSD) {
		t.Errorf("us-east-1 now $%.0f against the goal $%.0f: set GoalCeilingUS and the verdict in docs/PERFORMANCE.md to match", us, GoalUSD)
	}
}

func TestTheReportNamesEverySourceOrAssumption(t *testing.T) {
	for _, r := range []Region{USEast1, CNNorth1} {
		for name, p := range r.Prices {
			if p.Per <= 0 || p.Amount <= 0 {
				t.Errorf("%s %s: no price", r.Name, name)
			}
			if !p.Assumption && !strings.HasPrefix(p.Source, "https://") {
				t.Errorf("%s %s: neither a source nor marked an assumption", r.Name, name)
			}
			if p.Assumption && p.Note == "" {
				t.Errorf("%s %s: an assumption without a word on why", r.Name, name)
			}
		}
	}
	var b strings.Builder
	Report(&b, readTemplate(t), Assumed)
	for _, want := range []string{"### The bill per million applicants a cycle", "### SMS and mail", "### Fixed and standing costs", "### Prices and sources", "not offered"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
