// Package store is the one DynamoDB single-table repository. Every rule that must hold under
// concurrent requests (single use, quotas, one account per document) is a condition on a
// write here, never a read followed by a write. Items that expire carry expiresAt (epoch
// seconds), which is the table's TTL attribute; TTL deletes lazily, so every read and every
// condition also treats an item past its expiresAt as absent.
package store

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/awsenv"
)

// Store reads and writes the table.
type Store struct {
	db    *dynamodb.Client
	table string
	// seal opens and seals the login in session tokens (sealed.go), captchaSeal the
	// answer in sliders' ids (captcha.go), resetSeal what a reset's SMS needs in its id
	// (reset.go), flowSeal a 教育部 login's flow in its state (federation.go).
	seal, captchaSeal, resetSeal, flowSeal cipher.AEAD
}

// New wraps a client and a table name.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: db, table: table}
}

// NewClient builds the DynamoDB client; endpoint, when set, points it at a DynamoDB-compatible
// server (DynamoDB Local, minidyn) instead of AWS.
//
// The SDK retries throttling and server errors itself, up to three attempts; its default
// pauses (up to 2 s, then 4 s) would outlast an API request, so they are the store's own
// short, jittered ones. A request still throttled after them is a BusyError: the applicant
// is told to retry in a second instead of waiting on a Lambda that waits on DynamoDB.
//
// retries tunes the retryer further: the local server, which runs every function on one
// client, lifts its retry quota (ratelimit.None), which AWS gives each Lambda instance.
func NewClient(cfg aws.Config, endpoint *string, retries ...func(*retry.StandardOptions)) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.Retryer = retry.NewStandard(append([]func(*retry.StandardOptions){func(so *retry.StandardOptions) {
			so.MaxAttempts = maxTries
			so.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
				return backoff(attempt), nil
			})
		}}, retries...)...)
		if endpoint != nil {
			o.BaseEndpoint = endpoint
			// Emulators do not all send the CRC32 header the SDK checks by default.
			o.DisableValidateResponseChecksum = true
		}
	})
}

// FromEnv is the store a function uses: the table named by TABLE_NAME, at DYNAMODB_ENDPOINT
// when that is set (DynamoDB Local, minidyn), else in AWS, with the seal key SEAL_KEY
// (every function has it, from the template's globals).
func FromEnv(cfg aws.Config) *Store {
	return New(NewClient(cfg, awsenv.Endpoint("DYNAMODB_ENDPOINT")), awsenv.MustEnv("TABLE_NAME")).
		WithSealKey([]byte(awsenv.MustEnv("SEAL_KEY")))
}

// itemOf is v as an item under k.
func itemOf(v any, k map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %T: %w", v, err)
	}
	maps.Copy(item, k)
	return item, nil
}

// decode reads an item into a T.
func decode[T any](item map[string]types.AttributeValue) (T, error) {
	var v T
	if err := attributevalue.UnmarshalMap(item, &v); err != nil {
		return v, fmt.Errorf("unmarshal %T: %w", v, err)
	}
	return v, nil
}

// convertAll converts each value.
func convertAll[T, U any](ts []T, f func(T) U) []U {
	out := make([]U, len(ts))
	for i, t := range ts {
		out[i] = f(t)
	}
	return out
}

// decodeAll reads items into Ts.
func decodeAll[T any](items []map[string]types.AttributeValue) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, item := range items {
		v, err := decode[T](item)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// get reads one item, consistently; ErrNotFound when there is none. One GetItem.
func (st *Store) get(ctx context.Context, k map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	var out *dynamodb.GetItemOutput
	err := st.do(ctx, "get "+kindOf(k), func(ctx context.Context) (err error) {
		out, err = st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.table), Key: k, ConsistentRead: aws.Bool(true)})
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, ErrNotFound
	}
	return out.Item, nil
}

// kindOf names an item by the kind in its partition key only, for errors and logs: the rest
// of a key can be a document number or a mobile.
func kindOf(item map[string]types.AttributeValue) string {
	kind, _, _ := strings.Cut(getS(item, attrPK), "#")
	return kind
}

// create writes an item that must not exist yet; ErrExists if it does. One PutItem.
func (st *Store) create(ctx context.Context, item map[string]types.AttributeValue) error {
	return st.put(ctx, &dynamodb.PutItemInput{Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")},
		refusedWith(ErrExists))
}

// put is one PutItem into the table; when its condition fails, refusal says what that means.
// A conditional put carries a random mark of this call (attrPutBy): PutItem has no
// idempotency token, so when its reply is lost after it was made the SDK sends it again and
// the condition meets the first attempt's item, which the mark tells from another writer's.
func (st *Store) put(ctx context.Context, in *dynamodb.PutItemInput, refusal func(old map[string]types.AttributeValue) error) error {
	in.TableName = aws.String(st.table)
	var m mark
	if in.ConditionExpression != nil {
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
		m = newMark(attrPutBy)
		in.Item = merge(in.Item, map[string]types.AttributeValue{m.attr: s(m.value)})
	}
	_, _, err := write(ctx, st, "put "+kindOf(in.Item), func(ctx context.Context) (*dynamodb.PutItemOutput, error) {
		return st.db.PutItem(ctx, in)
	}, m, refusal)
	return err
}

// attrPutBy is the mark of the conditional put that wrote an item (put).
const attrPutBy = "putBy"

// mark is one call's random mark (72 bits, 12 characters) under the attribute its write
// sets, which tells the call's own first attempt from another writer's when a retry's
// condition fails (write); the zero mark tells nothing.
type mark struct{ attr, value string }

func newMark(attr string) mark {
	b := make([]byte, 9)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return mark{attr: attr, value: base64.RawURLEncoding.EncodeToString(b)}
}

// on says whether item carries the mark.
func (m mark) on(item map[string]types.AttributeValue) bool {
	return m.value != "" && getS(item, m.attr) == m.value
}

// attrTakenBy marks an item taken (take), with the taking call's mark.
const attrTakenBy = "takenBy"

// take spends the item at k once and returns it as it was; of any number of concurrent
// takers one gets it, the others ErrNotFound, as do a missing item and one for which cond
// (beside "not taken yet"; "" for none) does not hold. It is an UpdateItem that marks the
// item with this call's mark, not a DeleteItem: when a take's reply is lost after it was
// made the SDK sends it again, and the mark the retry meets says the item is its own, where
// a delete would have left nothing to return. The item stays until its TTL. One UpdateItem.
func (st *Store) take(ctx context.Context, k map[string]types.AttributeValue, cond string, values map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	m := newMark(attrTakenBy)
	condition := "attribute_exists(pk) AND attribute_not_exists(" + attrTakenBy + ")"
	if cond != "" {
		condition += " AND " + cond
	}
	in := &dynamodb.UpdateItemInput{
		TableName:                           aws.String(st.table),
		Key:                                 k,
		UpdateExpression:                    aws.String("SET " + attrTakenBy + " = :takenBy"),
		ConditionExpression:                 aws.String(condition),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":takenBy": s(m.value)},
		ReturnValues:                        types.ReturnValueAllOld,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	maps.Copy(in.ExpressionAttributeValues, values)
	out, own, err := write(ctx, st, "take "+kindOf(k), func(ctx context.Context) (*dynamodb.UpdateItemOutput, error) {
		return st.db.UpdateItem(ctx, in)
	}, m, refusedWith(ErrNotFound))
	switch {
	case err != nil:
		return nil, err
	case own != nil: // the item as this call's first attempt took it
		delete(own, attrTakenBy)
		return own, nil
	}
	return out.Attributes, nil
}

// update is one UpdateItem of the table and returns what ReturnValues asked for; when its
// condition fails, refusal reads the item as it was and says what that means. Every update
// sets attrUpdatedBy to a random mark of this call and holds only on an item that does not
// carry that mark yet: UpdateItem has no idempotency token, so when its reply is lost after
// it was made the SDK sends it again, and the retry, refused, finds the item as the first
// attempt left it, which it returns as the update's (a count is counted once, a change
// that its own first attempt made is not refused as another's). The mark is the last
// writer's only: another write to the item between the lost reply and the retry (tens of
// milliseconds) hides it, and the retry is then made, or refused, as without the mark.
func (st *Store) update(ctx context.Context, in *dynamodb.UpdateItemInput, refusal func(old map[string]types.AttributeValue) error) (map[string]types.AttributeValue, error) {
	in.TableName = aws.String(st.table)
	m := newMark(attrUpdatedBy)
	in.UpdateExpression = aws.String(withSet(aws.ToString(in.UpdateExpression), attrUpdatedBy+" = :updatedBy"))
	in.ExpressionAttributeValues = merge(in.ExpressionAttributeValues, map[string]types.AttributeValue{":updatedBy": s(m.value)})
	notYet := "(attribute_not_exists(" + attrUpdatedBy + ") OR " + attrUpdatedBy + " <> :updatedBy)"
	if in.ConditionExpression != nil {
		notYet = "(" + *in.ConditionExpression + ") AND " + notYet
	}
	in.ConditionExpression = aws.String(notYet)
	in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	out, own, err := write(ctx, st, "update "+kindOf(in.Key), func(ctx context.Context) (*dynamodb.UpdateItemOutput, error) {
		return st.db.UpdateItem(ctx, in)
	}, m, refusal)
	switch {
	case own != nil:
		return own, nil // the item as this call's first attempt left it
	case err != nil || out == nil: // out is nil after a refusal that is no error
		return nil, err
	}
	return out.Attributes, nil
}

// attrUpdatedBy is the mark of the last update of an item (update).
const attrUpdatedBy = "updatedBy"

// withSet is expr with assignment added to its SET clause, which it is given if it has none.
// The store's expressions name their clauses in capitals; no attribute is called SET.
func withSet(expr, assignment string) string {
	switch i := strings.Index(expr, " SET "); {
	case strings.HasPrefix(expr, "SET "):
		return "SET " + assignment + ", " + expr[len("SET "):]
	case i >= 0:
		return expr[:i] + " SET " + assignment + ", " + expr[i+len(" SET "):]
	case expr == "":
		return "SET " + assignment
	default:
		return "SET " + assignment + " " + expr
	}
}

// remove is one DeleteItem of the table and returns what ReturnValues asked for; when its
// condition fails, refusal says what that means.
func (st *Store) remove(ctx context.Context, in *dynamodb.DeleteItemInput, refusal func(old map[string]types.AttributeValue) error) (map[string]types.AttributeValue, error) {
	in.TableName = aws.String(st.table)
	if in.ConditionExpression != nil {
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	out, _, err := write(ctx, st, "delete "+kindOf(in.Key), func(ctx context.Context) (*dynamodb.DeleteItemOutput, error) {
		return st.db.DeleteItem(ctx, in)
	}, mark{}, refusal)
	if err != nil || out == nil { // out is nil after a refusal that is no error
		return nil, err
	}
	return out.Attributes, nil
}

// write makes one single-item write through do and reads a failed condition from the item
// as it was: an item carrying the call's mark is the call's own first attempt, made and its
// reply lost (the SDK sent it again), returned as own with no error; else refusal, when
// there is one, turns it into the rule's error.
func write[O any](ctx context.Context, st *Store, op string, call func(context.Context) (O, error), m mark, refusal func(old map[string]types.AttributeValue) error) (out O, own map[string]types.AttributeValue, err error) {
	err = st.do(ctx, op, func(ctx context.Context) (err error) {
		out, err = call(ctx)
		return err
	})
	old, refused := oldItem(err)
	switch {
	case refused && m.on(old):
		var none O
		return none, old, nil
	case refused && refusal != nil:
		var none O
		return none, nil, refusal(old)
	}
	return out, nil, err
}

// query is one page of a Query of the table or an index.
func (st *Store) query(ctx context.Context, op string, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
	in.TableName = aws.String(st.table)
	var out *dynamodb.QueryOutput
	err := st.do(ctx, op, func(ctx context.Context) (err error) {
		out, err = st.db.Query(ctx, in)
		return err
	})
	return out, err
}

// queryAll is every item of a Query, page after page: DynamoDB ends a page at 1 MB read
// whatever the listing's size, so a listing that one page holds today must still follow
// LastEvaluatedKey.
func (st *Store) queryAll(ctx context.Context, op string, in *dynamodb.QueryInput) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	for {
		out, err := st.query(ctx, op, in)
		if err != nil {
			return nil, err
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// getMany reads up to 100 items by key, consistently, in one BatchGetItem (again for any keys
// DynamoDB leaves unprocessed). Missing items are simply not in the answer.
func (st *Store) getMany(ctx context.Context, keys ...map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	for try := 1; len(keys) > 0; try++ {
		if try > 1 && (try > maxTries || pause(ctx, try-1) != nil) {
			// DynamoDB leaves keys unprocessed when it is short of capacity: a wait, not a bug.
			return nil, &BusyError{Op: "batch get", Cause: fmt.Errorf("%d keys still unprocessed", len(keys))}
		}
		var out *dynamodb.BatchGetItemOutput
		err := st.do(ctx, "batch get", func(ctx context.Context) (err error) {
			out, err = st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				st.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
			}})
			return err
		})
		if err != nil {
			return nil, err
		}
		items = append(items, out.Responses[st.table]...)
		keys = out.UnprocessedKeys[st.table].Keys
	}
	return items, nil
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func b(v []byte) types.AttributeValue { return &types.AttributeValueMemberB{Value: v} }

func getS(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func getN(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		i, _ := strconv.ParseInt(v.Value, 10, 64)
		return i
	}
	return 0
}

func hasN(item map[string]types.AttributeValue, name string) bool {
	_, ok := item[name].(*types.AttributeValueMemberN)
	return ok
}

func getB(item map[string]types.AttributeValue, name string) []byte {
	if v, ok := item[name].(*types.AttributeValueMemberB); ok {
		return v.Value
	}
	return nil
}

// live reports an item that exists and has not expired at now.
func live(item map[string]types.AttributeValue, now time.Time) bool {
	if len(item) == 0 {
		return false
	}
	exp, ok := item[attrExpires].(*types.AttributeValueMemberN)
	if !ok {
		return true
	}
	e, _ := strconv.ParseInt(exp.Value, 10, 64)
	return e > now.Unix()
}
