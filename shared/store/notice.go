package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Notice is a review decision the applicant has not yet been told of on every channel. It is
// written in the decision's own transaction, so a decision is never without its notice even
// when the function stops right after; it is deleted once SMS and mail have both gone out.
type Notice struct {
	ReviewID    string `dynamodbav:"reviewId"`
	Phone       string `dynamodbav:"phone"` // E.164
	Email       string `dynamodbav:"email"`
	Name        string `dynamodbav:"name"`
	Approve     bool   `dynamodbav:"approve"`
	NameChanged bool   `dynamodbav:"nameChanged"`
	Reason      string `dynamodbav:"reason"`
	// SMS and Mail are the channels still to send.
	SMS  bool `dynamodbav:"sms"`
	Mail bool `dynamodbav:"mail"`
	// LeaseUntil (epoch ms): whoever leased the notice is sending it until then; nobody else.
	LeaseUntil int64 `dynamodbav:"leaseUntil"`
	Attempts   int   `dynamodbav:"attempts"`
	DecidedAt  int64 `dynamodbav:"decidedAt"`
	ExpiresAt  int64 `dynamodbav:"expiresAt"` // epoch s: a notice undelivered for this long is given up
}

const (
	// NoticeLife is how long an undelivered notice is retried.
	NoticeLife = 7 * 24 * time.Hour
	// NoticeLease is how long one sender has a notice to itself: longer than sending an SMS
	// and a mail can take within a function's timeout.
	NoticeLease = 2 * time.Minute
)

// noticePut writes a new notice, leased to the decider until lease: it sends right away,
// and the retry job leaves it alone meanwhile.
func (st *Store) noticePut(nt Notice, lease time.Time) (Notice, *types.Put, error) {
	nt.SMS, nt.Mail, nt.Attempts = true, true, 1
	nt.LeaseUntil = lease.UnixMilli()
	nt.ExpiresAt = time.UnixMilli(nt.DecidedAt).Add(NoticeLife).Unix()
	item, err := itemOf(nt, noticeKey(nt.ReviewID))
	if err != nil {
		return Notice{}, nil, err
	}
	item[attrGSI1PK] = s(indexNotices)
	item[attrGSI1SK] = s(timeOrder(nt.DecidedAt, nt.ReviewID))
	return nt, &types.Put{TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}, nil
}

// noticePage is how many index entries one Query of the notices reads before its filter.
const noticePage = 100

// UndeliveredNotices lists up to limit notices still to send, oldest decision first, that
// are not leased at now. The key condition starts at the oldest decision still within
// NoticeLife, so notices given up on are never read; leased ones are filtered out, and the
// listing pages on until it has limit notices or the index ends, so no number of leased
// notices at its head can hide the ones behind them. One Query of gsi1 per 100 live
// notices read.
func (st *Store) UndeliveredNotices(ctx context.Context, now time.Time, limit int) ([]Notice, error) {
	var out []Notice
	var start map[string]types.AttributeValue
	for len(out) < limit {
		res, err := st.query(ctx, "list notices", &dynamodb.QueryInput{
			IndexName:              aws.String(GSI1),
			KeyConditionExpression: aws.String("gsi1pk = :n AND gsi1sk >= :from"),
			FilterExpression:       aws.String("expiresAt > :s AND leaseUntil < :ms"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":n": s(indexNotices), ":from": s(timeOrder(now.Add(-NoticeLife).UnixMilli(), "")),
				":s": n(now.Unix()), ":ms": n(now.UnixMilli()),
			},
			ExclusiveStartKey: start,
			Limit:             aws.Int32(noticePage),
		})
		if err != nil {
			return nil, err
		}
		notices, err := decodeAll[Notice](res.Items)
		if err != nil {
			return nil, err
		}
		out = append(out, notices...)
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		start = res.LastEvaluatedKey
	}
	return out[:min(limit, len(out))], nil
}

// LeaseNotice takes a notice to send until until, counting the attempt; ErrLeaseHeld when
// someone else holds it, ErrNotFound when it is gone. One UpdateItem.
func (st *Store) LeaseNotice(ctx context.Context, reviewID string, now, until time.Time) (Notice, error) {
	out, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                 noticeKey(reviewID),
		UpdateExpression:    aws.String("SET leaseUntil = :until, attempts = attempts + :one"),
		ConditionExpression: aws.String("attribute_exists(pk) AND expiresAt > :s AND leaseUntil < :ms"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": n(until.UnixMilli()), ":one": n(1), ":s": n(now.Unix()), ":ms": n(now.UnixMilli()),
		},
		ReturnValues: types.ReturnValueAllNew,
	}, func(old map[string]types.AttributeValue) error {
		if live(old, now) {
			return ErrLeaseHeld
		}
		return ErrNotFound
	})
	if err != nil {
		return Notice{}, err
	}
	return decode[Notice](out)
}

// SettleNotice records what is still to send after an attempt and lets the lease go; with
// nothing left, the notice is deleted. One UpdateItem or DeleteItem.
func (st *Store) SettleNotice(ctx context.Context, reviewID string, smsLeft, mailLeft bool) error {
	if !smsLeft && !mailLeft {
		_, err := st.remove(ctx, &dynamodb.DeleteItemInput{Key: noticeKey(reviewID)}, nil)
		return err
	}
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                 noticeKey(reviewID),
		UpdateExpression:    aws.String("SET sms = :sms, mail = :mail, leaseUntil = :zero"),
		ConditionExpression: aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sms": &types.AttributeValueMemberBOOL{Value: smsLeft}, ":mail": &types.AttributeValueMemberBOOL{Value: mailLeft}, ":zero": n(0),
		},
	}, refusedWith(nil)) // delivered and deleted by another run meanwhile
	return err
}
