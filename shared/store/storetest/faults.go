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
	// inProgress: attempts still to answer TransactionInProgressException (InProgressAfterLostReply).
	inProgress int
	// cancelCodes: the reasons every transaction is cancelled with (CancelTransactionsWith).
	cancelCodes []string
	// queryLimit: the Limit every Query is given (PageQueriesBy).
	queryLimit int
}

// NewFaults injects faults into the requests that go through it to next.
func NewFaults(next http.RoundTripper) *Faults { return &Faults{next: next} }

// Set makes every request from now on meet f, and ends every other fault.
func (f *Faults) Set(fault Fault) {
	f.mu.Lock()
	f.reset()
	f.fault = fault
	f.mu.Unlock()
}

func (f *Faults) reset() {
	f.fault, f.where, f.lose, f.seen = NoFault, nil, nil, map[string]bool{}
	f.inProgress, f.cancelCodes, f.queryLimit = 0, nil, 0
}

// InProgressAfterLostReply lets the next TransactWriteItems reach the server, which makes it,
// and loses its reply (a 500, which the SDK retries with the same ClientRequestToken); the
// next n attempts are answered TransactionInProgressException, as DynamoDB answers a token
// whose transaction it is still making; later ones go through to the server.
func (f *Faults) InProgressAfterLostReply(n int) {
	f.mu.Lock()
	f.reset()
	f.inProgress = n
	f.lose = func(target string, _ []byte) bool { return target == "TransactWriteItems" }
	f.mu.Unlock()
}

// CancelTransactionsWith cancels every TransactWriteItems with these reasons, one an item in
// the items' order ("None" for the items past them), as DynamoDB reports a cancellation.
func (f *Faults) CancelTransactionsWith(codes ...string) {
	f.mu.Lock()
	f.reset()
	f.cancelCodes = codes
	f.mu.Unlock()
}

// PageQueriesBy gives every Query that names no Limit the Limit n, so that listings of a few
// items span pages: minidyn does not end a page at 1 MB read as DynamoDB does, and a caller
// that reads one page would pass every test of a short listing.
func (f *Faults) PageQueriesBy(n int) {
	f.mu.Lock()
	f.reset()
	f.queryLimit = n
	f.mu.Unlock()
}

// ThrottleWhere throttles, from now on, every request for which match holds (the operation's
// name and its JSON body): one write of a flow can be made to fail while the rest go through.
func (f *Faults) ThrottleWhere(match func(target string, body []byte) bool) {
	f.mu.Lock()
	f.reset()
	f.where = match
	f.mu.Unlock()
}

// LoseFirstReplyWhere lets the first attempt of every request for which match holds reach
// the server, which applies it, and answers it with a 500 InternalServerError instead of
// the server's reply, as when a reply is lost on the way: the SDK sends it again, and a
// conditional write then meets its own first attempt.
func (f *Faults) LoseFirstReplyWhere(match func(target string, body []byte) bool) {
	f.mu.Lock()
	f.reset()
	f.lose = match
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
	if paged := f.paged(target, body); paged != nil {
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(paged)), int64(len(paged))
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

// paged is a Query's body with the Limit of PageQueriesBy, or nil.
func (f *Faults) paged(target string, body []byte) []byte {
	f.mu.Lock()
	limit := f.queryLimit
	f.mu.Unlock()
	var in map[string]any
	if limit == 0 || target != "Query" || json.Unmarshal(body, &in) != nil || in["Limit"] != nil {
		return nil
	}
	in["Limit"] = limit
	paged, _ := json.Marshal(in)
	return paged
}

func (f *Faults) inject(target string, body []byte) *http.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	write := target == "PutItem" || target == "UpdateItem" || target == "DeleteItem"
	var resp *http.Response
	switch {
	case f.cancelCodes != nil && target == "TransactWriteItems":
		resp = cancelledWith(body, f.cancelCodes)
	case f.inProgress > 0 && target == "TransactWriteItems" && f.seenBefore(body):
		f.inProgress--
		resp = failure("TransactionInProgressException", "Transaction with the given request token is already in progress.")
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
	if f.seenBefore(body) {
		return false
	}
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	f.seen[canonical(body)] = true
	return true
}

// seenBefore reports whether these items were seen, without noting them.
func (f *Faults) seenBefore(body []byte) bool { return f.seen[canonical(body)] }

// canonical is a request's body without its token, its map keys sorted.
func canonical(body []byte) string {
	var in map[string]any
	if json.Unmarshal(body, &in) == nil {
		delete(in, "ClientRequestToken")
		body, _ = json.Marshal(in)
	}
	return string(body)
}

// cancelled is DynamoDB's TransactionCanceledException for a transaction whose last item was
// held by another transaction.
func cancelled(body []byte) *http.Response {
	var in struct{ TransactItems []json.RawMessage }
	_ = json.Unmarshal(body, &in)
	codes := make([]string, max(1, len(in.TransactItems)))
	codes[len(codes)-1] = "TransactionConflict"
	return cancelledWith(body, codes)
}

// cancelledWith is a TransactionCanceledException with these reasons, one an item ("None" for
// the items past them, and for any given as "").
func cancelledWith(body []byte, given []string) *http.Response {
	var in struct{ TransactItems []json.RawMessage }
	_ = json.Unmarshal(body, &in)
	reasons := make([]map[string]string, max(1, len(in.TransactItems), len(given)))
	codes := make([]string, len(reasons))
	for i := range reasons {
		codes[i] = "None"
		if i < len(given) && given[i] != "" {
			codes[i] = given[i]
		}
		reasons[i] = map[string]string{"Code": codes[i]}
		if codes[i] == "TransactionConflict" {
			reasons[i]["Message"] = "Transaction is ongoing for the item"
		}
	}
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
