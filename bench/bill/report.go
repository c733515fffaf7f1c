package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

const million = 1e6

func fmtInt(f float64) string {
	s := strconv.FormatInt(int64(math.Round(f)), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func fmtGB(gb float64) string { return strconv.FormatFloat(gb, 'f', 2, 64) + " GB" }

func money(f float64) string {
	switch a := math.Abs(f); {
	case a >= 100:
		return fmtInt(f)
	case a >= 1:
		return strconv.FormatFloat(f, 'f', 2, 64)
	default:
		return strconv.FormatFloat(f, 'f', 3, 64)
	}
}

// trim writes f with at most six significant digits and no exponent.
func trim(f float64) string { return sig(f, 6) }

// sig writes f with at most n significant digits and no exponent.
func sig(f float64, n int) string {
	if f == 0 {
		return "0"
	}
	digits := n - int(math.Floor(math.Log10(math.Abs(f)))) - 1
	p := math.Pow(10, float64(digits))
	return strconv.FormatFloat(math.Round(f*p)/p, 'f', -1, 64)
}

// per writes a price's quantity: "per GB", "per million requests".
func per(p Price) string {
	switch p.Per {
	case 1:
		return "per " + p.Unit
	case 1e6:
		return "per million " + p.Unit
	}
	return "per " + fmtInt(p.Per) + " " + p.Unit
}

// Report writes the bill in Markdown.
func Report(w io.Writer, t Template, c Cycle) {
	us, cn := USEast1, CNNorth1
	pa := c.PerApplicant(t.Memory)
	usLines, cnLines := us.Cost(pa), cn.Cost(pa)
	usTotal, cnTotal := Total(usLines)*million, cn.USD(Total(cnLines))*million

	fmt.Fprintf(w, "### The bill per million applicants a cycle\n\n")
	fmt.Fprintf(w, "SMS and mail apart. us-east-1 in USD; cn-north-1 in CNY and in USD at %s (%s).\n\n", fxText, "2026-01-08")
	fmt.Fprintf(w, "| service | usage per applicant | us-east-1, USD | cn-north-1, CNY | cn-north-1, USD |\n|---|---|---|---|---|\n")
	usage := []string{
		trim(round(pa.LambdaRequests, 2)) + " requests",
		trim(round(pa.GBs, 3)) + " GB-s",
		trim(round(pa.WRU, 1)) + " WRU",
		trim(round(pa.RRU, 1)) + " RRU",
		trim(round(pa.APIRequests, 2)) + " requests",
		trim(round(pa.CDNRequests, 1)) + " requests",
		trim(round(pa.CDNFunctions, 1)) + " runs",
		trim(round(pa.OutGB*1e6, 0)) + " KB",
		trim(round(pa.InGB*1e6, 0)) + " KB",
		trim(round(pa.LogGB*1e6, 1)) + " KB",
	}
	for i, l := range usLines {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", l.Service, usage[i], money(l.Amount*million),
			money(cnLines[i].Amount*million), money(cn.USD(cnLines[i].Amount)*million))
	}
	fmt.Fprintf(w, "| **total** | | **%s** | **%s** | **%s** |\n", money(usTotal), money(Total(cnLines)*million), money(cnTotal))
	fmt.Fprintf(w, "| per applicant | | %s | %s | %s |\n", sig(usTotal/million, 3), sig(Total(cnLines), 3), sig(cnTotal/million, 3))
	fmt.Fprintf(w, "| goal (issue 12) | | ≤ %s: %s | | ≤ %s: %s |\n", money(GoalUSD), verdict(usTotal), money(GoalUSD), verdict(cnTotal))
	lite, ess := CognitoUSD(c, million, true), CognitoUSD(c, million, false)
	fmt.Fprintf(w, "| *Amazon Cognito user pools, Lite* (MAU only: %s active months an applicant) | | %s | not offered | not offered |\n", trim(c.ActiveMonths), money(lite))
	fmt.Fprintf(w, "| *Amazon Cognito user pools, Essentials* | | %s | not offered | not offered |\n\n", money(ess))

	fmt.Fprintf(w, "Largest lines: us-east-1 %s; cn-north-1 %s.\n\n", largest(usLines, 4), largest(cnLines, 4))

	sms, mail := c.Messages()
	fmt.Fprintf(w, "### SMS and mail, apart (not counted against the goal)\n\n")
	fmt.Fprintf(w, "| | per applicant | us-east-1, USD per million | cn-north-1, CNY per million | cn-north-1, USD per million |\n|---|---|---|---|---|\n")
	for _, m := range []struct {
		name, price string
		n           float64
	}{{"SMS (codes, decision notices)", SMS, sms}, {"mail (decision notices)", Mail, mail}} {
		u, k := us.Prices[m.price].Each()*m.n*million, cn.Prices[m.price].Each()*m.n*million
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", m.name, trim(round(m.n, 3)), money(u), money(k), money(cn.USD(k)))
	}

	fmt.Fprintf(w, "\n### Fixed and standing costs, a month\n\n")
	fmt.Fprintf(w, "For a table of 1,000,000 accounts and a cycle of 1,000,000 applicants.\n\n")
	fmt.Fprintf(w, "| | quantity | us-east-1, USD | cn-north-1, CNY | cn-north-1, USD |\n|---|---|---|---|---|\n")
	usFixed, cnFixed := us.Fixed(t, million, million, c), cn.Fixed(t, million, million, c)
	usF, cnF := 0.0, 0.0
	for i, l := range usFixed {
		usF += l.Amount
		cnF += cnFixed[i].Amount
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", l.Name, l.Quantity, money(l.Amount), money(cnFixed[i].Amount), money(cn.USD(cnFixed[i].Amount)))
	}
	fmt.Fprintf(w, "| **total a month** | | **%s** | **%s** | **%s** |\n", money(usF), money(cnF), money(cn.USD(cnF)))
	fmt.Fprintf(w, "| a cycle (6 months) with the million applicants' bill | | %s | %s | %s |\n\n",
		money(6*usF+usTotal), money(6*cnF+Total(cnLines)*million), money(cn.USD(6*cnF)+cnTotal))

	fmt.Fprintf(w, "### Per operation\n\n")
	fmt.Fprintf(w, "Requests as docs/DATA.md counts them at %s; MemorySize from template.yaml; billed ms on arm64 (the model below).\n\n", tableCommit)
	fmt.Fprintf(w, "| operation | function, MB | trips | RRU | WRU | billed ms | per applicant | us-east-1, USD per million runs | cn-north-1, CNY per million runs |\n|---|---|---|---|---|---|---|---|---|\n")
	counts := c.Counts()
	names := make([]string, 0, len(Ops))
	for n := range Ops {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		ua, ub := Total(us.Cost(Ops[a].Usage(t.Memory)))*counts[a], Total(us.Cost(Ops[b].Usage(t.Memory)))*counts[b]
		if ua != ub {
			if ua > ub {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, n := range names {
		op := Ops[n]
		u := op.Usage(t.Memory)
		fn, ms := "—", "—"
		if op.Function != "" {
			fn = fmt.Sprintf("%s, %d", strings.TrimSuffix(op.Function, "Function"), t.Memory[op.Function])
			ms = trim(round(op.DurationMS(t.Memory[op.Function]), 1))
		}
		if op.Edge {
			fn, ms = "CloudFront's cache ("+strings.TrimSuffix(op.Function, "Function")+" every 5 min)", "—"
		}
		cnt := "fixed"
		if k, ok := counts[n]; ok {
			cnt = trim(round(k, 3))
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", n, fn, op.Trips, trim(u.RRU), trim(u.WRU), ms, cnt,
			money(Total(us.Cost(u))*million), money(Total(cn.Cost(u))*million))
	}
	fmt.Fprintf(w, "| pages (index.html each visit, assets %s times) | CloudFront | | | | | 1 | %s | %s |\n\n",
		trim(c.FullPageLoads), money(Total(us.Cost(c.Pages()))*million), money(Total(cn.Cost(c.Pages()))*million))

	fmt.Fprintf(w, "### Sample items (bench/bill/items.go)\n\n| item | bytes | WRU to write | RRU to read |\n|---|---|---|---|\n")
	items := make([]string, 0, len(Items))
	for n := range Items {
		items = append(items, n)
	}
	slices.Sort(items)
	for _, n := range items {
		b := Size(n)
		fmt.Fprintf(w, "| %s | %d | %d | %d |\n", n, b, (b+1023)/1024, (b+4095)/4096)
	}
	fmt.Fprintf(w, "\n### Assumptions\n\n")
	for _, a := range Assumptions(c) {
		fmt.Fprintf(w, "- %s\n", a)
	}
	fmt.Fprintf(w, "\n### Prices and sources\n\n| region | line | price | source |\n|---|---|---|---|\n")
	for _, r := range []Region{us, cn} {
		lines := make([]string, 0, len(r.Prices))
		for n := range r.Prices {
			lines = append(lines, n)
		}
		slices.Sort(lines)
		for _, n := range lines {
			p := r.Prices[n]
			src := p.Source + ", read " + p.Read
			if p.Assumption {
				src = "**assumption**: " + p.Note
			}
			fmt.Fprintf(w, "| %s | %s | %s %s %s | %s |\n", r.Name, n, r.Currency, trim(p.Amount), per(p), src)
		}
	}
	fmt.Fprintf(w, "| both | exchange rate | %s | %s, %s |\n", fxText, fxSource, fxDateNote)
	fmt.Fprintf(w, "\nCognito in cn-north-1: not offered — the Go SDK's cognitoidentityprovider endpoint table (aws/aws-sdk-go-v2 at 073f8b4) lists no Region in the aws-cn partition, where DynamoDB's and SNS's list cn-north-1.\n")
	for _, n := range cn.Notes {
		fmt.Fprintf(w, "\n%s\n", n)
	}
}

func round(f float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(f*p) / p
}

func verdict(usd float64) string {
	if usd <= GoalUSD {
		return "**met**"
	}
	return fmt.Sprintf("**not met** (%.1f ×)", usd/GoalUSD)
}

// largest names the n largest lines with their shares.
func largest(lines []Line, n int) string {
	l := slices.Clone(lines)
	slices.SortFunc(l, func(a, b Line) int {
		if a.Amount > b.Amount {
			return -1
		}
		if a.Amount < b.Amount {
			return 1
		}
		return 0
	})
	total := Total(lines)
	parts := []string{}
	for _, x := range l[:min(n, len(l))] {
		parts = append(parts, fmt.Sprintf("%s %.0f %%", x.Service, 100*x.Amount/total))
	}
	return strings.Join(parts, ", ")
}

// Assumptions lists every assumption of the model, with the cycle's figures.
func Assumptions(c Cycle) []string {
	return []string{
		fmt.Sprintf("A cycle: register (the agreement, %s SMS codes, each behind a slider), %s logins that succeed and %s that fail (each behind a slider; %s sliders drawn per slider solved), and on each visit GET /v1/me %s times, a logout %s of the time, and the review list %s time(s) for those in manual review (web/src: the manual-review page alone asks for it); the profile once (with the ethnicities), %s online verifications (with the guide once).",
			trim(c.CodesPerSignup), trim(c.Visits), trim(c.FailedLogins), trim(c.SlidersPerCaptcha), trim(c.MePerVisit), trim(c.LogoutsPerVisit), trim(c.ListsPerVisit), trim(c.Verifications)),
		fmt.Sprintf("Manual review: %s %% of applicants, %s submissions each (a rejection, then again); per decision the reviewer reads the queue %s time(s), opens the review with its photo, decides (SNS and SES notices), and logs in once per %s decisions (with TOTP).",
			trim(100*c.ReviewShare), trim(c.SubmissionsPerRev), trim(c.ReviewerQueueReads), trim(c.DecisionsPerLogin)),
		fmt.Sprintf("Password reset: %s %% of applicants, by SMS (a slider, step 1, the code, the completion, then a login).", trim(100*c.ResetShare)),
		fmt.Sprintf("Pages: index.html (%s bytes with headers) on each visit, the assets (%s KB compressed, %s files: the app's one script and one style sheet) downloaded %s times a cycle (a second device, a new release); from web/dist of 3742c1b. PageRoutes (a CloudFront Function) runs for each visit's page address, not for /assets/*.",
			trim(c.IndexBytes), trim(c.PageAssetBytes/1000), trim(c.PageAssetRequests), trim(c.FullPageLoads)),
		fmt.Sprintf("A review photo as stored: %d KB (the pages keep it under 190 KB; the server encodes it again at quality 90 first).", PhotoBytes/1024),
		fmt.Sprintf("API answers of 1,000 bytes or more are compressed by CloudFront (ApiCachePolicy's and ApiTextsCachePolicy's gzip and Brotli), to what gzip -9 left of them here: a slider %.0f %%, the agreement %.0f %%, the ethnicities %.0f %%, the guide %.0f %% (measured), a review with its photo as a slider, the review queue as the agreement (estimates); smaller answers (GET /v1/me, 416–483 bytes, and most others) go as they are. The pages are compressed too (Managed-CachingOptimized).",
			100*SliderShare, 100*AgreementShare, 100*EthnicitiesShare, 100*GuideShare),
		"The agreement, the verification guide and the ethnicities are kept at CloudFront's edge for 5 minutes (ApiTextsCachePolicy; `make deploy-texts` invalidates them at each deploy): each costs a CloudFront request and its bytes, and no function or API Gateway request (each regional cache asks every 5 minutes: about 11,000 requests a day for the three, about $0.40 a month, not counted).",
		fmt.Sprintf("Lambda duration = (%.1f ms a request + %.1f ms a DynamoDB request + the operation's work + %.1f ms an Argon2id hash) × %.1f (an arm64 core against this machine's) ÷ (MemorySize / %.0f MB, at most 1) + %.0f ms a DynamoDB round trip in sequence + waits (SNS %.0f ms, SES %.0f ms, the identity provider %.0f ms), rounded up to the ms, + %.0f %% of requests paying a cold init of %.0f ms scaled the same way.",
			BaseCPUMS, CallCPUMS, HashMS, ArmFactor, FullVCPUMB, TripMS, SNSWaitMS, SESWaitMS, IDVWaitMS, 100*ColdShare, InitMS),
		fmt.Sprintf("Measured here (x86_64, `-tags purego`, the fastest of 10–15 runs of 20 under load): Argon2id %.1f ms, a slider drawn %.1f ms, a photo checked %.1f ms; a slider's JSON %d bytes (mean of 5). Estimated: every other figure of the line above.", HashMS, DrawMS, PhotoCheckMS, PuzzleBytes),
		"DynamoDB: on-demand; a consistent read 1 RRU per 4 KB, a gsi1 query ½ per 4 KB; a write 1 WRU per KB of the larger item image, a transaction's item 2; an item in gsi1 (projection ALL) 1 WRU per KB more per write, 2 when its index key moves; item sizes from the samples of bench/bill/items.go (docs/DATA.md's attributes).",
		fmt.Sprintf("CloudWatch Logs: %.0f bytes ingested a request (the JSON request line, the event overhead, EMF lines).", LogBytes),
		"No free tier is counted but Cognito's first 10,000 MAU (not CloudFront's 1 TB and 10 million requests a month, Lambda's 1 million requests and 400,000 GB-s, DynamoDB's 25 GB): the bill is the cost of one more million applicants.",
		"Cognito: a month's MAU priced at the Lite tiers (10,001–100,000 at $0.0055, above at $0.0046) or Essentials ($0.015 above 10,000), every applicant active in the same months; its SMS, and the functions it would not replace (sliders, verification, reviews), not counted.",
		fmt.Sprintf("Scheduled work: the review queue read hourly holds %d pending reviews.", PendingReviews),
	}
}
