package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/account"
)

// Login is a verified login about to become a session: the guard its attempt was counted
// under, and for a reviewer the time step of the second-factor code it used (0 for none).
type Login struct {
	Guard    string
	Login    string
	TOTPStep int64
}

// StartSession stores a new session and starts the login's guard counting again, in one
// transaction that holds only while no lock began on the guard (account.ErrLocked) and, for a
// reviewer, while the second-factor code's step is newer than the last accepted one
// (account.ErrCodeReused). One TransactWriteItems.
func (st *Store) StartSession(ctx context.Context, tokenHash string, sess account.Session, l Login, now time.Time) error {
	item, err := itemOf(sessionItem(sess), sessionKey(tokenHash))
	if err != nil {
		return err
	}
	steps := []step{
		{
			write: types.TransactWriteItem{Put: &types.Put{
				TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}},
			refusal: refusedWith(ErrExists),
		},
		st.clearGuard(l.Guard, now),
	}
	if l.TOTPStep > 0 {
		steps = append(steps, step{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(st.table),
				Key:                       accountKey(l.Login),
				UpdateExpression:          aws.String("SET totpStep = :step"),
				ConditionExpression:       aws.String("attribute_exists(pk) AND (attribute_not_exists(totpStep) OR totpStep < :step)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":step": n(l.TOTPStep)},
			}},
			refusal: refusedWith(account.ErrCodeReused),
		})
	}
	return st.transact(ctx, "start session", steps...)
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
