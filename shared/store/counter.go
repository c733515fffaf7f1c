package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/quota"
)

// countUp adds one use unless max are counted, and returns the count with it; ErrQuotaFull at
// the limit. One UpdateItem, which creates the period's counter (and lists it in gsi1 for
// the scheduled reset) on its first use.
func (st *Store) countUp(ctx context.Context, c counter, max int, expires time.Time) (int, error) {
	if max < 1 {
		return 0, ErrQuotaFull
	}
	in := c.increment(expires)
	in.ConditionExpression = aws.String(underMax)
	in.ExpressionAttributeValues[":max"] = n(int64(max))
	in.ReturnValues = types.ReturnValueUpdatedNew
	out, err := st.update(ctx, in, refusedWith(ErrQuotaFull))
	if err != nil {
		return 0, err
	}
	return int(getN(out, "used")), nil
}

// underMax holds while a counter has counted fewer than :max uses.
const underMax = "attribute_not_exists(used) OR used < :max"

// increment is the update that counts one use: if_not_exists makes the first use of a period
// the same single write as every later one.
func (c counter) increment(expires time.Time) *dynamodb.UpdateItemInput {
	return c.setUsed("if_not_exists(used, :zero) + :one", map[string]types.AttributeValue{":zero": n(0), ":one": n(1)}, expires)
}

// zeroed is the update that gives back every use counted in the period: the counter, made
// if absent, as a new one would be (its expiry, its index keys), with none used.
func (c counter) zeroed(expires time.Time) *dynamodb.UpdateItemInput {
	return c.setUsed(":zero", map[string]types.AttributeValue{":zero": n(0)}, expires)
}

// setUsed is the update that sets used to value, with the counter's expiry and index keys.
func (c counter) setUsed(value string, values map[string]types.AttributeValue, expires time.Time) *dynamodb.UpdateItemInput {
	values[":expires"] = n(expires.Unix())
	in := &dynamodb.UpdateItemInput{
		Key:                       c.key(),
		UpdateExpression:          aws.String("SET used = " + value + ", expiresAt = :expires"),
		ExpressionAttributeValues: values,
	}
	if !c.brief {
		in.UpdateExpression = aws.String(*in.UpdateExpression + ", gsi1pk = :shard, gsi1sk = :member")
		in.ExpressionAttributeValues[":shard"] = s(counterIndexKey(c.period, c.shard()))
		in.ExpressionAttributeValues[":member"] = s(c.pk + "|" + c.sk)
	}
	return in
}

// countStep is the transaction step that takes a counter from exactly seen uses to seen+1,
// so the caller knows the new count. Its refusal is ErrQuotaFull when the counter has reached
// max, and errCounterMoved when another use was counted meanwhile.
func (st *Store) countStep(c counter, seen, max int, expires time.Time) step {
	in := c.increment(expires)
	cond := "used = :seen"
	if seen == 0 {
		cond = "attribute_not_exists(used) OR used = :seen"
	}
	in.ExpressionAttributeValues[":seen"] = n(int64(seen))
	return step{
		write: st.updateStep(in, cond),
		refusal: func(old map[string]types.AttributeValue) error {
			if int(getN(old, "used")) >= max {
				return ErrQuotaFull
			}
			return errCounterMoved
		},
	}
}

var errCounterMoved = errors.New("store: counter moved")

// limitStep is the transaction step that counts one use unless max are counted already:
// ErrQuotaFull.
func (st *Store) limitStep(c counter, max int, expires time.Time) step {
	in := c.increment(expires)
	in.ExpressionAttributeValues[":max"] = n(int64(max))
	return step{write: st.updateStep(in, underMax), refusal: refusedWith(ErrQuotaFull)}
}

// updateStep is in, held by cond, as an item of a transaction.
func (st *Store) updateStep(in *dynamodb.UpdateItemInput, cond string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(st.table), Key: in.Key, UpdateExpression: in.UpdateExpression,
		ConditionExpression: aws.String(cond), ExpressionAttributeValues: in.ExpressionAttributeValues,
	}}
}

// count reads a counter's uses (0 when there is none). One GetItem.
func (st *Store) count(ctx context.Context, c counter) (int, error) {
	item, err := st.get(ctx, c.key())
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return int(getN(item, "used")), nil
}

// countDown gives back one use that was not made after all.
func (st *Store) countDown(ctx context.Context, c counter) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       c.key(),
		UpdateExpression:          aws.String("ADD used :minus"),
		ConditionExpression:       aws.String("used > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": n(-1), ":zero": n(0)},
	}, refusedWith(nil)) // nothing to give back: a reset cleared it meanwhile
	return err
}

// ReserveSMS counts one SMS to phone on the CST day, unless max have been counted already
// (ErrQuotaFull); it returns the count with this one. One UpdateItem.
func (st *Store) ReserveSMS(ctx context.Context, phone, day string, max int, expires time.Time) (int, error) {
	return st.countUp(ctx, smsDay(phone, day), max, expires)
}

// ReleaseSMS gives back a reservation whose SMS could not be sent.
func (st *Store) ReleaseSMS(ctx context.Context, phone, day string) error {
	return st.countDown(ctx, smsDay(phone, day))
}

// GetUsage reads the applicant's counters for the CST day and the cycle. One BatchGetItem.
func (st *Store) GetUsage(ctx context.Context, login, day, cycle string) (quota.Usage, error) {
	v, r := verifyDay(login, day), reviewCycle(login, cycle)
	items, err := st.getMany(ctx, v.key(), r.key())
	if err != nil {
		return quota.Usage{}, err
	}
	var u quota.Usage
	for _, item := range items {
		switch getS(item, attrSK) {
		case v.sk:
			u.VerificationsToday = int(getN(item, "used"))
		case r.sk:
			u.ReviewsThisCycle = int(getN(item, "used"))
		}
	}
	return u, nil
}

// ClearCounters deletes every counter of an ended period and returns how many there were.
// Running it twice deletes nothing the second time. Per shard: Query pages of gsi1, then
// BatchWriteItem deletes of 25.
func (st *Store) ClearCounters(ctx context.Context, period string) (int, error) {
	cleared := 0
	for shard := 0; shard < CounterShards; shard++ {
		var start map[string]types.AttributeValue
		for {
			out, err := st.query(ctx, "list counters", &dynamodb.QueryInput{
				IndexName:                 aws.String(GSI1),
				KeyConditionExpression:    aws.String("gsi1pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(counterIndexKey(period, shard))},
				ProjectionExpression:      aws.String("pk, sk"),
				ExclusiveStartKey:         start,
			})
			if err != nil {
				return cleared, err
			}
			n, err := st.deleteKeys(ctx, out.Items)
			cleared += n
			if err != nil {
				return cleared, err
			}
			if len(out.LastEvaluatedKey) == 0 {
				break
			}
			start = out.LastEvaluatedKey
		}
	}
	return cleared, nil
}

// deleteKeys deletes the items with these keys in BatchWriteItem calls of 25, sending again
// what DynamoDB leaves unprocessed (it does so when short of capacity).
func (st *Store) deleteKeys(ctx context.Context, items []map[string]types.AttributeValue) (int, error) {
	deleted := 0
	for len(items) > 0 {
		batch := items[:min(25, len(items))]
		items = items[len(batch):]
		reqs := make([]types.WriteRequest, len(batch))
		for i, it := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(getS(it, attrPK), getS(it, attrSK))}}
		}
		for try := 1; len(reqs) > 0; try++ {
			if try > 1 && (try > maxTries || pause(ctx, try-1) != nil) {
				return deleted, &BusyError{Op: "delete counters", Cause: errors.New("deletes still unprocessed")}
			}
			var out *dynamodb.BatchWriteItemOutput
			err := st.do(ctx, "delete counters", func(ctx context.Context) (err error) {
				out, err = st.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{st.table: reqs}})
				return err
			})
			if err != nil {
				return deleted, err
			}
			left := out.UnprocessedItems[st.table]
			deleted += len(reqs) - len(left)
			reqs = left
		}
	}
	return deleted, nil
}

// An hour's SMS counters: per source address, and the deployment's budget. Both are brief
// (no index) and outlive their hour by one.

func hourOf(t time.Time) string { return t.UTC().Format("2006010215") }

// CountAddressSMS counts one SMS asked for from addr in the hour of at, unless max are
// counted (ErrQuotaFull). One UpdateItem.
func (st *Store) CountAddressSMS(ctx context.Context, addr string, at time.Time, max int) error {
	_, err := st.countUp(ctx, addressMinute(addr, "SMSHOUR", hourOf(at)), max, at.Truncate(time.Hour).Add(2*time.Hour))
	return err
}

// ReleaseAddressSMS gives back an address's SMS that did not go out.
func (st *Store) ReleaseAddressSMS(ctx context.Context, addr string, at time.Time) error {
	return st.countDown(ctx, addressMinute(addr, "SMSHOUR", hourOf(at)))
}

// CountSMSBudget counts one SMS against the hour's budget of max (ErrQuotaFull past it). One
// UpdateItem.
func (st *Store) CountSMSBudget(ctx context.Context, at time.Time, max int) error {
	_, err := st.countUp(ctx, smsBudget(hourOf(at)), max, at.Truncate(time.Hour).Add(2*time.Hour))
	return err
}

// ReleaseSMSBudget gives back an SMS of the hour's budget that did not go out.
func (st *Store) ReleaseSMSBudget(ctx context.Context, at time.Time) error {
	return st.countDown(ctx, smsBudget(hourOf(at)))
}

// MarkSMSBudgetReported notes that operators were told the hour's budget is spent; false when
// another request told them first, so that they are told once an hour. One UpdateItem.
func (st *Store) MarkSMSBudgetReported(ctx context.Context, at time.Time) (bool, error) {
	return st.markReported(ctx, smsBudget(hourOf(at)), at)
}

// markReported sets reportedAt on a counter unless it is set: true for the one request that
// set it, which then tells the operators. A counter deleted meanwhile (re-enrolment, the
// scheduled clear) has nothing to report and is not made again: an UpdateItem creates a
// missing item, which here would have no expiresAt and no index keys, and stay for good.
func (st *Store) markReported(ctx context.Context, c counter, at time.Time) (bool, error) {
	errTold := errors.New("told")
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       c.key(),
		UpdateExpression:          aws.String("SET reportedAt = :at"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(reportedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": n(at.Unix())},
	}, refusedWith(errTold))
	if errors.Is(err, errTold) {
		return false, nil
	}
	return err == nil, err
}

// unmarkReported takes back a reportedAt whose telling failed, so that the next refusal
// tells; a counter deleted meanwhile is left deleted (markReported).
func (st *Store) unmarkReported(ctx context.Context, c counter) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                 c.key(),
		UpdateExpression:    aws.String("REMOVE reportedAt"),
		ConditionExpression: aws.String("attribute_exists(pk)"),
	}, refusedWith(nil))
	return err
}

// UnmarkSMSBudgetReported: the operators could not be told; the next refusal of the hour tells.
func (st *Store) UnmarkSMSBudgetReported(ctx context.Context, at time.Time) error {
	return st.unmarkReported(ctx, smsBudget(hourOf(at)))
}

// CountSecondFactor counts one wrong second-factor code of a reviewer's, tried after a right
// password on day, before it is answered: ErrQuotaFull past max. One UpdateItem.
func (st *Store) CountSecondFactor(ctx context.Context, login, day string, max int, expires time.Time) error {
	_, err := st.countUp(ctx, secondFactorDay(login, day), max, expires)
	return err
}

// MarkSecondFactorReported: as MarkSMSBudgetReported, once a day per reviewer.
func (st *Store) MarkSecondFactorReported(ctx context.Context, login, day string, at time.Time) (bool, error) {
	return st.markReported(ctx, secondFactorDay(login, day), at)
}

// UnmarkSecondFactorReported: as UnmarkSMSBudgetReported.
func (st *Store) UnmarkSecondFactorReported(ctx context.Context, login, day string) error {
	return st.unmarkReported(ctx, secondFactorDay(login, day))
}

// CountPhotoCheck counts one photo decoded for login in the hour of at, unless max are
// counted (ErrQuotaFull). One UpdateItem.
func (st *Store) CountPhotoCheck(ctx context.Context, login string, at time.Time, max int) error {
	return st.countHour(ctx, photoHour(login, hourOf(at)), at, max)
}

// UncountPhotoCheck gives back a photo check counted for a submission that never reached
// the decode. One UpdateItem.
func (st *Store) UncountPhotoCheck(ctx context.Context, login string, at time.Time) error {
	return st.countDown(ctx, photoHour(login, hourOf(at)))
}

// CountMobilePhotoCheck counts one photo decoded for a filing proven with phone (E.164) in the
// hour of at, unless max are counted (ErrQuotaFull). One UpdateItem.
func (st *Store) CountMobilePhotoCheck(ctx context.Context, phone string, at time.Time, max int) error {
	return st.countHour(ctx, mobilePhotoHour(phone, hourOf(at)), at, max)
}

// UncountMobilePhotoCheck gives back what CountMobilePhotoCheck counted for a filing that
// never reached the decode. One UpdateItem.
func (st *Store) UncountMobilePhotoCheck(ctx context.Context, phone string, at time.Time) error {
	return st.countDown(ctx, mobilePhotoHour(phone, hourOf(at)))
}

// countHour counts one use of c, a counter of the hour of at, kept until the hour after.
func (st *Store) countHour(ctx context.Context, c counter, at time.Time, max int) error {
	_, err := st.countUp(ctx, c, max, at.Truncate(time.Hour).Add(2*time.Hour))
	return err
}

// CountNotice counts one account-security notice of login's on day, unless max are counted
// (false). One UpdateItem.
func (st *Store) CountNotice(ctx context.Context, login, day string, max int, expires time.Time) (bool, error) {
	_, err := st.countUp(ctx, noticeDay(login, day), max, expires)
	if errors.Is(err, ErrQuotaFull) {
		return false, nil
	}
	return err == nil, err
}

// UncountNotice gives back a notice counted for a change that did not happen. One UpdateItem.
func (st *Store) UncountNotice(ctx context.Context, login, day string) error {
	return st.countDown(ctx, noticeDay(login, day))
}
