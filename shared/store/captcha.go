package store

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A slider's answer travels in its id, sealed under the functions' key (AES-256-GCM): issuing
// one writes only its address's count, and checking one needs no read. What the table keeps
// is that an id was used: a spent id is an item CAPTCHA#<id>, put if absent and kept until
// the id expires, so of any number of requests that carry one id exactly one is judged.

// Captcha is a slider's answer, a point, and when it stops being usable.
type Captcha struct {
	X, Y    int
	Expires time.Time
}

// SealCaptcha is the id that carries c. No I/O.
func (st *Store) SealCaptcha(c Captcha) string {
	var plain [12]byte
	binary.BigEndian.PutUint16(plain[0:], uint16(c.X))
	binary.BigEndian.PutUint16(plain[2:], uint16(c.Y))
	binary.BigEndian.PutUint64(plain[4:], uint64(c.Expires.Unix()))
	return sealID(st.captchaSeal, plain[:])
}

// OpenCaptcha is the answer an id carries: ErrNotFound for an id that is not one of ours or
// has expired. It says nothing of whether the id was used. No I/O.
func (st *Store) OpenCaptcha(id string, now time.Time) (Captcha, error) {
	plain, ok := openID(st.captchaSeal, id)
	if !ok || len(plain) != 12 {
		return Captcha{}, ErrNotFound
	}
	c := Captcha{
		X:       int(binary.BigEndian.Uint16(plain[0:])),
		Y:       int(binary.BigEndian.Uint16(plain[2:])),
		Expires: time.Unix(int64(binary.BigEndian.Uint64(plain[4:])), 0),
	}
	if !now.Before(c.Expires) {
		return Captcha{}, ErrNotFound
	}
	return c, nil
}

// Source is who asks for something counted per source address and minute: the address,
// the minute's start, and how many the address may have in it.
type Source struct {
	Address string
	Minute  time.Time
	Max     int
}

// CountCaptcha counts a new slider against its source address's minute: ErrQuotaFull, and
// no slider, when the address has had its minute's worth. One UpdateItem.
func (st *Store) CountCaptcha(ctx context.Context, from Source) error {
	count := addressMinute(from.Address, "CAPTCHAS", from.Minute.UTC().Format("200601021504")).increment(from.Minute.Add(2 * time.Minute))
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key: count.Key, UpdateExpression: count.UpdateExpression,
		ConditionExpression:       aws.String("attribute_not_exists(used) OR used < :max"),
		ExpressionAttributeValues: merge(count.ExpressionAttributeValues, map[string]types.AttributeValue{":max": n(int64(from.Max))}),
	}, refusedWith(ErrQuotaFull))
	return err
}

// spentCaptcha is the item that says an id was used, kept until the id expires.
func spentCaptcha(id string, c Captcha) map[string]types.AttributeValue {
	return merge(captchaKey(id), map[string]types.AttributeValue{attrExpires: n(c.Expires.Unix())})
}

// SpendCaptcha records that id was used: ErrNotFound when it was already. One PutItem.
func (st *Store) SpendCaptcha(ctx context.Context, id string, c Captcha) error {
	return st.put(ctx, &dynamodb.PutItemInput{
		Item: spentCaptcha(id, c), ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}, refusedWith(ErrNotFound))
}

// spendCaptchaStep is SpendCaptcha as a step of a transaction.
func (st *Store) spendCaptchaStep(id string, c Captcha) step {
	return step{
		write: types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(st.table), Item: spentCaptcha(id, c), ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		refusal: refusedWith(ErrNotFound),
	}
}

// UnspendCaptcha makes a used id usable again: a request that spent it and then found the
// store busy gives it back. One DeleteItem.
func (st *Store) UnspendCaptcha(ctx context.Context, id string) error {
	_, err := st.remove(ctx, &dynamodb.DeleteItemInput{Key: captchaKey(id)}, nil)
	return err
}

// PeekCaptcha is an unused slider's answer, for the local-only route of SPEC §4: ErrNotFound
// for an id that is not ours, has expired or was used. One GetItem.
func (st *Store) PeekCaptcha(ctx context.Context, id string, now time.Time) (Captcha, error) {
	c, err := st.OpenCaptcha(id, now)
	if err != nil {
		return Captcha{}, err
	}
	switch _, err := st.get(ctx, captchaKey(id)); {
	case err == nil:
		return Captcha{}, ErrNotFound // used
	case !errors.Is(err, ErrNotFound):
		return Captcha{}, err
	}
	return c, nil
}
