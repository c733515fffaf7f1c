package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/casework"
)

// noticePut is the write of a new notice, listed in gsi1 by its decision's time.
func (st *Store) noticePut(nt casework.Notice) (*types.Put, error) {
	item, err := itemOf(noticeItem(nt), noticeKey(nt.ReviewID))
	if err != nil {
		return nil, err
	}
	item[attrGSI1PK] = s(indexNotices)
	item[attrGSI1SK] = s(timeOrder(nt.DecidedAt, nt.ReviewID))
	return &types.Put{TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}, nil
}

// noticePage is how many index entries one Query of the notices reads before its filter.
const noticePage = 100

// UndeliveredNotices lists up to limit notices still to send, oldest decision first, that
// are not leased at now. The key condition starts at the oldest decision still within
// NoticeLife, so notices given up on are never read; leased ones are filtered out, and the
// listing pages on until it has limit notices or the index ends, so no number of leased
// notices at its head can hide the ones behind them. One Query of gsi1 per 100 live
// notices read.
func (st *Store) UndeliveredNotices(ctx context.Context, now time.Time, limit int) ([]casework.Notice, error) {
	var out []casework.Notice
	var start map[string]types.AttributeValue
	for len(out) < limit {
		res, err := st.query(ctx, "list notices", &dynamodb.QueryInput{
			IndexName:              aws.String(GSI1),
			KeyConditionExpression: aws.String("gsi1pk = :n AND gsi1sk >= :from"),
			FilterExpression:       aws.String("expiresAt > :s AND leaseUntil < :ms"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":n": s(indexNotices), ":from": s(timeOrder(now.Add(-casework.NoticeLife).UnixMilli(), "")),
				":s": n(now.Unix()), ":ms": n(now.UnixMilli()),
			},
			ExclusiveStartKey: start,
			Limit:             aws.Int32(noticePage),
		})
		if err != nil {
			return nil, err
		}
		items, err := decodeAll[noticeItem](res.Items)
		if err != nil {
			return nil, err
		}
		out = append(out, convertAll(items, func(it noticeItem) casework.Notice { return casework.Notice(it) })...)
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		start = res.LastEvaluatedKey
	}
	return out[:min(limit, len(out))], nil
}

// LeaseNotice takes a notice to send until until, counting the attempt; casework.ErrLeaseHeld when
// someone else holds it, ErrNotFound when it is gone. One UpdateItem.
func (st *Store) LeaseNotice(ctx context.Context, reviewID string, now, until time.Time) (casework.Notice, error) {
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
			return casework.ErrLeaseHeld
		}
		return ErrNotFound
	})
	if err != nil {
		return casework.Notice{}, err
	}
	it, err := decode[noticeItem](out)
	return casework.Notice(it), err
}

// SettleNotice records what is still to send after an attempt, not to be tried again before
// retryAt; with nothing left, the notice is deleted. One UpdateItem or DeleteItem.
func (st *Store) SettleNotice(ctx context.Context, reviewID string, left casework.Channels, retryAt time.Time) error {
	if left.None() {
		_, err := st.remove(ctx, &dynamodb.DeleteItemInput{Key: noticeKey(reviewID)}, nil)
		return err
	}
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                 noticeKey(reviewID),
		UpdateExpression:    aws.String("SET sms = :sms, mail = :mail, oldSms = :oldSms, oldMail = :oldMail, leaseUntil = :retry"),
		ConditionExpression: aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sms": boolean(left.SMS), ":mail": boolean(left.Mail), ":oldSms": boolean(left.OldSMS), ":oldMail": boolean(left.OldMail),
			":retry": n(retryAt.UnixMilli()),
		},
	}, refusedWith(nil)) // delivered and deleted by another run meanwhile
	return err
}

func boolean(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }
