package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Fault is a transient refusal DynamoDB makes under contention or load and minidyn, which
// runs one request at a time, never does.
type Fault int

const (
	// NoFault passes every request through.
	NoFault Fault = iota
	// ConflictFirst cancels the first attempt of every distinct TransactWriteItems with the
	// reason TransactionConflict on its last item (the others None), as DynamoDB does when
	// another transaction holds that item; a later attempt of the same items goes through.
	ConflictFirst
	// ConflictAlways cancels every TransactWriteItems that way: contention that outlasts
	// every retry.
	ConflictAlways
	// ThrottleFirst answers the first attempt of every distinct TransactWriteItems with
	// ProvisionedThroughputExceededException; the SDK's retry of it goes through.
	ThrottleFirst
	// ThrottleAlways throttles every request, of any operation: capacity that outlasts the
	// SDK's retries.
	ThrottleAlways
	// ThrottleAllButDeletes throttles every request but DeleteItem: a request spends its
	// slider, and then finds the table busy, so that it gives the slider back.
	ThrottleAllButDeletes
	// ItemConflictFirst answers the first attempt of every distinct PutItem, UpdateItem and
	// DeleteItem with TransactionConflictException, as DynamoDB does when the item is part of
	// a transaction under way.
	ItemConflictFirst
)

// Faults injects a Fault at the wire, between the SDK and the server. The zero value passes
// everything; Set switches the fault while requests run.
type Faults struct {
	next http.RoundTripper

	mu       sync.Mutex
	fault    Fault
	where    func(target string, body []byte) bool
	lose     func(target string, body []byte) bool
	seen     map[string]bool
	injected int
}

// NewFaults injects faults into the requests that go through it to next.
func NewFaults(next http.RoundTripper) *Faults { return &Faults{next: next} }

// Set makes every request from now on meet f.
func (f *Faults) Set(fault Fault) {
	f.mu.Lock()
	f.fault, f.where, f.lose, f.seen = fault, nil, nil, map[string]bool{}
	f.mu.Unlock()
}

// ThrottleWhere throttles, from now on, every request for which match holds (the operation's
// name and its JSON body): one write of a flow can be made to fail while the rest go through.
func (f *Faults) ThrottleWhere(match func(target string, body []byte) bool) {
	f.mu.Lock()
	f.fault, f.where, f.lose, f.seen = NoFault, match, nil, map[string]bool{}
	f.mu.Unlock()
}

// LoseFirstReplyWhere lets the first attempt of every request for which match holds reach
// the server, which applies it, and answers it with a 500 InternalServerError instead of
// the server's reply, as when a reply is lost on the way: the SDK sends it again, and a
// conditional write then meets its own first attempt.
func (f *Faults) LoseFirstReplyWhere(match func(target string, body []byte) bool) {
	f.mu.Lock()
	f.fault, f.where, f.lose, f.seen = NoFault, nil, match, map[string]bool{}
	f.mu.Unlock()
}

// Injected is how many requests have been answered with a fault.
func (f *Faults) Injected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected
}

// RoundTrip answers with the fault, or forwards.
func (f *Faults) RoundTrip(r *http.Request) (*http.Response, error) {
	target := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		target = target[i+1:]
	}
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	if resp := f.inject(target, body); resp != nil {
		return resp, nil
	}
	if f.loseReply(target, body) {
		resp, err := f.next.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		lost := failure("InternalServerError", "Internal server error")
		lost.StatusCode, lost.Status = http.StatusInternalServerError, "500 Internal Server Error"
		return lost, nil
	}
	return f.next.RoundTrip(r)
}

// loseReply says whether this request's reply is to be lost (LoseFirstReplyWhere).
func (f *Faults) loseReply(target string, body []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lose == nil || !f.lose(target, body) || !f.first(body) {
		return false
	}
	f.injected++
	return true
}

func (f *Faults) inject(target string, body []byte) *http.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	write := target == "PutItem" || target == "UpdateItem" || target == "DeleteItem"
	var resp *http.Response
	switch {
	case f.fault == ConflictAlways && target == "TransactWriteItems":
		resp = cancelled(body)
	case f.fault == ConflictFirst && target == "TransactWriteItems" && f.first(body):
		resp = cancelled(body)
	case f.fault == ThrottleFirst && target == "TransactWriteItems" && f.first(body):
		resp = failure("ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded.")
	case f.fault == ThrottleAlways, f.fault == ThrottleAllButDeletes && target != "DeleteItem",
		f.where != nil && f.where(target, body):
		resp = failure("ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded.")
	case f.fault == ItemConflictFirst && write && f.first(body):
		resp = failure("TransactionConflictException", "Transaction is ongoing for the item")
	}
	if resp != nil {
		f.injected++
	}
	return resp
}

// first reports whether these items are seen for the first time: the SDK's own retries repeat
// the request (ClientRequestToken included), the store's repeat everything but the token, and
// neither keeps the order of a map's keys, so the body is compared in a canonical form.
func (f *Faults) first(body []byte) bool {
	var in map[string]any
	if json.Unmarshal(body, &in) == nil {
		delete(in, "ClientRequestToken")
		body, _ = json.Marshal(in) // map keys sorted
	}
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	if f.seen[string(body)] {
		return false
	}
	f.seen[string(body)] = true
	return true
}

// cancelled is DynamoDB's TransactionCanceledException for a transaction whose last item was
// held by another transaction.
func cancelled(body []byte) *http.Response {
	var in struct{ TransactItems []json.RawMessage }
	_ = json.Unmarshal(body, &in)
	reasons := make([]map[string]string, max(1, len(in.TransactItems)))
	codes := make([]string, len(reasons))
	for i := range reasons {
		reasons[i], codes[i] = map[string]string{"Code": "None"}, "None"
	}
	last := len(reasons) - 1
	reasons[last] = map[string]string{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
	codes[last] = "TransactionConflict"
	return jsonError(map[string]any{
		"__type":              "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
		"Message":             fmt.Sprintf("Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", ")),
		"CancellationReasons": reasons,
	})
}

func failure(code, msg string) *http.Response {
	return jsonError(map[string]any{"__type": "com.amazonaws.dynamodb.v20120810#" + code, "message": msg})
}

func jsonError(v map[string]any) *http.Response {
	b, _ := json.Marshal(v)
	return &http.Response{
		StatusCode:    http.StatusBadRequest,
		Status:        "400 Bad Request",
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)),
	}
}
