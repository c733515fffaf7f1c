package main

// THE TABLE TO UPDATE when an operation's DynamoDB requests change: one entry per
// operation, its requests as docs/DATA.md's "Access patterns" lists them (the success path,
// on the commit this file names), and its round trips in sequence (requests sent together
// count once). Items are the samples of items.go. The cost of each request follows from its
// kind and its item's size:
//
//	get      GetItem or one key of BatchGetItem, consistent: 1 RRU per 4 KB
//	query    Query on the table, consistent: 1 RRU per 4 KB of the items read, at least 1
//	queryGSI Query on gsi1 (eventually consistent): ½ RRU per 4 KB, at least ½
//	write    PutItem, UpdateItem (the larger of the item before and after), DeleteItem:
//	         1 WRU per KB
//	tx       one item of TransactWriteItems: 2 WRU per KB
//
// and an item in gsi1 (projection ALL) costs the index 1 WRU per KB more per write, 2 when
// the write moves its index key (a review decided leaves REVIEWS#pending).
const tableCommit = "the one-read session (issue 12)"

// Kind is how DynamoDB bills a request.
type Kind int

// The request kinds.
const (
	Get Kind = iota
	Query
	QueryGSI
	Write
	Tx
)

// Call is one request (or one item of a transaction or batch).
type Call struct {
	Kind  Kind
	Item  string // a sample item of items.go
	N     int    // items a query reads (0: none, the minimum charge)
	Index int    // gsi1 writes this write causes
}

func get(item string) Call               { return Call{Kind: Get, Item: item} }
func query(item string, n int) Call      { return Call{Kind: Query, Item: item, N: n} }
func queryGSI(item string, n int) Call   { return Call{Kind: QueryGSI, Item: item, N: n} }
func write(item string) Call             { return Call{Kind: Write, Item: item} }
func writeIdx(item string, idx int) Call { return Call{Kind: Write, Item: item, Index: idx} }
func tx(item string) Call                { return Call{Kind: Tx, Item: item} }
func txIdx(item string, idx int) Call    { return Call{Kind: Tx, Item: item, Index: idx} }

// Op is one operation: a route's request through CloudFront, API Gateway and its function,
// or a piece of scheduled work.
type Op struct {
	Name     string
	Function string // the template's logical ID; "" for DynamoDB work without its own request
	HTTP     bool   // through CloudFront and API Gateway
	// Edge: answered from CloudFront's cache (template.yaml's ApiTextsCachePolicy, 5 minutes,
	// invalidated at each deploy): the function and API Gateway see one request per regional
	// cache every 5 minutes, nothing against a million applicants.
	Edge     bool
	Trips    int // DynamoDB round trips in sequence
	Calls    []Call
	Hashes   float64 // Argon2id hashes (Default: 19 MiB, t=2, p=1)
	CPUMS    float64 // CPU work beyond the request's base, on this machine (measured where named)
	WaitMS   float64 // waits on other services (estimates)
	InBytes  int     // request to the origin, headers included
	OutBytes int     // answer to the viewer as CloudFront sends it (sent: compressed from 1,000 bytes), headers included
}

// The authenticated routes' check: the session and the account in one batch. The idle
// deadline's write, at most once in 5 minutes, is counted once a visit, on GET /v1/me.
var check = []Call{get("session"), get("account")}

func with(head []Call, rest ...Call) []Call { return append(append([]Call{}, head...), rest...) }

// Bytes of a request or an answer beyond its body: HTTP/2 headers, the bearer token, the
// security headers CloudFront adds (estimate).
const headerBytes = 500

// Ops are the operations, by name.
var Ops = func() map[string]Op {
	list := []Op{
		// Registration and login.
		{Name: "POST /v1/captchas", Function: "CreateCaptchaFunction", HTTP: true, Trips: 1,
			Calls: []Call{write("addrMinute")}, CPUMS: DrawMS,
			InBytes: headerBytes, OutBytes: headerBytes + sent(PuzzleBytes, SliderShare)},
		{Name: "POST /v1/sms-codes", Function: "SendSmsCodeFunction", HTTP: true, Trips: 2,
			Calls:  []Call{write("captcha"), writeIdx("smsDay", 1), write("addrHour"), write("budget"), write("code")},
			WaitMS: SNSWaitMS, InBytes: headerBytes + 150, OutBytes: headerBytes + 40},
		{Name: "POST /v1/accounts", Function: "RegisterAccountFunction", HTTP: true, Trips: 2,
			Calls: []Call{write("code"), tx("account"), tx("code")}, Hashes: 1,
			InBytes: headerBytes + 450, OutBytes: headerBytes + 700},
		{Name: "POST /v1/sessions", Function: "CreateSessionFunction", HTTP: true, Trips: 2,
			Calls:  []Call{tx("captcha"), tx("guard"), get("account"), tx("session"), tx("guard")},
			Hashes: 1, InBytes: headerBytes + 120, OutBytes: headerBytes + 150},
		{Name: "DELETE /v1/sessions/current", Function: "DeleteSessionFunction", HTTP: true, Trips: 2,
			Calls: with(check, write("session")), InBytes: headerBytes, OutBytes: headerBytes},
		// Reads on every visit.
		{Name: "GET /v1/me", Function: "GetMeFunction", HTTP: true, Trips: 1,
			Calls:   with(check, get("verifyDay"), get("reviewCycle"), write("session")),
			InBytes: headerBytes, OutBytes: headerBytes + 700},
		{Name: "GET /v1/me/manual-reviews", Function: "ListMyReviewsFunction", HTTP: true, Trips: 1,
			Calls: with(check, query("reviewEntry", 1)), InBytes: headerBytes, OutBytes: headerBytes + 250},
		// First login.
		{Name: "GET /v1/ethnicities", Function: "ListEthnicitiesFunction", HTTP: true, Edge: true,
			InBytes: headerBytes, OutBytes: headerBytes + sent(1920, EthnicitiesShare)},
		{Name: "GET /v1/agreement", Function: "GetAgreementFunction", HTTP: true, Edge: true,
			InBytes: headerBytes, OutBytes: headerBytes + sent(3986, AgreementShare)},
		{Name: "GET /v1/verification-guide", Function: "GetVerificationGuideFunction", HTTP: true, Edge: true,
			InBytes: headerBytes, OutBytes: headerBytes + sent(1362, GuideShare)},
		{Name: "PUT /v1/me/profile", Function: "PutProfileFunction", HTTP: true, Trips: 2,
			Calls:   with(check, write("account"), get("verifyDay"), get("reviewCycle")),
			InBytes: headerBytes + 60, OutBytes: headerBytes + 700},
		{Name: "POST /v1/me/verifications", Function: "VerifyIdentityFunction", HTTP: true, Trips: 2,
			Calls:  with(check, writeIdx("verifyDay", 1), write("account")),
			WaitMS: IDVWaitMS, InBytes: headerBytes, OutBytes: headerBytes + 200},
		{Name: "POST /v1/me/manual-reviews", Function: "SubmitManualReviewFunction", HTTP: true, Trips: 2,
			Calls: with(check, write("photoHour"), get("reviewCycle"),
				txIdx("review", 1), tx("photo"), tx("photoHash"), tx("reviewEntry"), tx("account"), txIdx("reviewCycle", 1)),
			CPUMS: PhotoCheckMS, InBytes: headerBytes + 300 + PhotoBytes*4/3, OutBytes: headerBytes + 100},
		// Password reset by SMS.
		{Name: "POST /v1/password-resets", Function: "StartPasswordResetFunction", HTTP: true, Trips: 2,
			Calls:   []Call{write("captcha"), get("account"), write("reset")},
			InBytes: headerBytes + 150, OutBytes: headerBytes + 150},
		{Name: "POST /v1/password-resets/{resetId}/sms", Function: "SendResetSmsFunction", HTTP: true, Trips: 2,
			Calls:  []Call{get("reset"), get("account"), writeIdx("smsDay", 1), write("addrHour"), write("budget"), write("resetCode")},
			WaitMS: SNSWaitMS, InBytes: headerBytes, OutBytes: headerBytes + 40},
		{Name: "POST /v1/password-resets/complete", Function: "CompletePasswordResetFunction", HTTP: true, Trips: 2,
			// The SMS code's try; the transaction, which also deletes a WeChat reset code (none,
			// billed as one).
			Calls:  []Call{write("resetCode"), tx("account"), tx("guard"), tx("resetCode"), tx("reset"), tx("resetCode")},
			Hashes: 1, InBytes: headerBytes + 150, OutBytes: headerBytes},
		// The reviewers' desk.
		{Name: "POST /v1/sessions (reviewer, with TOTP)", Function: "CreateSessionFunction", HTTP: true, Trips: 2,
			// A right code counts nothing: the session's transaction checks the day's wrong
			// second-factor codes (OTPDAY, the size of verifyDay), charged as a transaction's write.
			Calls: []Call{tx("captcha"), tx("guard"), get("account"),
				tx("session"), tx("guard"), tx("account"), tx("verifyDay")},
			Hashes: 1, InBytes: headerBytes + 130, OutBytes: headerBytes + 150},
		{Name: "GET /v1/reviews", Function: "ListReviewsFunction", HTTP: true, Trips: 1,
			Calls: with(check, queryGSI("review", 20)), InBytes: headerBytes, OutBytes: headerBytes + sent(20*250, TextShare)},
		{Name: "GET /v1/reviews/{reviewId}", Function: "GetReviewFunction", HTTP: true, Trips: 2,
			Calls:   with(check, get("review"), get("photo"), write("photoRead")),
			InBytes: headerBytes, OutBytes: headerBytes + sent(600+PhotoBytes*4/3, PhotoShare)},
		{Name: "POST /v1/reviews/{reviewId}/decision", Function: "DecideReviewFunction", HTTP: true, Trips: 3,
			Calls: with(check, get("review"),
				txIdx("review", 2), tx("reviewEntry"), tx("account"), txIdx("notice", 1), tx("photo"),
				writeIdx("notice", 1)),
			WaitMS: SNSWaitMS + SESWaitMS, InBytes: headerBytes + 80, OutBytes: headerBytes + 100},
		// Scheduled work. A counter the daily reset deletes is a BatchWriteItem delete.
		{Name: "quota reset: one counter deleted", Calls: []Call{writeIdx("smsDay", 1)}},
		{Name: "resend-decision-notices: one run", Function: "ResendDecisionNoticesFunction", Trips: 1,
			Calls: []Call{queryGSI("notice", 0)}},
		{Name: "report-overdue-reviews: one run", Function: "ReportOverdueReviewsFunction", Trips: 1,
			Calls: []Call{queryGSI("review", PendingReviews)}},
		{Name: "reset-quotas: one run", Function: "ResetQuotasFunction", Trips: 16,
			Calls: func() []Call {
				c := make([]Call, 16) // one query per shard, keys only, the period's counters
				for i := range c {
					c[i] = queryGSI("smsDay", 0)
				}
				return c
			}()},
	}
	m := map[string]Op{}
	for _, op := range list {
		if _, dup := m[op.Name]; dup {
			panic("bill: two operations named " + op.Name)
		}
		m[op.Name] = op
	}
	return m
}()
