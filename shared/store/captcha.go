package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Captcha is a slider's answer, a point, and when it stops being usable.
type Captcha struct {
	X, Y    int
	Expires time.Time
}

// PutCaptcha keeps a slider's answer until it expires. One PutItem.
func (st *Store) PutCaptcha(ctx context.Context, id string, c Captcha) error {
	return st.create(ctx, captchaItem(id, c))
}

func captchaItem(id string, c Captcha) map[string]types.AttributeValue {
	item := captchaKey(id)
	item["x"] = n(int64(c.X))
	item["y"] = n(int64(c.Y))
	item[attrExpires] = n(c.Expires.Unix())
	return item
}

// Source is who asks for something counted per source address and minute: the address,
// the minute's start, and how many the address may have in it.
type Source struct {
	Address string
	Minute  time.Time
	Max     int
}

// IssueCaptcha keeps a new slider's answer and counts it against its source address's
// minute, in one transaction: ErrQuotaFull, and no slider, when the address has had its
// minute's worth. One TransactWriteItems.
func (st *Store) IssueCaptcha(ctx context.Context, id string, c Captcha, from Source) error {
	count := addressMinute(from.Address, "CAPTCHAS", from.Minute.UTC().Format("200601021504")).increment(from.Minute.Add(2 * time.Minute))
	return st.transact(ctx, "issue captcha",
		step{
			write: types.TransactWriteItem{Put: &types.Put{
				TableName: aws.String(st.table), Item: captchaItem(id, c), ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}},
			refusal: refusedWith(ErrExists),
		},
		step{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName: aws.String(st.table), Key: count.Key, UpdateExpression: count.UpdateExpression,
				ConditionExpression:       aws.String("attribute_not_exists(used) OR used < :max"),
				ExpressionAttributeValues: merge(count.ExpressionAttributeValues, map[string]types.AttributeValue{":max": n(int64(from.Max))}),
			}},
			refusal: refusedWith(ErrQuotaFull),
		})
}

// TakeCaptcha deletes a slider and returns it, so that of any number of concurrent attempts
// exactly one sees it. One DeleteItem.
func (st *Store) TakeCaptcha(ctx context.Context, id string, now time.Time) (Captcha, error) {
	old, err := st.remove(ctx, &dynamodb.DeleteItemInput{
		Key:                 captchaKey(id),
		ConditionExpression: aws.String("attribute_exists(pk)"),
		ReturnValues:        types.ReturnValueAllOld,
	}, refusedWith(ErrNotFound))
	if err != nil {
		return Captcha{}, err
	}
	if !live(old, now) {
		return Captcha{}, ErrNotFound
	}
	return Captcha{X: int(getN(old, "x")), Y: int(getN(old, "y")), Expires: time.Unix(getN(old, attrExpires), 0)}, nil
}

// PeekCaptcha reads a slider's answer without using it: for the local-only route of SPEC §4.
func (st *Store) PeekCaptcha(ctx context.Context, id string, now time.Time) (Captcha, error) {
	item, err := st.get(ctx, captchaKey(id))
	if err != nil {
		return Captcha{}, err
	}
	if !live(item, now) {
		return Captcha{}, ErrNotFound
	}
	return Captcha{X: int(getN(item, "x")), Y: int(getN(item, "y")), Expires: time.Unix(getN(item, attrExpires), 0)}, nil
}
