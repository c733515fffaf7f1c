package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/account"
)

func accountItemFor(a account.Account) (map[string]types.AttributeValue, error) {
	return itemOf(accountItemOf(a), accountKey(a.Login))
}

func decodeAccount(item map[string]types.AttributeValue) (account.Account, error) {
	it, err := decode[accountItem](item)
	return it.account(), err
}

// RegisterAccount creates an applicant's account and spends the SMS code that proves the
// mobile, in one transaction: both happen or neither does. account.ErrExists wins over a code
// that is no longer spendable (ErrCodeSpent), so a double submission reads as what it is.
func (st *Store) RegisterAccount(ctx context.Context, a account.Account, code CodeKey, codeHash []byte, now time.Time) error {
	item, err := accountItemFor(a)
	if err != nil {
		return err
	}
	return st.transact(ctx, "register account",
		step{
			write: types.TransactWriteItem{Put: &types.Put{
				TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}},
			refusal: refusedWith(account.ErrExists),
		},
		st.spendCode(code, codeHash, a.Login, now))
}

// CreateAccount creates an account with no code to spend: reviewers, made by an operator.
func (st *Store) CreateAccount(ctx context.Context, a account.Account) error {
	item, err := accountItemFor(a)
	if err != nil {
		return err
	}
	if err := st.create(ctx, item); errors.Is(err, ErrExists) {
		return account.ErrExists
	} else if err != nil {
		return err
	}
	return nil
}

// GetAccount reads an account by its login. One GetItem.
func (st *Store) GetAccount(ctx context.Context, login string) (account.Account, error) {
	item, err := st.get(ctx, accountKey(login))
	if err != nil {
		return account.Account{}, err
	}
	return decodeAccount(item)
}

// ReenrollReviewer gives a reviewer a new password and second factor: every session of the
// reviewer ends (the epoch moves on), no code of the old factor is accepted, and the day's
// count of wrong codes starts again, in one transaction. ErrNotFound for no reviewer.
func (st *Store) ReenrollReviewer(ctx context.Context, login, passwordHash, otpSecret, day string) error {
	return st.transact(ctx, "reenroll reviewer", step{
		write: types.TransactWriteItem{Update: &types.Update{
			TableName:                aws.String(st.table),
			Key:                      accountKey(login),
			UpdateExpression:         aws.String("SET passwordHash = :ph, totpSecret = :secret ADD epoch :one REMOVE totpStep"),
			ConditionExpression:      aws.String("attribute_exists(pk) AND #role = :reviewer"),
			ExpressionAttributeNames: map[string]string{"#role": "role"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":ph": s(passwordHash), ":secret": s(otpSecret), ":one": n(1), ":reviewer": s(account.RoleReviewer),
			},
		}},
		refusal: refusedWith(ErrNotFound),
	}, step{
		write: types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(st.table), Key: secondFactorDay(login, day).key()}},
	})
}
