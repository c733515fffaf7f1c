package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CodeKey names one outstanding SMS code: what it is for and whom it was sent for (the mobile
// for registration). A newer code under the same key replaces the older one.
type CodeKey struct {
	Purpose string
	Subject string
}

// Code is a stored SMS code: its hash, never the code.
type Code struct {
	Hash     []byte
	Attempts int
	Expires  time.Time
	// UsedFor is set once the code has been spent, to what it was spent on.
	UsedFor string
	// Login and Epoch bind a reset code to the account, and to its password epoch, it was
	// sent for; registration codes have neither.
	Login string
	Epoch int64
	// WechatUser binds a reset code asked in WeChat to the user who asked it, in place of
	// the epoch: it is good while the account names that user (the binding is what proves
	// the holder), and another reset's completion deletes it.
	WechatUser string
}

var (
	// ErrCodeExhausted is a code that has had all its tries.
	ErrCodeExhausted = errors.New("store: code tries exhausted")
	// ErrCodeUsed is a code already spent; the Code returned with it says on what.
	ErrCodeUsed = errors.New("store: code already used")
)

// PutCode stores a code, replacing any older one under the key. One PutItem.
func (st *Store) PutCode(ctx context.Context, k CodeKey, c Code) error {
	return st.put(ctx, &dynamodb.PutItemInput{Item: codeItem(k, c)}, nil)
}

// codeStep keeps c under k, untried, as a step of a transaction (the count that allows it
// in the same one).
func (st *Store) codeStep(k CodeKey, c Code) step {
	return step{write: types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.table), Item: codeItem(k, c)}}}
}

// codeItem is c kept under k, untried.
func codeItem(k CodeKey, c Code) map[string]types.AttributeValue {
	item := k.item()
	item["codeHash"] = b(c.Hash)
	item["attempts"] = n(0)
	item[attrExpires] = n(c.Expires.Unix())
	switch {
	case c.WechatUser != "":
		item["login"], item["wechatUser"] = s(c.Login), s(c.WechatUser)
	case c.Login != "":
		item["login"], item["epoch"] = s(c.Login), n(c.Epoch)
	}
	return item
}

// DeleteCode removes the code with this hash, and leaves a newer one alone: it undoes PutCode
// when the SMS could not be sent.
func (st *Store) DeleteCode(ctx context.Context, k CodeKey, hash []byte) error {
	_, err := st.remove(ctx, &dynamodb.DeleteItemInput{
		Key:                       k.item(),
		ConditionExpression:       aws.String("codeHash = :h"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": b(hash)},
	}, refusedWith(nil)) // replaced by a newer code meanwhile: that one stays
	return err
}

// AttemptCode counts one try of the code under k before the caller compares it, so that no
// number of concurrent guesses gets more than max tries. It returns the code as it stands
// after the count. One UpdateItem.
func (st *Store) AttemptCode(ctx context.Context, k CodeKey, now time.Time, max int) (Code, error) {
	var spent Code
	out, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:              k.item(),
		UpdateExpression: aws.String("SET attempts = attempts + :one"),
		ConditionExpression: aws.String("attribute_exists(pk) AND expiresAt > :now AND attempts < :max " +
			"AND attribute_not_exists(usedFor)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": n(1), ":now": n(now.Unix()), ":max": n(int64(max)),
		},
		ReturnValues: types.ReturnValueAllNew,
	}, func(old map[string]types.AttributeValue) error {
		spent = decodeCode(old)
		switch {
		case !live(old, now):
			spent = Code{}
			return ErrNotFound
		case spent.UsedFor != "":
			return ErrCodeUsed
		default:
			return ErrCodeExhausted
		}
	})
	if err != nil {
		return spent, err
	}
	return decodeCode(out), nil
}

// GiveBackAttempt takes back the try AttemptCode counted, when the request it was counted for
// could not be completed for a reason of ours (a busy store): the applicant loses nothing. It
// holds only while the code is the one tried and unspent. One UpdateItem.
func (st *Store) GiveBackAttempt(ctx context.Context, k CodeKey, hash []byte) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       k.item(),
		UpdateExpression:          aws.String("SET attempts = attempts - :one"),
		ConditionExpression:       aws.String("codeHash = :h AND attempts > :zero AND attribute_not_exists(usedFor)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":zero": n(0), ":h": b(hash)},
	}, refusedWith(nil)) // replaced, spent or expired meanwhile: nothing to give back
	return err
}

func decodeCode(item map[string]types.AttributeValue) Code {
	return Code{
		Hash:     getB(item, "codeHash"),
		Attempts: int(getN(item, "attempts")),
		Expires:  time.Unix(getN(item, attrExpires), 0),
		UsedFor:  getS(item, "usedFor"),
		Login:    getS(item, "login"),
		Epoch:    getN(item, "epoch"),

		WechatUser: getS(item, "wechatUser"),
	}
}

// SpendCode marks the code of k spent for usedFor on its own, as the transactions that
// spend one do: a registration refused because its number is taken spends its code, so that
// one code tells of one number. Refused (ErrCodeSpent: spent or expired meanwhile), it
// returns what the code was spent for, if it was. One UpdateItem.
func (st *Store) SpendCode(ctx context.Context, k CodeKey, hash []byte, usedFor string, now time.Time) (string, error) {
	u := st.spendCode(k, hash, usedFor, now).write.Update
	var spentFor string
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key: u.Key, UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
		ExpressionAttributeValues: u.ExpressionAttributeValues,
	}, func(old map[string]types.AttributeValue) error {
		spentFor = getS(old, "usedFor")
		return ErrCodeSpent
	})
	return spentFor, err
}

func (st *Store) spendCode(k CodeKey, hash []byte, usedFor string, now time.Time) step {
	return step{
		write: types.TransactWriteItem{Update: &types.Update{
			TableName:           aws.String(st.table),
			Key:                 k.item(),
			UpdateExpression:    aws.String("SET usedFor = :for"),
			ConditionExpression: aws.String("codeHash = :h AND expiresAt > :now AND attribute_not_exists(usedFor)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":for": s(usedFor), ":h": b(hash), ":now": n(now.Unix()),
			},
		}},
		refusal: refusedWith(ErrCodeSpent),
	}
}
