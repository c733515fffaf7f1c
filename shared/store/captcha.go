package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func captchaKey(id string) map[string]types.AttributeValue { return key("CAPTCHA#"+id, "CAPTCHA") }

// PutCaptcha keeps a slider's answer until expires. One PutItem.
func (st *Store) PutCaptcha(ctx context.Context, id string, x int, expires time.Time) error {
	item := captchaKey(id)
	item["x"] = n(int64(x))
	item[attrExpires] = n(expires.Unix())
	return st.create(ctx, item)
}

// TakeCaptcha deletes a slider and returns its answer, so that of any number of concurrent
// attempts exactly one sees it. One DeleteItem.
func (st *Store) TakeCaptcha(ctx context.Context, id string, now time.Time) (int, error) {
	out, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:           aws.String(st.table),
		Key:                 captchaKey(id),
		ConditionExpression: aws.String("attribute_exists(pk)"),
		ReturnValues:        types.ReturnValueAllOld,
	})
	if isConditionFailed(err) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("take captcha: %w", err)
	}
	if !live(out.Attributes, now) {
		return 0, ErrNotFound
	}
	return int(getN(out.Attributes, "x")), nil
}

// PeekCaptcha reads a slider's answer without using it: for the local-only route of SPEC §4.
func (st *Store) PeekCaptcha(ctx context.Context, id string, now time.Time) (int, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(st.table),
		Key:            captchaKey(id),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("peek captcha: %w", err)
	}
	if !live(out.Item, now) {
		return 0, ErrNotFound
	}
	return int(getN(out.Item, "x")), nil
}
