package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/account"
)

// StartSession stores a new session. When the account has wrong passwords counted, the same
// transaction clears the count, provided the password is still the one just verified and no
// lock began meanwhile (ErrCredentialsChanged). One PutItem, or one TransactWriteItems.
func (st *Store) StartSession(ctx context.Context, tokenHash string, sess account.Session, a account.Account, now time.Time) error {
	item, err := itemOf(sessionItem(sess), sessionKey(tokenHash))
	if err != nil {
		return err
	}
	if a.FailedLogins == 0 {
		return st.create(ctx, item)
	}
	return st.transact(ctx, "start session",
		step{
			write: types.TransactWriteItem{Put: &types.Put{
				TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}},
			refusal: refusedWith(ErrExists),
		},
		step{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:           aws.String(st.table),
				Key:                 accountKey(a.Login),
				UpdateExpression:    aws.String("SET failedLogins = :zero"),
				ConditionExpression: aws.String("passwordHash = :ph AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":zero": n(0), ":ph": s(a.PasswordHash), ":now": n(now.Unix()),
				},
			}},
			refusal: refusedWith(ErrCredentialsChanged),
		})
}

// TouchSession checks a session and moves its idle deadline to now+idle, in one
// conditional UpdateItem: a session past either deadline is ErrNotFound.
func (st *Store) TouchSession(ctx context.Context, tokenHash string, now time.Time, idle time.Duration) (account.Session, error) {
	out, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                 sessionKey(tokenHash),
		UpdateExpression:    aws.String("SET idleUntil = :idle"),
		ConditionExpression: aws.String("attribute_exists(pk) AND expiresAt > :now AND idleUntil > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":idle": n(now.Add(idle).Unix()), ":now": n(now.Unix()),
		},
		ReturnValues: types.ReturnValueAllNew,
	}, refusedWith(ErrNotFound))
	if err != nil {
		return account.Session{}, err
	}
	it, err := decode[sessionItem](out)
	return account.Session(it), err
}

// EndSession deletes a session; ErrNotFound if there was none. One DeleteItem.
func (st *Store) EndSession(ctx context.Context, tokenHash string) error {
	_, err := st.remove(ctx, &dynamodb.DeleteItemInput{
		Key:                 sessionKey(tokenHash),
		ConditionExpression: aws.String("attribute_exists(pk)"),
	}, refusedWith(ErrNotFound))
	return err
}

// CountLoginFailure adds one wrong password to the account's count unless it is locked, and
// returns the count; account.ErrLocked comes with the end of the lock. One UpdateItem.
func (st *Store) CountLoginFailure(ctx context.Context, login string, now time.Time) (int, time.Time, error) {
	var until time.Time
	out, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       accountKey(login),
		UpdateExpression:          aws.String("ADD failedLogins :one"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":now": n(now.Unix())},
		ReturnValues:              types.ReturnValueUpdatedNew,
	}, func(old map[string]types.AttributeValue) error {
		if len(old) == 0 {
			return ErrNotFound
		}
		until = time.Unix(getN(old, "lockedUntil"), 0)
		return account.ErrLocked
	})
	if err != nil {
		return 0, until, err
	}
	return int(getN(out, "failedLogins")), time.Time{}, nil
}

// LockAccount locks the account until the given time if its count has reached threshold,
// and starts the count again. Of concurrent callers at the threshold, the first locks and the
// rest find it done. One UpdateItem.
func (st *Store) LockAccount(ctx context.Context, login string, until time.Time, threshold int) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       accountKey(login),
		UpdateExpression:          aws.String("SET lockedUntil = :until, failedLogins = :zero"),
		ConditionExpression:       aws.String("failedLogins >= :threshold"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":until": n(until.Unix()), ":zero": n(0), ":threshold": n(int64(threshold))},
	}, refusedWith(nil)) // another caller at the threshold locked it first
	return err
}
