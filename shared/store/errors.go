package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// Refusals: a rule's condition did not hold when the write was made. Each names the rule, so
// that callers answer with what happened and never guess from a generic "condition failed".
var (
	// ErrNotFound is an item that does not exist or has expired.
	ErrNotFound = errors.New("store: not found")
	// ErrExists is an item created twice (a random id that collided, or a replayed create).
	ErrExists = errors.New("store: already exists")
	// ErrQuotaFull is a counter already at its period's limit.
	ErrQuotaFull = errors.New("store: quota used up")
	// ErrCodeSpent is a code replaced by a newer one, expired or spent between its try and
	// the change it was to authorize.
	ErrCodeSpent = errors.New("store: code no longer spendable")
	// ErrCredentialsChanged is a login whose verified password was replaced, or whose account
	// was locked, between the read and the session's write.
	ErrCredentialsChanged = errors.New("store: password changed or lock began")
)

// BusyError is DynamoDB turning a request away for now: a transaction that kept conflicting
// with concurrent ones (TransactionConflict) after the store's bounded retries, or throttling
// that outlasted the SDK's. The request was not made by the attempt refused; an earlier
// attempt whose reply was lost may have been (the SDK retries after a 5xx). The same request
// may be sent again.
type BusyError struct {
	Op    string
	Cause error
}

func (e *BusyError) Error() string { return "store: " + e.Op + " busy: " + e.Cause.Error() }
func (e *BusyError) Unwrap() error { return e.Cause }

// RetryAfterSeconds is the pause to suggest: contention and throttling pass in well under one.
func (e *BusyError) RetryAfterSeconds() int { return 1 }

// IsBusy reports a BusyError.
func IsBusy(err error) bool {
	var b *BusyError
	return errors.As(err, &b)
}

// maxTries bounds the attempts of a call that DynamoDB answered with a transaction conflict:
// with backoff, three tries take well under a second in all.
const maxTries = 3

// outcome is what an SDK error means for the call that got it.
type outcome int

const (
	failed        outcome = iota // an error the caller cannot fix by waiting: 500
	refused                      // a condition did not hold: the rule's refusal
	conflicted                   // a concurrent transaction held an item: try again
	itemThrottled                // a transaction's item was throttled, which the SDK does not retry: try again
	throttled                    // throttled, and the SDK's retries are spent: busy
	inProgress                   // DynamoDB is still making an earlier attempt with this token: ask again with it
)

// throttleCodes are DynamoDB's words for "too fast" at the top level; the SDK's standard
// retryer already backs off and retries them.
var throttleCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
}

// classify reads an SDK error.
//
// A cancellation has a reason per item, in the items' order; "None" for an item that was
// fine or not evaluated. A ValidationError or ItemCollectionSizeLimitExceeded anywhere is a
// bug, whatever else failed beside it. Otherwise the first item with a reason decides: a
// failed condition is the rule's refusal, but a conflict or a throttle before it means the
// items before the failed condition may not have been evaluated, so the refusal that comes
// first (registration's ACCOUNT_EXISTS before its CODE_INVALID) is not known yet: try again.
func classify(err error) outcome {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		out := failed // no reason given: not a wait
		decided := false
		for _, r := range tce.CancellationReasons {
			var this outcome
			switch aws.ToString(r.Code) {
			case "None", "":
				continue
			case "ConditionalCheckFailed":
				this = refused
			case "TransactionConflict":
				this = conflicted
			case "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
				this = itemThrottled
			default: // ValidationError, ItemCollectionSizeLimitExceeded: a bug, not a wait
				return failed
			}
			if !decided {
				out, decided = this, true
			}
		}
		return out
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return refused
	}
	var conflict *types.TransactionConflictException
	if errors.As(err, &conflict) {
		return conflicted
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return failed
	}
	switch {
	// The SDK's own retries ran out (a retry quota spent too counts only when what it kept
	// retrying was throttling: a timeout or a 5xx may have been written).
	case throttleCodes[api.ErrorCode()]:
		return throttled
	// A transaction's reply was lost and the SDK's retries, with its token, met it still
	// being made (the SDK retries this as a throttle). DynamoDB answers the same token with
	// the first attempt's outcome once it is made; a new token would make it twice.
	case api.ErrorCode() == "TransactionInProgressException":
		return inProgress
	}
	return failed
}

// do makes one DynamoDB call, again (up to maxTries in all, after a jittered pause) while
// DynamoDB answers that a concurrent transaction held an item, a transaction's item was
// throttled (neither of which the SDK retries) or a transaction is still in progress. What
// is left is returned as it is for refusals, as a BusyError for contention and throttling,
// and wrapped with op otherwise.
func (st *Store) do(ctx context.Context, op string, call func(context.Context) error) error {
	for try := 1; ; try++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		switch classify(err) {
		case refused:
			return err
		case conflicted, itemThrottled:
			if try < maxTries && pause(ctx, try) == nil {
				continue
			}
			return &BusyError{Op: op, Cause: err}
		case throttled:
			return &BusyError{Op: op, Cause: err}
		case inProgress:
			if try < maxTries && pause(ctx, try) == nil {
				continue
			}
			// Neither made nor refused, as far as anyone knows: not busy, whose callers
			// give back what the request spent.
			return fmt.Errorf("%s: outcome unknown: %w", op, err)
		default:
			return fmt.Errorf("%s: %w", op, err)
		}
	}
}

// backoff is the pause before try+1: full jitter over 20 ms doubling, so that two requests
// that collided do not collide again in step.
func backoff(try int) time.Duration {
	ceiling := 20 * time.Millisecond << (try - 1)
	return ceiling/2 + rand.N(ceiling/2)
}

func pause(ctx context.Context, try int) error {
	t := time.NewTimer(backoff(try))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// step is one item of a transaction and what it means when its own condition fails. Steps
// are listed in the order their refusals take precedence.
type step struct {
	write types.TransactWriteItem
	// refusal turns the item as it was (DynamoDB returns it: ALL_OLD) into the rule's error;
	// nil for a step whose condition can fail only through a bug.
	refusal func(old map[string]types.AttributeValue) error
}

// transact writes the steps in one TransactWriteItems, retried as do says; a cancellation
// for a failed condition becomes the refusal of the first step whose condition failed.
func (st *Store) transact(ctx context.Context, op string, steps ...step) error {
	items := make([]types.TransactWriteItem, len(steps))
	for i, s := range steps {
		items[i] = withOldOnFailure(s.write)
	}
	var in *dynamodb.TransactWriteItemsInput
	again := false
	err := st.do(ctx, op, func(ctx context.Context) error {
		// A new input each try, so the SDK gives it a new ClientRequestToken: a cancelled
		// transaction made nothing, and the same token is for the SDK's own retries, which
		// DynamoDB answers as the first when a reply was lost after it was made. The one
		// exception is a transaction still in progress: its outcome is asked with its token
		// (the SDK wrote it into the input).
		if !again {
			in = &dynamodb.TransactWriteItemsInput{TransactItems: items}
		}
		_, err := st.db.TransactWriteItems(ctx, in)
		again = classify(err) == inProgress
		return err
	})
	var tce *types.TransactionCanceledException
	if err == nil || !errors.As(err, &tce) || IsBusy(err) {
		return err
	}
	codes := make([]string, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		codes[i] = aws.ToString(r.Code)
	}
	if classify(tce) == refused {
		for i, code := range codes {
			if code != "ConditionalCheckFailed" {
				continue
			}
			if i < len(steps) && steps[i].refusal != nil {
				if refusal := steps[i].refusal(tce.CancellationReasons[i].Item); refusal != nil {
					return refusal
				}
			}
			break // a condition that only a bug can fail, or a refusal that saw nothing wrong: say so
		}
	}
	return fmt.Errorf("%s: cancelled [%s]: %w", op, strings.Join(codes, " "), err)
}

// withOldOnFailure asks DynamoDB for the item as it was when its condition fails, which the
// step's refusal reads.
func withOldOnFailure(w types.TransactWriteItem) types.TransactWriteItem {
	old := types.ReturnValuesOnConditionCheckFailureAllOld
	switch {
	case w.Put != nil && w.Put.ConditionExpression != nil:
		w.Put.ReturnValuesOnConditionCheckFailure = old
	case w.Update != nil && w.Update.ConditionExpression != nil:
		w.Update.ReturnValuesOnConditionCheckFailure = old
	case w.Delete != nil && w.Delete.ConditionExpression != nil:
		w.Delete.ReturnValuesOnConditionCheckFailure = old
	case w.ConditionCheck != nil:
		w.ConditionCheck.ReturnValuesOnConditionCheckFailure = old
	}
	return w
}

// refusedWith is a refusal that needs no look at the item.
func refusedWith(err error) func(map[string]types.AttributeValue) error {
	return func(map[string]types.AttributeValue) error { return err }
}

// oldItem is the item a failed single-item condition returned (ALL_OLD), or nil.
func oldItem(err error) (map[string]types.AttributeValue, bool) {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ccf.Item, true
	}
	return nil, false
}
