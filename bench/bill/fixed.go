package main

import "math"

// CustomMetrics: the EMF series the functions write (shared/metrics; Function is a property,
// not a dimension): LoginsFailed, LoginsLocked, NoticesUndelivered, Registrations,
// SMSBudgetRefused, SMSSent; CodesSent by 3 channels; ProviderFailures by 4 providers;
// ReviewsSubmitted and ReviewsDecided by 4 kinds; Verifications by 3 results; ReviewBacklog,
// ReviewBacklogAge, ReviewsOverdue.
const CustomMetrics = 6 + 3 + 4 + 4 + 4 + 3 + 3

// Scheduled runs a month (30.44 days): resend-decision-notices every 10 minutes,
// report-overdue-reviews hourly, reset-quotas daily and twice a year for the cycles.
const (
	daysPerMonth   = 365.25 / 12
	runsResend     = daysPerMonth * 24 * 6
	runsOverdue    = daysPerMonth * 24
	runsResetQuota = daysPerMonth + 2.0/12
)

// Retention: a review's photo stays while pending (7 working days, about 10 days) and
// PhotoRetentionDays (30) after the decision.
const photoDays = 10 + 30

// FixedLine is a line of the fixed and standing costs, a month.
type FixedLine struct {
	Name     string
	Quantity string
	Amount   float64 // the region's currency, a month
}

// Fixed is what runs whether or not anyone applies, and what the table keeps, a month:
// accounts is the number of accounts the table holds; applicants the cycle's (for the
// photos and logs they leave).
func (r Region) Fixed(t Template, accounts, applicants float64, c Cycle) []FixedLine {
	p := func(name string) float64 { return r.Prices[name].Each() }
	alarms := float64(t.Types["AWS::CloudWatch::Alarm"])
	// The 5xx alarm is a Metrics Insights query over every route: one metric a route
	// (assumption: billed per metric analysed).
	alarmMetrics := alarms - 1 + float64(t.Routes)
	scheduled := Usage{}.
		plus(Ops["resend-decision-notices: one run"].Usage(t.Memory), runsResend).
		plus(Ops["report-overdue-reviews: one run"].Usage(t.Memory), runsOverdue).
		plus(Ops["reset-quotas: one run"].Usage(t.Memory), runsResetQuota)
	schedCost := Total(r.Cost(scheduled))

	// The table: every account for good (its item; a review's items for those reviewed), and
	// the photos for their retention, spread over the cycle's six months.
	reviewed := c.ReviewShare * c.SubmissionsPerRev
	perAccount := float64(Size("account")) + reviewed*float64(Size("review")*2+Size("reviewEntry")+Size("photoRead"))
	tableGB := accounts * perAccount / 1e9
	photoGBMonths := applicants * reviewed * float64(Size("photo")) / 1e9 * photoDays / daysPerMonth
	photoGB := photoGBMonths / 6
	logGB := applicants * c.PerApplicant(t.Memory).LogGB / 6 // a cycle's logs, kept (no retention set)

	return []FixedLine{
		{"CloudWatch alarms", fmtInt(alarms) + " alarms, " + fmtInt(alarmMetrics) + " alarm metrics", alarmMetrics * p(Alarm)},
		{"CloudWatch dashboard", "1 (WaveDashboard)", p(Dashboard)},
		{"CloudWatch custom metrics (EMF)", fmtInt(CustomMetrics) + " metrics", CustomMetrics * p(CustomMetric)},
		{"Secrets Manager", fmtInt(float64(t.Types["AWS::SecretsManager::Secret"])) + " secrets", float64(t.Types["AWS::SecretsManager::Secret"]) * p(Secret)},
		{"Scheduled functions", fmtInt(runsResend+runsOverdue+runsResetQuota) + " runs (Lambda, DynamoDB, logs)", schedCost},
		{"DynamoDB storage: accounts", fmtGB(tableGB) + " for " + fmtInt(accounts) + " accounts", tableGB * (p(DDBStorage) + p(DDBPITR))},
		{"DynamoDB storage: review photos", fmtGB(photoGB) + " a month on average (" + fmtInt(photoDays) + " days each)", photoGB * (p(DDBStorage) + p(DDBPITR))},
		{"CloudWatch Logs storage", fmtGB(logGB) + " more each month of the cycle (the log groups keep logs for ever)", logGB * p(LogsStorage)},
	}
}

// CognitoUSD is Amazon Cognito user pools' price for a million applicants' cycle: each
// active ActiveMonths months, all in the same months (a wave), MAU only.
func CognitoUSD(c Cycle, applicants float64, lite bool) float64 {
	p := USEast1.Prices
	var month float64
	if lite {
		month = math.Min(math.Max(applicants-10_000, 0), 90_000)*p[CognitoLite].Each() +
			math.Max(applicants-100_000, 0)*p[CognitoLite2].Each()
	} else {
		month = math.Max(applicants-10_000, 0) * p[CognitoEss].Each()
	}
	return month * c.ActiveMonths
}
