package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/account"
)

// Change is a logged-in applicant's change of a credential: a new password hash or a new
// mobile (with the code that proved it). Epoch is the account's password epoch as read; the
// change raises it, which ends every other session and voids every reset link and code (but a
// WeChat one, which holds by its binding), and
// moves the session that made the change (SessionHash) to the new epoch so that it goes on.
type Change struct {
	Login        string
	Epoch        int64
	SessionHash  string
	PasswordHash string
	Phone        string
	Email        string
	Code         CodeKey
	CodeHash     []byte
}

// ErrAccountMoved is a change made on an account that changed meanwhile (another change, a
// completed reset): the caller's session has ended with it.
var ErrAccountMoved = errors.New("store: account changed meanwhile")

// ChangeCredential applies c in one transaction: the account (if its epoch is still c.Epoch),
// the session's epoch and, for a mobile, the code's spending. One TransactWriteItems.
func (st *Store) ChangeCredential(ctx context.Context, c Change, now time.Time) error {
	set := []string{"epoch = :next"}
	values := map[string]types.AttributeValue{":epoch": n(c.Epoch), ":next": n(c.Epoch + 1), ":applicant": s(account.RoleApplicant)}
	if c.PasswordHash != "" {
		set = append(set, "passwordHash = :ph")
		values[":ph"] = s(c.PasswordHash)
	}
	remove := ""
	if c.Phone != "" {
		set = append(set, "phone = :phone")
		values[":phone"] = s(c.Phone)
		remove = " REMOVE phoneUnproven" // proven by the code now spent
	}
	if c.Email != "" {
		set = append(set, "email = :email")
		values[":email"] = s(c.Email)
	}
	steps := []step{
		{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(st.table),
				Key:                       accountKey(c.Login),
				UpdateExpression:          aws.String("SET " + strings.Join(set, ", ") + remove),
				ConditionExpression:       aws.String("epoch = :epoch AND #role = :applicant"),
				ExpressionAttributeNames:  map[string]string{"#role": "role"},
				ExpressionAttributeValues: values,
			}},
			refusal: refusedWith(ErrAccountMoved),
		},
		{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(st.table),
				Key:                       sessionKey(c.SessionHash),
				UpdateExpression:          aws.String("SET epoch = :next"),
				ConditionExpression:       aws.String("attribute_exists(pk)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":next": n(c.Epoch + 1)},
			}},
			refusal: refusedWith(ErrAccountMoved), // logged out meanwhile
		},
	}
	if c.CodeHash != nil {
		steps = append(steps, st.spendCode(c.Code, c.CodeHash, c.Login, now))
	}
	return st.transact(ctx, "change credential", steps...)
}

// CountEmailCode counts one code mailed for login's new address on day, unless max have
// been (ErrQuotaFull); it returns the count with this one. One UpdateItem.
func (st *Store) CountEmailCode(ctx context.Context, login, day string, max int, expires time.Time) (int, error) {
	return st.countUp(ctx, emailCodeDay(login, day), max, expires)
}

// UncountEmailCode gives back a code whose mail could not be sent.
func (st *Store) UncountEmailCode(ctx context.Context, login, day string) error {
	return st.countDown(ctx, emailCodeDay(login, day))
}
