package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Captcha is a slider's answer and when it stops being usable.
type Captcha struct {
	X       int
	Expires time.Time
}

// PutCaptcha keeps a slider's answer until it expires. One PutItem.
func (st *Store) PutCaptcha(ctx context.Context, id string, c Captcha) error {
	item := captchaKey(id)
	item["x"] = n(int64(c.X))
	item[attrExpires] = n(c.Expires.Unix())
	return st.create(ctx, item)
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
	return Captcha{X: int(getN(old, "x")), Expires: time.Unix(getN(old, attrExpires), 0)}, nil
}

// PeekCaptcha reads a slider's answer without using it: for the local-only route of SPEC §4.
func (st *Store) PeekCaptcha(ctx context.Context, id string, now time.Time) (int, error) {
	item, err := st.get(ctx, captchaKey(id))
	if err != nil {
		return 0, err
	}
	if !live(item, now) {
		return 0, ErrNotFound
	}
	return int(getN(item, "x")), nil
}
