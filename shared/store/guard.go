package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/account"
)

// A login guard counts the attempts at one login name (or, for names that are no document
// number, one name from one source address) whether or not an account has that name, so that
// a lockout says nothing of which names exist. Its item holds attempts (admitted since the
// last success or lock), lastAt (the last admission, epoch seconds) and lockedUntil; it
// expires GuardLife after its last attempt, and an expired guard counts from nothing.
const GuardLife = 24 * time.Hour

// AdmitLoginSpending counts one attempt at guard before its password is compared, unless the
// guard is locked or max attempts are counted already (some may still be being checked):
// then account.ErrLocked comes back with the time the lock ends. Max attempts counted and no
// lock written (the last of them failed without locking: its function stopped, or its
// LockLoginIfFull did) are a lock that began at the last admission: it ends lockFor later
// like any other, and the count starts again. It records the slider captchaID as used in the
// same transaction: neither happens without the other, so a slider used
// already (ErrNotFound) never reaches the count, and a login is one round trip before its
// password. A transaction gives back no count: a wrong password locks with LockLoginIfFull.
// A refusal by the lock spends the slider all the same (one more write).
func (st *Store) AdmitLoginSpending(ctx context.Context, guard string, now time.Time, max int, lockFor time.Duration, captchaID string, c Captcha) (time.Time, error) {
	until, err := st.admitWith(ctx, "admit login", guard, now, max, lockFor, st.spendCaptchaStep(captchaID, c))
	if errors.Is(err, account.ErrLocked) {
		if serr := st.SpendCaptcha(ctx, captchaID, c); serr != nil && !errors.Is(serr, ErrNotFound) {
			return until, serr
		}
	}
	return until, err
}

// AdmitLoginInSession counts one attempt at login's guard as AdmitLoginSpending does (no
// slider), only while the session of tokenHash is live (its item there, neither its lifetime
// nor its idle deadline passed; ErrNotFound otherwise) and the account is still in the
// password epoch given (ErrAccountMoved otherwise): refused, it counts nothing. The current
// password asked by a session's change is counted so, alongside the session's read, with the
// epoch its token's seal names: a token whose session has ended, or was voided by a password
// changed or reset elsewhere, cannot hold its account's login guard with counts of its own,
// even for as long as they are in flight. One transaction; a wrong password locks with
// LockLoginIfFull.
func (st *Store) AdmitLoginInSession(ctx context.Context, login, tokenHash string, epoch int64, now time.Time, max int, lockFor time.Duration) (time.Time, error) {
	live := step{
		write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName:                 aws.String(st.table),
			Key:                       sessionKey(tokenHash),
			ConditionExpression:       aws.String("attribute_exists(pk) AND expiresAt > :now AND idleUntil > :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": n(now.Unix())},
		}},
		refusal: refusedWith(ErrNotFound),
	}
	inEpoch := step{
		write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName:                 aws.String(st.table),
			Key:                       accountKey(login),
			ConditionExpression:       aws.String("epoch = :epoch"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":epoch": n(epoch)},
		}},
		refusal: refusedWith(ErrAccountMoved),
	}
	return st.admitWith(ctx, "admit login in session", login, now, max, lockFor, live, inEpoch)
}

// admitWith counts one attempt at guard in one transaction with with, whose refusals come
// first, in order; a guard expired or past its implied lock is started again from one attempt.
func (st *Store) admitWith(ctx context.Context, op, guard string, now time.Time, max int, lockFor time.Duration, with ...step) (time.Time, error) {
	for try := 0; try < 3; try++ {
		a := admission{now: now, max: max, lockFor: lockFor}
		count := a.update(guard)
		count.TableName = aws.String(st.table)
		err := st.transact(ctx, op, append(slices.Clip(with), step{write: types.TransactWriteItem{Update: count}, refusal: a.refusal})...)
		switch {
		case errors.Is(err, errGuardMoved):
			continue
		case errors.Is(err, errGuardStale):
			restart := a.restart(guard)
			err = st.transact(ctx, "restart login guard", append(slices.Clip(with), step{
				write:   types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.table), Item: restart.Item, ConditionExpression: restart.ConditionExpression, ExpressionAttributeValues: restart.ExpressionAttributeValues}},
				refusal: refusedWith(errGuardRestarted),
			})...)
			if errors.Is(err, errGuardRestarted) {
				continue
			}
			return time.Time{}, err
		case errors.Is(err, account.ErrLocked):
			return a.until, err
		}
		return time.Time{}, err
	}
	return time.Time{}, &BusyError{Op: op, Cause: errors.New("the guard kept changing")}
}

// admission is one attempt's count at a guard, and what a refusal of it said.
type admission struct {
	now     time.Time
	max     int
	lockFor time.Duration
	until   time.Time // set by a refusal for a lock: when it ends
}

var (
	errGuardMoved = errors.New("store: guard changed between its condition and its read")
	errGuardStale = errors.New("store: guard expired or its implied lock ended")
)

// update counts the attempt: the guard is absent, or live, unlocked and under max.
func (a *admission) update(guard string) *types.Update {
	return &types.Update{
		Key:              guardKey(guard),
		UpdateExpression: aws.String("SET attempts = if_not_exists(attempts, :zero) + :one, lastAt = :now, expiresAt = :expires"),
		ConditionExpression: aws.String("attribute_not_exists(pk) OR (expiresAt > :now AND attempts < :max " +
			"AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now))"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":zero": n(0), ":one": n(1), ":max": n(int64(a.max)), ":now": n(a.now.Unix()),
			":expires": n(a.now.Add(GuardLife).Unix()),
		},
	}
}

// refusal reads the guard that refused the count: locked (account.ErrLocked, a.until), to be
// started again (errGuardStale), or changed since (errGuardMoved).
func (a *admission) refusal(old map[string]types.AttributeValue) error {
	if !live(old, a.now) || !hasN(old, attrExpires) {
		return errGuardStale
	}
	if locked := time.Unix(getN(old, "lockedUntil"), 0); locked.After(a.now) {
		a.until = locked
		return account.ErrLocked
	}
	if getN(old, "attempts") < int64(a.max) {
		return errGuardMoved
	}
	if a.until = time.Unix(getN(old, "lastAt"), 0).Add(a.lockFor); a.until.After(a.now) {
		return account.ErrLocked
	}
	return errGuardStale
}

// restart starts an expired guard, or one whose implied lock is over, again from one
// attempt, unless another attempt did.
func (a *admission) restart(guard string) *dynamodb.PutItemInput {
	return &dynamodb.PutItemInput{
		Item: merge(guardKey(guard), map[string]types.AttributeValue{
			"attempts": n(1), "lastAt": n(a.now.Unix()), attrExpires: n(a.now.Add(GuardLife).Unix()),
		}),
		ConditionExpression: aws.String("attribute_not_exists(pk) OR attribute_not_exists(expiresAt) OR expiresAt <= :now " +
			"OR (attempts >= :max AND (attribute_not_exists(lastAt) OR lastAt <= :over) " +
			"AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now))"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": n(a.now.Unix()), ":max": n(int64(a.max)), ":over": n(a.now.Add(-a.lockFor).Unix()),
		},
	}
}

var errGuardRestarted = errors.New("store: guard restarted by another attempt")

// clearGuard is the transaction step of a successful login: the guard is deleted, so the
// count starts from nothing, provided no lock began while the password was being checked
// (account.ErrLocked). A guard deleted meanwhile (a reset completed) stays deleted.
func (st *Store) clearGuard(guard string, now time.Time) step {
	return step{
		write: types.TransactWriteItem{Delete: &types.Delete{
			TableName:                 aws.String(st.table),
			Key:                       guardKey(guard),
			ConditionExpression:       aws.String("attribute_not_exists(lockedUntil) OR lockedUntil <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": n(now.Unix())},
		}},
		refusal: refusedWith(account.ErrLocked),
	}
}

// LockLoginIfFull locks guard until until and starts its count again, if max attempts are
// counted and no lock is on: a wrong password admitted by AdmitLoginSpending, which cannot
// know its attempt's number, locks when the count is full. It says whether it locked. One
// UpdateItem.
func (st *Store) LockLoginIfFull(ctx context.Context, guard string, now, until time.Time, max int) (bool, error) {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                 guardKey(guard),
		UpdateExpression:    aws.String("SET lockedUntil = :until, attempts = :zero, expiresAt = :expires"),
		ConditionExpression: aws.String("attempts >= :max AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": n(until.Unix()), ":zero": n(0), ":expires": n(until.Add(GuardLife).Unix()),
			":max": n(int64(max)), ":now": n(now.Unix()),
		},
	}, refusedWith(errNotFull))
	if errors.Is(err, errNotFull) {
		return false, nil
	}
	return err == nil, err
}

var errNotFull = errors.New("store: fewer attempts than the limit, or locked already")

// ReleaseLogin gives back an attempt counted by AdmitLoginSpending or AdmitLoginInSession
// that could not be checked (the store was busy), or a right password's: the applicant loses
// nothing by our failure. One UpdateItem.
func (st *Store) ReleaseLogin(ctx context.Context, guard string) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       guardKey(guard),
		UpdateExpression:          aws.String("ADD attempts :minus"),
		ConditionExpression:       aws.String("attempts > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": n(-1), ":zero": n(0)},
	}, refusedWith(nil)) // a lock or a success started the count again meanwhile
	return err
}
