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
	// SecondFactorDay and SecondFactorMax, for a reviewer: the session holds only while fewer
	// than SecondFactorMax wrong codes are counted on that CST day (ErrQuotaFull).
	SecondFactorDay string
	SecondFactorMax int
}

// StartSession stores a new session and starts the login's guard counting again, in one
// transaction that holds only while, for a reviewer, the day's wrong second-factor codes are
// fewer than the limit (ErrQuotaFull, refused first), no lock began on the guard
// (account.ErrLocked) and, for a reviewer, the code's step is newer than the last accepted
// one (account.ErrCodeReused). One TransactWriteItems.
func (st *Store) StartSession(ctx context.Context, tokenHash string, sess account.Session, l Login, now time.Time) error {
	item, err := itemOf(sessionItem(sess), sessionKey(tokenHash))
	if err != nil {
		return err
	}
	steps := []step{{
		write: types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		refusal: refusedWith(ErrExists),
	}}
	if l.TOTPStep > 0 {
		// The day's count comes before the guard: a right code on a full day is refused as a
		// wrong one is (401), even when a lock began meanwhile, which alone would say 423.
		tries := secondFactorDay(l.Login, l.SecondFactorDay)
		steps = append(steps, step{
			write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
				TableName:                 aws.String(st.table),
				Key:                       tries.key(),
				ConditionExpression:       aws.String("attribute_not_exists(used) OR used < :max"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":max": n(int64(l.SecondFactorMax))},
			}},
			refusal: refusedWith(ErrQuotaFull),
		})
	}
	steps = append(steps, st.clearGuard(l.Guard, now))
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

// ReadSession finds a bearer token's session and the account it is of, as they are, without
// judging either (the caller checks deadlines and epochs): ErrNotFound when the token names
// no session or account. A sealed token names its account, so one BatchGetItem reads both; a
// token issued before the seal takes two GetItems, the session's then the account's.
func (st *Store) ReadSession(ctx context.Context, tok, tokenHash string) (account.Session, account.Account, error) {
	login, sealed, err := st.loginOf(tok)
	if err != nil {
		return account.Session{}, account.Account{}, err
	}
	if !sealed {
		return st.readUnsealedSession(ctx, tokenHash)
	}
	items, err := st.getMany(ctx, sessionKey(tokenHash), accountKey(login))
	if err != nil {
		return account.Session{}, account.Account{}, err
	}
	var sess *sessionItem
	var acct *account.Account
	for _, item := range items {
		switch getS(item, attrSK) {
		case "SESSION":
			it, err := decode[sessionItem](item)
			if err != nil {
				return account.Session{}, account.Account{}, err
			}
			sess = &it
		case "ACCOUNT":
			a, err := decodeAccount(item)
			if err != nil {
				return account.Session{}, account.Account{}, err
			}
			acct = &a
		}
	}
	// A session of another login than its seal names cannot be made by this code; it is no
	// session of the account read.
	if sess == nil || acct == nil || sess.Login != login {
		return account.Session{}, account.Account{}, ErrNotFound
	}
	return account.Session(*sess), *acct, nil
}

func (st *Store) readUnsealedSession(ctx context.Context, tokenHash string) (account.Session, account.Account, error) {
	item, err := st.get(ctx, sessionKey(tokenHash))
	if err != nil {
		return account.Session{}, account.Account{}, err
	}
	sess, err := decode[sessionItem](item)
	if err != nil {
		return account.Session{}, account.Account{}, err
	}
	acct, err := st.GetAccount(ctx, sess.Login)
	return account.Session(sess), acct, err
}

// SlideSession moves a live session's idle deadline to now+idle; a session past either
// deadline, or gone, is ErrNotFound. One conditional UpdateItem.
func (st *Store) SlideSession(ctx context.Context, tokenHash string, now time.Time, idle time.Duration) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                 sessionKey(tokenHash),
		UpdateExpression:    aws.String("SET idleUntil = :idle"),
		ConditionExpression: aws.String("attribute_exists(pk) AND expiresAt > :now AND idleUntil > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":idle": n(now.Add(idle).Unix()), ":now": n(now.Unix()),
		},
	}, refusedWith(ErrNotFound))
	return err
}

// EndSession deletes a session. A session gone already is ended all the same: another
// logout or a change ended it after the caller read it, or this call's own first attempt
// did and its reply was lost (the SDK sends a DeleteItem again). One DeleteItem.
func (st *Store) EndSession(ctx context.Context, tokenHash string) error {
	_, err := st.remove(ctx, &dynamodb.DeleteItemInput{Key: sessionKey(tokenHash)}, nil)
	return err
}
