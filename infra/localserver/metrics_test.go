package localserver_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

// totals sums the EMF lines by metric and dimension value ("CodesSent/sms").
func totals(t *testing.T, lines string) map[string]float64 {
	t.Helper()
	sum := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		directive := rec["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
		dims := directive["Dimensions"].([]any)[0].([]any)
		suffix := ""
		if len(dims) == 1 {
			suffix = "/" + rec[dims[0].(string)].(string)
		}
		for _, m := range directive["Metrics"].([]any) {
			name := m.(map[string]any)["Name"].(string)
			sum[name+suffix] += rec[name].(float64)
		}
	}
	return sum
}

// Every flow over HTTP, counted as the operators' dashboard would see it, and no metric line
// carries what an applicant would not want printed.
func TestTheFlowsAreCountedForOperators(t *testing.T) {
	out, was := &testkit.SafeBuffer{}, metrics.Out
	metrics.Out = out
	t.Cleanup(func() { metrics.Out = was })
	srv := start(t, nil)
	secrets := everyFlow(t, srv)
	srv.Close()
	lines := out.String()
	got := totals(t, lines)
	t.Logf("counted: %v", got)
	for _, want := range []string{
		"Registrations", "CodesSent/sms", "CodesSent/email", "LoginsFailed",
		"Verifications/passed", "Verifications/failed", "ReviewsSubmitted/identity", "ReviewsDecided/identity",
	} {
		if got[want] < 1 {
			t.Errorf("%s was not counted", want)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(lines, s) {
			t.Errorf("%q is in a metric line", s)
		}
	}
}

// Every alarm on the functions' own metrics names one they write, under a dimension they use:
// a renamed metric would leave its alarm silent forever (missing data is not breaching).
func TestTheAlarmsWatchMetricsTheFunctionsWrite(t *testing.T) {
	var tpl struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Namespace  string `yaml:"Namespace"`
				MetricName string `yaml:"MetricName"`
				Dimensions []struct {
					Name  string `yaml:"Name"`
					Value string `yaml:"Value"`
				} `yaml:"Dimensions"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	readTemplate(t, &tpl)
	written := map[string]bool{}
	for _, name := range []string{metrics.CodesSent, metrics.SMSSent, metrics.Registrations, metrics.LoginsFailed,
		metrics.LoginsLocked, metrics.Verifications, metrics.ReviewsSubmitted, metrics.ReviewsDecided, metrics.ReviewBacklog,
		metrics.ReviewBacklogAge, metrics.ReviewsOverdue, metrics.ProviderFailures, metrics.NoticesUndelivered, metrics.SMSBudgetRefused} {
		written[name] = true
	}
	dims := map[string]bool{metrics.Channel: true, metrics.Result: true, metrics.Kind: true, metrics.Provider: true}
	ours := 0
	for id, r := range tpl.Resources {
		p := r.Properties
		if r.Type != "AWS::CloudWatch::Alarm" || p.Namespace != metrics.Namespace {
			continue
		}
		ours++
		if !written[p.MetricName] {
			t.Errorf("%s watches %s, which no function writes", id, p.MetricName)
		}
		for _, d := range p.Dimensions {
			if !dims[d.Name] {
				t.Errorf("%s: dimension %s is not one the functions use", id, d.Name)
			}
		}
	}
	if ours < 5 {
		t.Fatalf("%d alarms on the functions' metrics, want the backlog, SMS budget, providers and notices", ours)
	}
}
