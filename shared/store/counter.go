package store

import (
	"context"
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
// at the limit. One UpdateItem.
func (st *Store) countUp(ctx context.Context, c counter, max int, expires time.Time) (int, error) {
	out, err := st.db.UpdateItem(ctx, st.countUpInput(c, max, expires))
	if isConditionFailed(err) {
		return max, ErrConflict
	}
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", c.sk, err)
	}
	return int(getN(out.Attributes, "used")), nil
}

func (st *Store) countUpInput(c counter, max int, expires time.Time) *dynamodb.UpdateItemInput {
	return &dynamodb.UpdateItemInput{
		TableName:           aws.String(st.table),
		Key:                 key(c.pk, c.sk),
		UpdateExpression:    aws.String("ADD used :one SET expiresAt = :exp, gsi1pk = :gpk, gsi1sk = :gsk"),
		ConditionExpression: aws.String("attribute_not_exists(used) OR used < :max"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": n(1), ":max": n(int64(max)), ":exp": n(expires.Unix()),
			":gpk": s(counterIndexKey(c.period, c.shard())), ":gsk": s(c.pk + "|" + c.sk),
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	}
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
	out, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		st.table: {Keys: []map[string]types.AttributeValue{key(v.pk, v.sk), key(r.pk, r.sk)}, ConsistentRead: aws.Bool(true)},
	}})
	if err != nil {
		return Usage{}, fmt.Errorf("get usage: %w", err)
	}
	if len(out.UnprocessedKeys) > 0 {
		return Usage{}, fmt.Errorf("get usage: %d keys unprocessed", len(out.UnprocessedKeys[st.table].Keys))
	}
	var u Usage
	for _, item := range out.Responses[st.table] {
		switch getS(item, attrSK) {
		case v.sk:
			u.VerificationsToday = int(getN(item, "used"))
		case r.sk:
			u.ReviewsThisCycle = int(getN(item, "used"))
		}
	}
	return u, nil
}
