package main

import (
	"math"
	"slices"
)

// Measured on the project's 2-core x86_64 machine ("AMD EPYC", Go reports "Oxide Virtual
// Turin-like Processor"), 2026-11-28 07:58–08:10 UTC, with other work running (load average
// 0.5 to 9.7): the fastest of 10 to 15 runs of 20 iterations, `go test -tags purego -run '^$'
// -bench 'BenchmarkHashDefault|BenchmarkDraw|BenchmarkCheck' -benchtime 20x -count 5`. purego
// makes golang.org/x/crypto/argon2 use its generic Go code, which is what it runs on arm64
// (its assembly is amd64-only; with it the hash took 27.6 ms at best here).
const (
	HashMS       = 31.4   // BenchmarkHashDefault, shared/password (Argon2id 19 MiB, t=2, p=1)
	DrawMS       = 13.8   // BenchmarkDraw, shared/captcha (a puzzle, assets decoded)
	PhotoCheckMS = 67.7   // BenchmarkCheck, shared/photo (a 2000×1500 photo decoded and encoded again)
	PuzzleBytes  = 24_100 // captcha.Draw's JSON, the mean of five (18.8–29.7 KB)
	InitMS       = 20.0   // a store-using function's init, docs/PERFORMANCE.md baseline (16–24 ms)
)

// What gzip -9 leaves of the API's answers (the share of the body), measured 2026-11-28
// against `go run ./infra/local`: CloudFront compresses an answer of 1,000 bytes or more
// (ApiCachePolicy's gzip and Brotli, the /v1/* behaviour's Compress) and sends a smaller one
// as it is — GET /v1/me (416–483 bytes) and most answers are under the line. Brotli, which
// CloudFront picks for a browser over HTTPS, leaves a little less; the bill counts gzip.
const (
	SliderShare      = 0.750 // POST /v1/captchas: 20 sliders, 26,218 bytes on average, 19,666 gzip -9 (base64 JPEG and PNG)
	AgreementShare   = 0.503 // GET /v1/agreement: 3,986 bytes, 2,004 gzip -9
	EthnicitiesShare = 0.294 // GET /v1/ethnicities: 1,920 bytes, 565 gzip -9
	GuideShare       = 0.620 // GET /v1/verification-guide: 1,362 bytes, 844 gzip -9
	// Estimates: a review's answer is mostly its photo in base64, as a slider is; the review
	// queue is JSON text, as the agreement is.
	PhotoShare = SliderShare
	TextShare  = AgreementShare
)

// sent is what CloudFront sends of an answer's body of n bytes that compresses to share.
func sent(n int, share float64) int {
	if n < 1000 {
		return n
	}
	return int(math.Round(float64(n) * share))
}

// Estimates (no measurement here).
const (
	// ArmFactor: a Lambda arm64 core (Graviton2) runs this Go code this much slower than
	// this machine's core. The largest uncertainty of the duration figures.
	ArmFactor = 1.5
	// FullVCPUMB: Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB.
	FullVCPUMB = 1769.0
	// TripMS: one DynamoDB round trip in the Region, the SDK's work included.
	TripMS = 6.0
	// BaseCPUMS and CallCPUMS: a request's own CPU on this machine (the event, routing, JSON,
	// the log line) and each DynamoDB request's (marshalling, SigV4 signing).
	BaseCPUMS = 1.0
	CallCPUMS = 0.3
	// Waits on other services: SNS Publish (an SMS), SES SendEmail, the identity provider.
	SNSWaitMS = 60.0
	SESWaitMS = 80.0
	IDVWaitMS = 300.0
	// ColdShare: requests that start a new execution environment during a wave; their init
	// is billed (provided.al2023).
	ColdShare = 0.01
	// LogBytes: CloudWatch Logs ingested per request — the JSON request line (about 200
	// bytes), 26 bytes of event overhead, an EMF line on the routes that count a metric.
	LogBytes = 350.0
	// PendingReviews: the review queue the hourly overdue report reads in a wave.
	PendingReviews = 2000
)

// Cycle is what one applicant does in one cycle (1 Jan–31 Aug or 1 Sep–31 Dec). Every
// figure is an assumption, printed with the bill.
type Cycle struct {
	Visits             float64 // logins that succeed, each a visit
	SlidersPerCaptcha  float64 // sliders drawn per slider solved (a failed drag draws again)
	FailedLogins       float64 // wrong passwords (each a slider and a hash)
	MePerVisit         float64 // GET /v1/me per visit (the first page that needs the account, then after a change)
	ListsPerVisit      float64 // GET /v1/me/manual-reviews per visit of an applicant in manual review (the manual-review page alone lists them)
	LogoutsPerVisit    float64 // visits that end with 退出 rather than a closed tab
	CodesPerSignup     float64 // SMS codes asked per registration (some ask again)
	Verifications      float64 // online verifications
	ReviewShare        float64 // applicants who go to manual review
	SubmissionsPerRev  float64 // submissions per applicant in review (a rejection, then again)
	ReviewerQueueReads float64 // queue pages a reviewer reads per decision
	DecisionsPerLogin  float64 // decisions a reviewer makes per login
	ResetShare         float64 // applicants who reset their password, by SMS
	FullPageLoads      float64 // downloads of the pages' assets (a second device, a new release)
	PageAssetRequests  float64 // asset files one full download fetches
	PageAssetBytes     float64 // their bytes, compressed
	IndexBytes         float64 // index.html, compressed, fetched on every visit (no-cache)
	ActiveMonths       float64 // months of a cycle in which the applicant signs in (for Cognito)
}

// Assumed is the cycle the bill prices.
var Assumed = Cycle{
	// MePerVisit measured by web/e2e/requests.spec.ts (the pages keep the account for the
	// session, web/src/applicant/me.ts): a first login through the profile and a passed
	// verification asks GET /v1/me 2 times, one through a failed verification and a manual
	// review 4, a later login (the account page, the mobile page and back) 1. Over a cycle's
	// 4.15 visits, one of them the first (10 % of applicants by manual review):
	// (0.9×2 + 0.1×4 + 3.15×1) / 4.15 = 1.29. Before the account was kept, the same visits
	// asked 3, 5 and 3 times: 3.05 a visit, where 2 had been assumed.
	Visits: 4, SlidersPerCaptcha: 1.2, FailedLogins: 0.3, MePerVisit: 1.3, ListsPerVisit: 1,
	LogoutsPerVisit: 0.5, CodesPerSignup: 1.1, Verifications: 1.5,
	ReviewShare: 0.10, SubmissionsPerRev: 1.1, ReviewerQueueReads: 1, DecisionsPerLogin: 50,
	ResetShare: 0.15, FullPageLoads: 1.5,
	// web/dist of 3742c1b: the applicant app is one script and one style sheet, 145 KB gzip -9
	// (a first load of its main routes fetched 58 files, 154 KB, before); index.html is 584
	// bytes, under the 1,000 CloudFront compresses, so it goes as it is.
	PageAssetRequests: 2, PageAssetBytes: 145_000, IndexBytes: 584 + headerBytes,
	ActiveMonths: 2,
}

// Counts is how many of each operation one applicant's cycle causes.
func (c Cycle) Counts() map[string]float64 {
	visits := c.Visits + c.ResetShare // a reset ends with a login
	sliders := (c.CodesPerSignup + visits + c.FailedLogins + c.ResetShare) * c.SlidersPerCaptcha
	reviews := c.ReviewShare * c.SubmissionsPerRev
	return map[string]float64{
		"GET /v1/agreement":                       1,
		"POST /v1/captchas":                       sliders,
		"POST /v1/sms-codes":                      c.CodesPerSignup,
		"POST /v1/accounts":                       1,
		"POST /v1/sessions":                       visits + c.FailedLogins,
		"GET /v1/me":                              visits * c.MePerVisit,
		"GET /v1/me/manual-reviews":               visits * c.ReviewShare * c.ListsPerVisit,
		"DELETE /v1/sessions/current":             visits * c.LogoutsPerVisit,
		"GET /v1/ethnicities":                     1,
		"PUT /v1/me/profile":                      1,
		"GET /v1/verification-guide":              1,
		"POST /v1/me/verifications":               c.Verifications,
		"POST /v1/me/manual-reviews":              reviews,
		"GET /v1/reviews":                         reviews * c.ReviewerQueueReads,
		"GET /v1/reviews/{reviewId}":              reviews,
		"POST /v1/reviews/{reviewId}/decision":    reviews,
		"POST /v1/sessions (reviewer, with TOTP)": reviews / c.DecisionsPerLogin,
		"POST /v1/password-resets":                c.ResetShare,
		"POST /v1/password-resets/{resetId}/sms":  c.ResetShare,
		"POST /v1/password-resets/complete":       c.ResetShare,
		// Counters the daily reset deletes: the mobile's SMS day (registration, reset), the
		// verification days (one or two), the review cycle's.
		"quota reset: one counter deleted": 1 + c.ResetShare + math.Min(c.Verifications, 2) + c.ReviewShare,
	}
}

// Messages outside the goal: SMS and mail per applicant.
func (c Cycle) Messages() (sms, mail float64) {
	reviews := c.ReviewShare * c.SubmissionsPerRev
	return c.CodesPerSignup + c.ResetShare + reviews, reviews // a decision notice goes both ways
}

// Usage is what an operation (or a cycle) consumes.
type Usage struct {
	LambdaRequests float64
	GBs            float64
	RRU, WRU       float64
	APIRequests    float64
	CDNRequests    float64
	CDNFunctions   float64 // CloudFront Functions runs (PageRoutes, on the pages' addresses, not /assets/*)
	OutGB, InGB    float64
	LogGB          float64
}

func (u Usage) plus(v Usage, times float64) Usage {
	return Usage{
		LambdaRequests: u.LambdaRequests + times*v.LambdaRequests, GBs: u.GBs + times*v.GBs,
		RRU: u.RRU + times*v.RRU, WRU: u.WRU + times*v.WRU,
		APIRequests: u.APIRequests + times*v.APIRequests, CDNRequests: u.CDNRequests + times*v.CDNRequests,
		CDNFunctions: u.CDNFunctions + times*v.CDNFunctions,
		OutGB:        u.OutGB + times*v.OutGB, InGB: u.InGB + times*v.InGB, LogGB: u.LogGB + times*v.LogGB,
	}
}

// Units is what one request costs DynamoDB.
func (c Call) Units() (rru, wru float64) {
	size := float64(Size(c.Item))
	kb := math.Ceil(size / 1024)
	switch c.Kind {
	case Get:
		return math.Ceil(size / 4096), 0
	case Query:
		return math.Max(1, math.Ceil(float64(c.N)*size/4096)), 0
	case QueryGSI:
		return math.Max(0.5, 0.5*math.Ceil(float64(c.N)*size/4096)), 0
	case Write:
		return 0, kb + float64(c.Index)*kb
	case Tx:
		return 0, 2*kb + float64(c.Index)*kb
	}
	panic("bill: unknown request kind")
}

// Share is the vCPU a function of mb MB gets.
func Share(mb int) float64 { return math.Min(1, float64(mb)/FullVCPUMB) }

// DurationMS is an operation's billed duration at mb MB: its CPU (scaled to an arm64 core's
// share), its waits, and a cold start's init spread over the requests.
func (op Op) DurationMS(mb int) float64 {
	if op.Function == "" {
		return 0
	}
	cpu := (BaseCPUMS + CallCPUMS*float64(len(op.Calls)) + op.CPUMS + op.Hashes*HashMS) * ArmFactor / Share(mb)
	warm := cpu + float64(op.Trips)*TripMS + op.WaitMS
	cold := ColdShare * InitMS * ArmFactor / Share(mb)
	return math.Ceil(warm) + cold // billed per started millisecond
}

// Usage is what one run of the operation consumes; memory maps functions to MemorySize.
func (op Op) Usage(memory map[string]int) Usage {
	var u Usage
	for _, c := range op.Calls {
		r, w := c.Units()
		u.RRU += r
		u.WRU += w
	}
	if op.Function != "" && !op.Edge {
		mb, ok := memory[op.Function]
		if !ok {
			panic("bill: template.yaml has no function " + op.Function)
		}
		u.LambdaRequests = 1
		u.GBs = float64(mb) / 1024 * op.DurationMS(mb) / 1000
		u.LogGB = LogBytes / 1e9
	}
	if op.HTTP {
		u.APIRequests = math.Ceil(float64(max(op.InBytes, op.OutBytes)) / (512 * 1024)) // metered in 512 KB
		u.CDNRequests = 1
		u.OutGB = float64(op.OutBytes) / 1e9
		u.InGB = float64(op.InBytes) / 1e9
	}
	if op.Edge {
		u.APIRequests, u.InGB = 0, 0
	}
	return u
}

// PerApplicant is one applicant's cycle: every operation times its count, and the pages.
func (c Cycle) PerApplicant(memory map[string]int) Usage {
	var u Usage
	counts := c.Counts()
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		op, ok := Ops[name]
		if !ok {
			panic("bill: the cycle names an unknown operation " + name)
		}
		u = u.plus(op.Usage(memory), counts[name])
	}
	return u.plus(c.Pages(), 1)
}

// Pages is the static site's share: index.html on every visit, the assets on full loads.
// PageRoutes runs for the visits' page addresses only: /assets/* has its own behaviour.
func (c Cycle) Pages() Usage {
	visits := 1 + c.Visits + c.ResetShare // the registration's visit too
	requests := visits + c.FullPageLoads*c.PageAssetRequests
	return Usage{
		CDNRequests: requests, CDNFunctions: visits,
		OutGB: (visits*c.IndexBytes + c.FullPageLoads*(c.PageAssetBytes+c.PageAssetRequests*headerBytes)) / 1e9,
	}
}

// Line is one priced line of the bill.
type Line struct {
	Service string
	Price   string // the price line of prices.go
	Amount  float64
}

// Cost prices a usage: the lines, in the region's currency.
func (r Region) Cost(u Usage) []Line {
	lines := []Line{
		{"Lambda requests", LambdaRequest, u.LambdaRequests},
		{"Lambda duration", LambdaGBs, u.GBs},
		{"DynamoDB writes", DDBWrite, u.WRU},
		{"DynamoDB reads", DDBRead, u.RRU},
		{"API Gateway", APIRequest, u.APIRequests},
		{"CloudFront requests", CDNRequest, u.CDNRequests},
		{"CloudFront Functions", CDNFunction, u.CDNFunctions},
		{"CloudFront data out", CDNOut, u.OutGB},
		{"CloudFront data to origin", CDNToOrigin, u.InGB},
		{"CloudWatch Logs", LogsIngest, u.LogGB},
	}
	for i := range lines {
		lines[i].Amount *= r.Prices[lines[i].Price].Each()
	}
	return lines
}

// Total sums lines.
func Total(lines []Line) float64 {
	t := 0.0
	for _, l := range lines {
		t += l.Amount
	}
	return t
}

// GoalUSD is issue 12's goal: the AWS cost of a million applicants' cycle, SMS and mail apart.
const GoalUSD = 60.0
