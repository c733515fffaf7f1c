// Package store is the one DynamoDB single-table repository. Every rule that must hold under
// concurrent requests (single use, quotas, one account per document) is a condition on a
// write here, never a read followed by a write. Items that expire carry expiresAt (epoch
// seconds), which is the table's TTL attribute; TTL deletes lazily, so every read and every
// condition also treats an item past its expiresAt as absent.
package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/awsenv"
)

// Attribute names shared by every item.
const (
	attrPK      = "pk"
	attrSK      = "sk"
	attrGSI1PK  = "gsi1pk"
	attrGSI1SK  = "gsi1sk"
	attrExpires = "expiresAt"
)

// GSI1 is the index the review queue is read from.
const GSI1 = "gsi1"

// Store reads and writes the table.
type Store struct {
	db    *dynamodb.Client
	table string
}

// New wraps a client and a table name.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: db, table: table}
}

// NewClient builds the DynamoDB client; endpoint, when set, points it at a DynamoDB-compatible
// server (DynamoDB Local, minidyn) instead of AWS.
func NewClient(cfg aws.Config, endpoint *string) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != nil {
			o.BaseEndpoint = endpoint
			// Emulators do not all send the CRC32 header the SDK checks by default.
			o.DisableValidateResponseChecksum = true
		}
	})
}

// FromEnv is the store a function uses: the table named by TABLE_NAME, at DYNAMODB_ENDPOINT
// when that is set (DynamoDB Local, minidyn), else in AWS.
func FromEnv(cfg aws.Config) *Store {
	return New(NewClient(cfg, awsenv.Endpoint("DYNAMODB_ENDPOINT")), awsenv.MustEnv("TABLE_NAME"))
}

// Errors the callers turn into contract answers.
var (
	// ErrNotFound is an item that does not exist or has expired.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is a conditional write that lost: the state was not what the rule needs.
	ErrConflict = errors.New("store: condition failed")
)

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
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.table), Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		// The kind of item only: the rest of a key can be a document number or a mobile.
		kind, _, _ := strings.Cut(getS(k, attrPK), "#")
		return nil, fmt.Errorf("get %s: %w", kind, err)
	}
	if len(out.Item) == 0 {
		return nil, ErrNotFound
	}
	return out.Item, nil
}

// create writes an item that must not exist yet; ErrConflict if it does. One PutItem.
func (st *Store) create(ctx context.Context, item map[string]types.AttributeValue) error {
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(st.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if isConditionFailed(err) {
		return ErrConflict
	}
	if err != nil {
		kind, _, _ := strings.Cut(getS(item, attrPK), "#")
		return fmt.Errorf("create %s: %w", kind, err)
	}
	return nil
}

// getMany reads up to 100 items by key, consistently, in one BatchGetItem (again for any keys
// DynamoDB leaves unprocessed). Missing items are simply not in the answer.
func (st *Store) getMany(ctx context.Context, keys ...map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	for attempt := 0; len(keys) > 0; attempt++ {
		if attempt == 3 {
			return nil, fmt.Errorf("batch get: %d keys still unprocessed", len(keys))
		}
		out, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			st.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return nil, fmt.Errorf("batch get: %w", err)
		}
		items = append(items, out.Responses[st.table]...)
		keys = out.UnprocessedKeys[st.table].Keys
	}
	return items, nil
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: s(pk), attrSK: s(sk)}
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

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// cancelled returns, for a cancelled transaction, which of its items failed their condition.
func cancelled(err error) ([]bool, bool) {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil, false
	}
	failed := make([]bool, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		failed[i] = aws.ToString(r.Code) == "ConditionalCheckFailed"
	}
	return failed, true
}
