package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/metrics"
)

func TestOneInvocationIsOneLinePerDimensionValue(t *testing.T) {
	ctx, rec := metrics.With(context.Background())
	metrics.Count(ctx, metrics.Registrations)
	metrics.CountBy(ctx, metrics.CodesSent, metrics.Channel, "sms")
	metrics.CountBy(ctx, metrics.CodesSent, metrics.Channel, "sms")
	metrics.CountBy(ctx, metrics.CodesSent, metrics.Channel, "email")
	metrics.Gauge(ctx, metrics.ReviewBacklogAge, 7200, "Seconds")
	var out bytes.Buffer
	if err := rec.Flush(&out, "register-account", time.UnixMilli(1700000000000)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3 (no dimension, Channel email, Channel sms):\n%s", len(lines), out.String())
	}
	var plain, sms map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &plain)
	_ = json.Unmarshal([]byte(lines[2]), &sms)
	if plain["Registrations"] != 1.0 || plain["ReviewBacklogAge"] != 7200.0 || plain["Function"] != "register-account" {
		t.Errorf("plain line %v", plain)
	}
	if sms["CodesSent"] != 2.0 || sms["Channel"] != "sms" {
		t.Errorf("sms line %v", sms)
	}
	aws := sms["_aws"].(map[string]any)
	directive := aws["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if aws["Timestamp"] != 1700000000000.0 || directive["Namespace"] != metrics.Namespace ||
		directive["Dimensions"].([]any)[0].([]any)[0] != "Channel" {
		t.Errorf("EMF directive %v", aws)
	}
	out.Reset()
	_ = rec.Flush(&out, "register-account", time.Now())
	if out.Len() != 0 {
		t.Errorf("a second flush wrote %q, want nothing (flushed metrics are forgotten)", out.String())
	}
}

func TestCountingWithoutARecorderDoesNothing(t *testing.T) {
	metrics.Count(context.Background(), metrics.LoginsFailed)
	metrics.Gauge(context.Background(), metrics.ReviewBacklog, 1, "Count")
}

func TestConcurrentCountsAddUp(t *testing.T) {
	ctx, rec := metrics.With(context.Background())
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			metrics.CountBy(ctx, metrics.ProviderFailures, metrics.Provider, "sns")
		}()
	}
	wg.Wait()
	var out bytes.Buffer
	_ = rec.Flush(&out, "f", time.Now())
	if !strings.Contains(out.String(), `"ProviderFailures":20`) {
		t.Fatalf("got %s, want 20 failures", out.String())
	}
}
