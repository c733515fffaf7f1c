package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A counter counts uses of a quota in one period (a CST day, a half-year cycle). Each period
// has its own item, so a counter of an ended period never blocks anyone; it expires by TTL a
// day after its period, and the scheduled reset finds and clears it earlier through gsi1,
// where counters are listed by period in CounterShards partitions.
type counter struct {
	pk, sk string
	period string
}

// CounterShards spreads one period's counters over this many gsi1 partitions, so a busy day
// does not make one hot index partition.
const CounterShards = 16

func counterIndexKey(period string, shard int) string {
	return "COUNTERS#" + period + "#" + strconv.Itoa(shard)
}

func (c counter) shard() int {
	h := fnv.New32a()
	h.Write([]byte(c.pk))
	return int(h.Sum32() % CounterShards)
}

func smsDay(phone, day string) counter {
	return counter{pk: "PHONE#" + phone, sk: "SMSDAY#" + day, period: day}
}

func verifyDay(login, day string) counter {
	return counter{pk: "ACCOUNT#" + login, sk: "VERIFYDAY#" + day, period: day}
}

func reviewCycle(login, cycle string) counter {
	return counter{pk: "ACCOUNT#" + login, sk: "REVIEWCYCLE#" + cycle, period: cycle}
}

// countUp adds one use unless max are counted, and returns the count with it; ErrConflict
// at the limit. The first use of a period creates the counter with a conditional PutItem and
// later uses add to it with a conditional UpdateItem: one round trip for the first use, two
// for later ones. (An UpdateItem that creates an item with index keys corrupts minidyn's
// index, which `make run` and the tests use; a PutItem does not.)
func (st *Store) countUp(ctx context.Context, c counter, max int, expires time.Time) (int, error) {
	if max < 1 {
		return 0, ErrConflict
	}
	err := st.create(ctx, c.item(1, expires))
	if err == nil {
		return 1, nil
	}
	if !errors.Is(err, ErrConflict) {
		return 0, err
	}
	out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.table),
		Key:                       key(c.pk, c.sk),
		UpdateExpression:          aws.String("ADD used :one"),
		ConditionExpression:       aws.String("used < :max"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":max": n(int64(max))},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if isConditionFailed(err) {
		return max, ErrConflict
	}
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", c.sk, err)
	}
	return int(getN(out.Attributes, "used")), nil
}

// item is the counter as first written, listed in gsi1 under its period.
func (c counter) item(used int, expires time.Time) map[string]types.AttributeValue {
	it := key(c.pk, c.sk)
	it["used"] = n(int64(used))
	it[attrExpires] = n(expires.Unix())
	it[attrGSI1PK] = s(counterIndexKey(c.period, c.shard()))
	it[attrGSI1SK] = s(c.pk + "|" + c.sk)
	return it
}

// countStep is the transaction step that takes a counter from exactly seen uses to seen+1:
// it fails if anything else counted meanwhile, so the caller knows the new count exactly.
func (st *Store) countStep(c counter, seen int, expires time.Time) types.TransactWriteItem {
	if seen == 0 {
		return types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(st.table), Item: c.item(1, expires),
			ConditionExpression:       aws.String("attribute_not_exists(pk) OR used = :zero"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":zero": n(0)},
		}}
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(st.table),
		Key:                       key(c.pk, c.sk),
		UpdateExpression:          aws.String("ADD used :one"),
		ConditionExpression:       aws.String("used = :seen"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":seen": n(int64(seen))},
	}}
}

// count reads a counter's uses (0 when there is none). One GetItem.
func (st *Store) count(ctx context.Context, c counter) (int, error) {
	item, err := st.get(ctx, key(c.pk, c.sk))
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
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.table),
		Key:                       key(c.pk, c.sk),
		UpdateExpression:          aws.String("ADD used :minus"),
		ConditionExpression:       aws.String("used > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": n(-1), ":zero": n(0)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("give back %s: %w", c.sk, err)
	}
	return nil
}

// ReserveSMS counts one SMS to phone on the CST day, unless max have been counted already;
// it returns the count with this one. One UpdateItem.
func (st *Store) ReserveSMS(ctx context.Context, phone, day string, max int, expires time.Time) (int, error) {
	return st.countUp(ctx, smsDay(phone, day), max, expires)
}

// ReleaseSMS gives back a reservation whose SMS could not be sent.
func (st *Store) ReleaseSMS(ctx context.Context, phone, day string) error {
	return st.countDown(ctx, smsDay(phone, day))
}

// Usage is how much of an applicant's verification quotas is used in the current periods.
type Usage struct {
	VerificationsToday int
	ReviewsThisCycle   int
}

// GetUsage reads the applicant's counters for the CST day and the cycle. One BatchGetItem.
func (st *Store) GetUsage(ctx context.Context, login, day, cycle string) (Usage, error) {
	v, r := verifyDay(login, day), reviewCycle(login, cycle)
	items, err := st.getMany(ctx, key(v.pk, v.sk), key(r.pk, r.sk))
	if err != nil {
		return Usage{}, err
	}
	var u Usage
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
			out, err := st.db.Query(ctx, &dynamodb.QueryInput{
				TableName:                 aws.String(st.table),
				IndexName:                 aws.String(GSI1),
				KeyConditionExpression:    aws.String("gsi1pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(counterIndexKey(period, shard))},
				ProjectionExpression:      aws.String("pk, sk"),
				ExclusiveStartKey:         start,
			})
			if err != nil {
				return cleared, fmt.Errorf("list counters of %s: %w", period, err)
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

func (st *Store) deleteKeys(ctx context.Context, items []map[string]types.AttributeValue) (int, error) {
	deleted := 0
	for len(items) > 0 {
		batch := items[:min(25, len(items))]
		items = items[len(batch):]
		reqs := make([]types.WriteRequest, len(batch))
		for i, it := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(getS(it, attrPK), getS(it, attrSK))}}
		}
		for attempt := 0; len(reqs) > 0; attempt++ {
			if attempt == 5 {
				return deleted, fmt.Errorf("delete counters: %d still unprocessed", len(reqs))
			}
			out, err := st.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{st.table: reqs}})
			if err != nil {
				return deleted, fmt.Errorf("delete counters: %w", err)
			}
			left := out.UnprocessedItems[st.table]
			deleted += len(reqs) - len(left)
			reqs = left
			if len(reqs) > 0 {
				time.Sleep(time.Duration(50<<attempt) * time.Millisecond)
			}
		}
	}
	return deleted, nil
}
