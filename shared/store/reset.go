package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Reset is recovery step 1's result: the account matched, where to reach its holder, and the
// password epoch it was made in. Its id is handed to the applicant.
type Reset struct {
	ID        string `dynamodbav:"-"`
	Login     string `dynamodbav:"login"`
	Name      string `dynamodbav:"name"`
	Epoch     int64  `dynamodbav:"epoch"`
	Phone     string `dynamodbav:"phone"`
	Email     string `dynamodbav:"email"`
	Mails     int    `dynamodbav:"mails"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// PutReset stores a new reset. One PutItem.
func (st *Store) PutReset(ctx context.Context, r Reset) error {
	item, err := itemOf(r, resetKey(r.ID))
	if err != nil {
		return err
	}
	return st.create(ctx, item)
}

// GetReset reads a live reset. One GetItem.
func (st *Store) GetReset(ctx context.Context, id string, now time.Time) (Reset, error) {
	item, err := st.get(ctx, resetKey(id))
	if err == nil && !live(item, now) {
		err = ErrNotFound
	}
	if err != nil {
		return Reset{}, err
	}
	return decodeReset(id, item)
}

func decodeReset(id string, item map[string]types.AttributeValue) (Reset, error) {
	r, err := decode[Reset](item)
	r.ID = id
	return r, err
}

// ErrMailsUsedUp is a reset that has sent all the mails it may.
var ErrMailsUsedUp = errors.New("store: reset mails used up")

// CountResetMail counts one reset mail for a live reset unless max have gone, and returns the
// reset. ErrNotFound: no live reset; ErrMailsUsedUp: its mails are used up. One UpdateItem.
func (st *Store) CountResetMail(ctx context.Context, id string, now time.Time, max int) (Reset, error) {
	out, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       resetKey(id),
		UpdateExpression:          aws.String("ADD mails :one"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND expiresAt > :now AND mails < :max"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":now": n(now.Unix()), ":max": n(int64(max))},
		ReturnValues:              types.ReturnValueAllNew,
	}, func(old map[string]types.AttributeValue) error {
		if !live(old, now) {
			return ErrNotFound
		}
		return ErrMailsUsedUp
	})
	if err != nil {
		return Reset{}, err
	}
	return decodeReset(id, out)
}

// UncountResetMail gives back a mail that could not be sent.
func (st *Store) UncountResetMail(ctx context.Context, id string) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       resetKey(id),
		UpdateExpression:          aws.String("ADD mails :minus"),
		ConditionExpression:       aws.String("mails > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": n(-1), ":zero": n(0)},
	}, refusedWith(nil)) // the reset expired meanwhile
	return err
}

// ResetLink is an e-mailed reset link, stored under the hash of its token only.
type ResetLink struct {
	Login     string `dynamodbav:"login"`
	Epoch     int64  `dynamodbav:"epoch"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// PutResetLink stores a link. One PutItem.
func (st *Store) PutResetLink(ctx context.Context, tokenHash string, l ResetLink) error {
	item, err := itemOf(l, resetLinkKey(tokenHash))
	if err != nil {
		return err
	}
	return st.create(ctx, item)
}

// DeleteResetLink removes a link that was never sent.
func (st *Store) DeleteResetLink(ctx context.Context, tokenHash string) error {
	_, err := st.remove(ctx, &dynamodb.DeleteItemInput{Key: resetLinkKey(tokenHash)}, nil)
	return err
}

// GetResetLink reads a live link. One GetItem.
func (st *Store) GetResetLink(ctx context.Context, tokenHash string, now time.Time) (ResetLink, error) {
	item, err := st.get(ctx, resetLinkKey(tokenHash))
	if err == nil && !live(item, now) {
		err = ErrNotFound
	}
	if err != nil {
		return ResetLink{}, err
	}
	return decode[ResetLink](item)
}

// Completion is a password reset about to be applied, and the proof being spent for it:
// a link's token hash, or a reset's SMS code.
type Completion struct {
	Login        string
	Epoch        int64 // the epoch the proof was made in
	PasswordHash string
	LinkHash     string
	ResetID      string
	Code         CodeKey
	CodeHash     []byte
}

// CompleteReset sets the new password, lifts any lock, and moves the account's epoch on,
// which ends every session and voids every other link and code of the account, in the same
// transaction that spends the proof. It holds only if the epoch has not moved since the proof
// was made: of two completions racing, one wins and the other gets ErrEpochMoved, or
// ErrProofSpent when they raced with the same proof. One TransactWriteItems.
func (st *Store) CompleteReset(ctx context.Context, c Completion, now time.Time) error {
	steps := []step{{
		write: types.TransactWriteItem{Update: &types.Update{
			TableName:           aws.String(st.table),
			Key:                 accountKey(c.Login),
			UpdateExpression:    aws.String("SET passwordHash = :ph, failedLogins = :zero ADD epoch :one REMOVE lockedUntil"),
			ConditionExpression: aws.String("attribute_exists(pk) AND epoch = :epoch AND #role = :applicant"),
			ExpressionAttributeNames: map[string]string{
				"#role": "role",
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":ph": s(c.PasswordHash), ":zero": n(0), ":one": n(1), ":epoch": n(c.Epoch), ":applicant": s(RoleApplicant),
			},
		}},
		refusal: func(old map[string]types.AttributeValue) error {
			if len(old) == 0 || getS(old, "role") != RoleApplicant {
				return ErrNotFound
			}
			return ErrEpochMoved
		},
	}}
	spendLive := func(k map[string]types.AttributeValue) step {
		return step{
			write: types.TransactWriteItem{Delete: &types.Delete{
				TableName: aws.String(st.table), Key: k,
				ConditionExpression:       aws.String("attribute_exists(pk) AND expiresAt > :now"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":now": n(now.Unix())},
			}},
			refusal: refusedWith(ErrProofSpent),
		}
	}
	switch {
	case c.LinkHash != "":
		steps = append(steps, spendLive(resetLinkKey(c.LinkHash)))
	case c.ResetID != "":
		steps = append(steps, st.spendCode(c.Code, c.CodeHash, "reset", now), spendLive(resetKey(c.ResetID)))
	default:
		return errors.New("store: a completion needs a link or a code")
	}
	return st.transact(ctx, "complete reset", steps...)
}
