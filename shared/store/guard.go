package store

import (
	"context"
	"errors"
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

// AdmitLogin counts one attempt at guard before its password is compared, unless the guard is
// locked or max attempts are counted already (some may still be being checked): then
// account.ErrLocked comes back with the time the lock ends. Max attempts counted and no lock
// written (the last of them failed without locking: its function stopped, or its LockLogin
// did) are a lock that began at the last admission: it ends lockFor later like any other, and
// the count starts again. It returns the attempt's number, 1 to max. One UpdateItem; two when
// the guard had to be started again.
func (st *Store) AdmitLogin(ctx context.Context, guard string, now time.Time, max int, lockFor time.Duration) (int, time.Time, error) {
	for try := 0; try < 3; try++ {
		var until time.Time
		stale := false
		out, err := st.update(ctx, &dynamodb.UpdateItemInput{
			Key:              guardKey(guard),
			UpdateExpression: aws.String("SET attempts = if_not_exists(attempts, :zero) + :one, lastAt = :now, expiresAt = :expires"),
			ConditionExpression: aws.String("attribute_not_exists(pk) OR (expiresAt > :now AND attempts < :max " +
				"AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now))"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":zero": n(0), ":one": n(1), ":max": n(int64(max)), ":now": n(now.Unix()),
				":expires": n(now.Add(GuardLife).Unix()),
			},
			ReturnValues: types.ReturnValueUpdatedNew,
		}, func(old map[string]types.AttributeValue) error {
			if !live(old, now) || !hasN(old, attrExpires) {
				stale = true
				return nil
			}
			if locked := time.Unix(getN(old, "lockedUntil"), 0); locked.After(now) {
				until = locked
				return account.ErrLocked
			}
			if getN(old, "attempts") < int64(max) {
				return nil // the guard changed between the condition and this read: try again
			}
			if until = time.Unix(getN(old, "lastAt"), 0).Add(lockFor); until.After(now) {
				return account.ErrLocked
			}
			stale = true
			return nil
		})
		switch {
		case err != nil:
			return 0, until, err
		case out != nil:
			return int(getN(out, "attempts")), time.Time{}, nil
		case !stale:
			continue
		}
		// An expired guard, or a lock by attempts whose time is over, counts from nothing:
		// start it again, unless another attempt did.
		err = st.put(ctx, &dynamodb.PutItemInput{
			Item: merge(guardKey(guard), map[string]types.AttributeValue{
				"attempts": n(1), "lastAt": n(now.Unix()), attrExpires: n(now.Add(GuardLife).Unix()),
			}),
			ConditionExpression: aws.String("attribute_not_exists(pk) OR attribute_not_exists(expiresAt) OR expiresAt <= :now " +
				"OR (attempts >= :max AND (attribute_not_exists(lastAt) OR lastAt <= :over) " +
				"AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now))"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":now": n(now.Unix()), ":max": n(int64(max)), ":over": n(now.Add(-lockFor).Unix()),
			},
		}, refusedWith(errGuardRestarted))
		if !errors.Is(err, errGuardRestarted) {
			return 1, time.Time{}, err
		}
	}
	return 0, time.Time{}, &BusyError{Op: "admit login", Cause: errors.New("the guard kept changing")}
}

var errGuardRestarted = errors.New("store: guard restarted by another attempt")

// LockLogin locks guard until until and starts its count again: the attempt that was
// admitted last before the limit does it when its password is wrong. One UpdateItem.
func (st *Store) LockLogin(ctx context.Context, guard string, until time.Time) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:              guardKey(guard),
		UpdateExpression: aws.String("SET lockedUntil = :until, attempts = :zero, expiresAt = :expires"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": n(until.Unix()), ":zero": n(0), ":expires": n(until.Add(GuardLife).Unix()),
		},
	}, nil)
	return err
}

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

// ReleaseLogin gives back an attempt counted by AdmitLogin that could not be checked (the
// store was busy): the applicant loses nothing by our failure. One UpdateItem.
func (st *Store) ReleaseLogin(ctx context.Context, guard string) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       guardKey(guard),
		UpdateExpression:          aws.String("ADD attempts :minus"),
		ConditionExpression:       aws.String("attempts > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": n(-1), ":zero": n(0)},
	}, refusedWith(nil)) // a lock or a success started the count again meanwhile
	return err
}
