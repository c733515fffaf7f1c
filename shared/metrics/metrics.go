// Package metrics records what the operators' dashboard and alarms count — codes sent,
// registrations, failed logins, verifications, reviews, SMS budget, provider failures — as
// CloudWatch embedded metric format (EMF): JSON lines in the function's own log, which
// CloudWatch turns into metrics with no API call and no client at cold start.
//
// A request's recorder lives in its context (api.Lambda makes one per request and flushes it
// once, after the answer); code that counts needs only the context. Without a recorder in
// the context (a unit test, a handler called directly) counting does nothing.
package metrics

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Namespace is where the metrics are found in CloudWatch; template.yaml's alarms name it.
const Namespace = "JSZG/ApplicantAccounts"

// Names of the metrics, one place for the code that counts and the template that alarms.
const (
	CodesSent          = "CodesSent"          // by Channel: sms, email, wechat
	SMSSent            = "SMSSent"            // every SMS handed to the provider (the budget's count)
	Registrations      = "Registrations"      //
	LoginsFailed       = "LoginsFailed"       // wrong account or password
	LoginsLocked       = "LoginsLocked"       // refused because the account is locked
	Verifications      = "Verifications"      // by Result: passed, failed, unavailable
	ReviewsSubmitted   = "ReviewsSubmitted"   // by Kind
	ReviewsDecided     = "ReviewsDecided"     // by Kind
	ReviewBacklog      = "ReviewBacklog"      // pending reviews (the SLA job, hourly)
	ReviewBacklogAge   = "ReviewBacklogAge"   // seconds the oldest pending review has waited
	ReviewsOverdue     = "ReviewsOverdue"     // pending past the promised working days
	ProviderFailures   = "ProviderFailures"   // by Provider: idv, ses, sns, wechat, federation
	NoticesUndelivered = "NoticesUndelivered" // decision notices a retry run could not deliver
	SMSBudgetRefused   = "SMSBudgetRefused"   // sends refused because the hourly budget is spent
)

// Dimension names.
const (
	Channel  = "Channel"
	Result   = "Result"
	Kind     = "Kind"
	Provider = "Provider"
)

type key struct{ name, dim, value string }

type entry struct {
	value float64
	unit  string
}

// Recorder gathers one invocation's metrics.
type Recorder struct {
	mu      sync.Mutex
	entries map[key]entry
}

type ctxKey struct{}

// With is ctx carrying a fresh recorder, and the recorder.
func With(ctx context.Context) (context.Context, *Recorder) {
	r := &Recorder{entries: map[key]entry{}}
	return context.WithValue(ctx, ctxKey{}, r), r
}

func from(ctx context.Context) *Recorder {
	r, _ := ctx.Value(ctxKey{}).(*Recorder)
	return r
}

// Count adds one to a metric.
func Count(ctx context.Context, name string) { add(ctx, key{name: name}, 1, "Count") }

// CountBy adds one to a metric under one dimension's value (CodesSent by Channel "sms").
func CountBy(ctx context.Context, name, dim, value string) {
	add(ctx, key{name: name, dim: dim, value: value}, 1, "Count")
}

// Gauge sets a metric to v (the backlog, its age in seconds).
func Gauge(ctx context.Context, name string, v float64, unit string) {
	r := from(ctx)
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries[key{name: name}] = entry{value: v, unit: unit}
}

func add(ctx context.Context, k key, n float64, unit string) {
	r := from(ctx)
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[k]
	r.entries[k] = entry{value: e.value + n, unit: unit}
}

// Flush writes what was recorded as EMF lines (one per dimension value) and forgets it.
// function names the Lambda function; it is a property, not a dimension, so that an alarm
// on a metric does not depend on which function counted it.
func (r *Recorder) Flush(w io.Writer, function string, now time.Time) error {
	r.mu.Lock()
	entries := r.entries
	r.entries = map[key]entry{}
	r.mu.Unlock()
	type group struct{ dim, value string }
	groups := map[group][]key{}
	for k := range entries {
		g := group{k.dim, k.value}
		groups[g] = append(groups[g], k)
	}
	order := make([]group, 0, len(groups))
	for g := range groups {
		order = append(order, g)
	}
	slices.SortFunc(order, func(a, b group) int { return strings.Compare(a.dim+"\x00"+a.value, b.dim+"\x00"+b.value) })
	for _, g := range order {
		keys := groups[g]
		slices.SortFunc(keys, func(a, b key) int { return strings.Compare(a.name, b.name) })
		line := map[string]any{"Function": function}
		dims := []string{}
		if g.dim != "" {
			dims = append(dims, g.dim)
			line[g.dim] = g.value
		}
		defs := make([]map[string]string, 0, len(keys))
		for _, k := range keys {
			defs = append(defs, map[string]string{"Name": k.name, "Unit": entries[k].unit})
			line[k.name] = entries[k].value
		}
		line["_aws"] = map[string]any{
			"Timestamp": now.UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace":  Namespace,
				"Dimensions": [][]string{dims},
				"Metrics":    defs,
			}},
		}
		b, err := json.Marshal(line)
		if err != nil {
			return err
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// Out is where Flush's lines go in a function: its standard output, which Lambda sends to
// CloudWatch Logs.
var Out io.Writer = os.Stdout

// Invocation is ctx with a fresh recorder for one run of a scheduled function, and the call
// that writes the recorded metrics to Out when the run ends.
func Invocation(ctx context.Context) (context.Context, func()) {
	ctx, rec := With(ctx)
	return ctx, func() { _ = rec.Flush(Out, os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), time.Now()) }
}
