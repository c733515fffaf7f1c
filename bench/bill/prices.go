package main

import "strings"

// Every price the bill uses, with where it was read. The stored copies of the AWS pricing
// pages were read through the project's search tool on 2026-11-28; AWS renders most of its
// rate tables in the browser, so where the stored aws.amazon.com page had no figure the
// figure comes from a page that quotes it (named), and where no stored page had one it is an
// assumption, marked as such. A China price without a source is the us-east-1 price
// converted at FX: an assumption too, named in the table.

// Price is an amount of the region's currency per Per units.
type Price struct {
	Amount     float64
	Per        float64
	Unit       string // what Per counts, e.g. "requests", "GB-s"
	Source     string // URL, or "" for an assumption
	Read       string // when the figure was read, and the source's own date where it has one
	Assumption bool
	Note       string
}

// Each is the price of one unit.
func (p Price) Each() float64 { return p.Amount / p.Per }

// The price lines.
const (
	LambdaRequest = "Lambda requests"
	LambdaGBs     = "Lambda duration (arm64)"
	DDBWrite      = "DynamoDB write request units"
	DDBRead       = "DynamoDB read request units"
	DDBStorage    = "DynamoDB storage"
	DDBPITR       = "DynamoDB PITR (continuous backups)"
	APIRequest    = "API Gateway HTTP API requests"
	CDNRequest    = "CloudFront HTTPS requests"
	CDNFunction   = "CloudFront Functions invocations"
	CDNOut        = "CloudFront data transfer out"
	CDNToOrigin   = "CloudFront data transfer to origin"
	LogsIngest    = "CloudWatch Logs ingestion"
	LogsStorage   = "CloudWatch Logs storage"
	Alarm         = "CloudWatch alarm metrics"
	Dashboard     = "CloudWatch dashboard"
	CustomMetric  = "CloudWatch custom metrics"
	Secret        = "Secrets Manager secrets"
	SMS           = "SMS to a China mainland mobile"
	Mail          = "E-mail"
	CognitoLite   = "Cognito user pools, Lite (MAU 10,001–100,000)"
	CognitoLite2  = "Cognito user pools, Lite (MAU 100,001–1,000,000)"
	CognitoEss    = "Cognito user pools, Essentials (MAU above 10,000)"
)

// Region is a price list in one currency.
type Region struct {
	Name     string
	Currency string  // "USD" or "CNY"
	FX       float64 // units of Currency per USD
	Prices   map[string]Price
	Notes    []string
}

// USD converts an amount of the region's currency.
func (r Region) USD(amount float64) float64 { return amount / r.FX }

const read = "2026-11-28"

// FX: the CFETS central parity, the latest one in a stored source.
const (
	cnyPerUSD  = 7.0197
	fxSource   = "https://menafn.com/1110571586/Chinese-Yuan-Edges-Down-Against-US-Dollar"
	fxDateNote = "CFETS central parity of 2026-01-08 (USD 1 = CNY 7.0197), the latest rate in a stored source; read " + read
)

// USEast1 is us-east-1, in USD. Applicants are in mainland China: the global CloudFront
// serves them from edges outside the mainland, priced in its "Hong Kong, Indonesia,
// Philippines, Singapore, South Korea, Taiwan, Thailand, Malaysia, and Vietnam" column.
var USEast1 = Region{Name: "us-east-1", Currency: "USD", FX: 1, Prices: map[string]Price{
	LambdaRequest: {Amount: 0.20, Per: 1e6, Unit: "requests",
		Source: "https://aws.amazon.com/cn/blogs/china/new-for-aws-lambda-1ms-billing-granularity-adds-cost-savings",
		Read:   read + " (AWS blog, us-east-1 example: 0.20 USD per 1M requests)"},
	LambdaGBs: {Amount: 0.0000133334, Per: 1, Unit: "GB-s",
		Source: "https://cloudchipr.com/blog/aws-lambda-pricing",
		Read:   read + " (quotes aws.amazon.com/lambda/pricing, US East, Arm first 7.5 billion GB-s; also https://www.vantage.sh/blog/a-view-of-growing-graviton2-adoption-lambda)"},
	DDBWrite: {Amount: 0.625, Per: 1e6, Unit: "WRU",
		Source: "https://airbyte.com/data-engineering-resources/dynamodb-pricing",
		Read:   read + " (page of 2025-07-21, US East after the November 2024 cut; the units as defined on https://aws.amazon.com/dynamodb/pricing/on-demand/)"},
	DDBRead: {Amount: 0.125, Per: 1e6, Unit: "RRU",
		Source: "https://airbyte.com/data-engineering-resources/dynamodb-pricing",
		Read:   read + " (as above)"},
	DDBStorage: {Amount: 0.25, Per: 1, Unit: "GB-month",
		Source: "https://aws.amazon.com/dynamodb/pricing/",
		Read:   read + " (\"prices start from $0.25 per GB-month\", the first 25 GB free)"},
	DDBPITR: {Amount: 0.20, Per: 1, Unit: "GB-month", Assumption: true, Read: read,
		Note: "no stored page gives the figure"},
	APIRequest: {Amount: 1.00, Per: 1e6, Unit: "requests",
		Source: "https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html",
		Read:   read + " (us-east-1, first 300 million a month; metered in 512 KB increments)"},
	CDNRequest: {Amount: 0.0120, Per: 1e4, Unit: "HTTPS requests", Assumption: true, Read: read,
		Note: "the stored https://aws.amazon.com/cloudfront/pricing shows the data transfer table only"},
	CDNFunction: {Amount: 0.10, Per: 1e6, Unit: "invocations",
		Source: "https://cur.vantage.sh/aws/amazoncloudfront/",
		Read:   read + " (\"$0.10 per 1 million invocations\")"},
	CDNOut: {Amount: 0.120, Per: 1, Unit: "GB",
		Source: "https://aws.amazon.com/cloudfront/pricing",
		Read:   read + " (Hong Kong … Vietnam column, first 10 TB a month)"},
	CDNToOrigin: {Amount: 0.060, Per: 1, Unit: "GB", Assumption: true, Read: read,
		Note: "no stored page gives the figure for Asian edges"},
	LogsIngest: {Amount: 0.50, Per: 1, Unit: "GB",
		Source: "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/",
		Read:   read + " (page of 2026-06-13)"},
	LogsStorage: {Amount: 0.03, Per: 1, Unit: "GB-month", Assumption: true, Read: read,
		Note: "no stored page gives the figure"},
	Alarm: {Amount: 0.10, Per: 1, Unit: "alarm metric-months", Assumption: true, Read: read,
		Note: "the stored https://aws.amazon.com/cloudwatch/pricing/ names the free tier only"},
	Dashboard: {Amount: 3.00, Per: 1, Unit: "dashboard-months",
		Source: "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/",
		Read:   read + " (page of 2026-06-13)"},
	CustomMetric: {Amount: 0.30, Per: 1, Unit: "metric-months",
		Source: "https://signoz.io/guides/cloudwatch-pricing",
		Read:   read + " (page of 2026-02-15, first 10,000 metrics)"},
	Secret: {Amount: 0.40, Per: 1, Unit: "secret-months",
		Source: "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms",
		Read:   read + " (with $0.05 per 10,000 API calls; the functions make none: the template resolves the secrets at deploy)"},
	SMS: {Amount: 0.040, Per: 1, Unit: "messages", Assumption: true, Read: read,
		Note: "no stored page gives SNS's price to China mainland (+86)"},
	Mail: {Amount: 0.10, Per: 1000, Unit: "mails",
		Source: "https://gist.github.com/Kovah/876677c862cde81bfd43574043e20fe4",
		Read:   read + " (a 2020 comparison; SES added plans on 2026-07-21, the a-la-carte rate assumed unchanged)"},
	CognitoLite: {Amount: 0.0055, Per: 1, Unit: "MAU",
		Source: "https://raw.githubusercontent.com/api-evangelist/amazon-cognito/refs/heads/main/plans/amazon-cognito-plans-pricing.yml",
		Read:   read + " (transcribed from https://aws.amazon.com/cognito/pricing/ on 2026-09-20; first 10,000 MAU free)"},
	CognitoLite2: {Amount: 0.0046, Per: 1, Unit: "MAU",
		Source: "https://raw.githubusercontent.com/api-evangelist/amazon-cognito/refs/heads/main/plans/amazon-cognito-plans-pricing.yml",
		Read:   read + " (the page's worked example: \"850,000 MAUs x $0.0046\")"},
	CognitoEss: {Amount: 0.015, Per: 1, Unit: "MAU",
		Source: "https://raw.githubusercontent.com/api-evangelist/amazon-cognito/refs/heads/main/plans/amazon-cognito-plans-pricing.yml",
		Read:   read + " (as above; first 10,000 MAU free)"},
}}

// CNNorth1 is cn-north-1 (Beijing, operated by Sinnet), in CNY.
var CNNorth1 = func() Region {
	r := Region{Name: "cn-north-1", Currency: "CNY", FX: cnyPerUSD, Prices: map[string]Price{
		DDBWrite: {Amount: 11.1538, Per: 1e6, Unit: "WRU",
			Source: "https://www.amazonaws.cn/en/dynamodb/pricing/",
			Read:   read + " (\"Write requests: ¥ 11.1538 for e[very million]\", China (Beijing) and (Ningxia) on-demand)"},
		DDBRead: {Amount: 2.2308, Per: 1e6, Unit: "RRU", Assumption: true, Read: read,
			Note: "the stored page is cut off after the write price; one fifth of it, as in us-east-1"},
		CDNOut: {Amount: 0.30866, Per: 1, Unit: "GB",
			Source: "https://www.amazonaws.cn/en/cloudfront/pricing/",
			Read:   read + " (0–10 TB a month)"},
		CDNRequest: {Amount: 0.15, Per: 1e4, Unit: "HTTPS requests",
			Source: "https://www.amazonaws.cn/en/cloudfront/pricing/",
			Read:   read},
		CDNToOrigin: {Amount: 0.30866, Per: 1, Unit: "GB",
			Source: "https://www.amazonaws.cn/en/cloudfront/pricing/",
			Read:   read + " (Regional Data Transfer Out to Origin)"},
	}}
	// The rest: no stored page had a China figure.
	for name, p := range USEast1.Prices {
		if _, ok := r.Prices[name]; ok || strings.HasPrefix(name, "Cognito") {
			continue // Cognito: not offered in the China Regions
		}
		r.Prices[name] = Price{Amount: p.Amount * cnyPerUSD, Per: p.Per, Unit: p.Unit, Assumption: true, Read: read,
			Note: "no stored China figure: the us-east-1 price × " + fxText}
	}
	r.Notes = []string{
		"CloudFront in the China Regions is a separate offering, priced on amazonaws.cn (above).",
		"Amazon SES has no China endpoint (the Go SDK's sesv2 v1.79.9 endpoint table lists no aws-cn Region): mail needs another provider; its price here is a placeholder.",
		"SNS lists cn-north-1 (sns v1.48.0's endpoint table); whether it delivers SMS to +86 numbers from there was not confirmed by a stored source.",
	}
	return r
}()

const fxText = "7.0197 CNY/USD"
