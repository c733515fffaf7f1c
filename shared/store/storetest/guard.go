package storetest

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/store"
)

// A login's guard as tests make and read it: attempts admitted as a login admits them, with
// a slider of their own, and locks written as a wrong password's does, so that tests can put
// attempts in flight and locks in place without a login of their own.

// Admit counts one attempt at guard as a login does (store.AdmitLoginSpending) and returns
// the guard's count after it, or the lock's end when it is refused as locked.
func (e *Env) Admit(ctx context.Context, guard string, at time.Time, max int, lockFor time.Duration) (int, time.Time, error) {
	c := store.Captcha{X: 1, Y: 1, Expires: at.Add(time.Minute)}
	if until, err := e.Store.AdmitLoginSpending(ctx, guard, at, max, lockFor, e.Store.SealCaptcha(c), c); err != nil {
		return 0, until, err
	}
	out, err := e.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(Table), Key: guardKey(guard), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, time.Time{}, err
	}
	attempts, _ := out.Item["attempts"].(*types.AttributeValueMemberN)
	if attempts == nil {
		return 0, time.Time{}, nil
	}
	n, err := strconv.Atoi(attempts.Value)
	return n, time.Time{}, err
}

// Lock locks guard until until and starts its count again, whatever it counted.
func (e *Env) Lock(ctx context.Context, guard string, until time.Time) error {
	_, err := e.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(Table),
		Key:              guardKey(guard),
		UpdateExpression: aws.String("SET lockedUntil = :until, attempts = :zero, expiresAt = :expires"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until":   &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Unix(), 10)},
			":zero":    &types.AttributeValueMemberN{Value: "0"},
			":expires": &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Add(store.GuardLife).Unix(), 10)},
		},
	})
	return err
}

func guardKey(guard string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "LOGIN#" + guard},
		"sk": &types.AttributeValueMemberS{Value: "GUARD"},
	}
}
