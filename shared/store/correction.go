package store

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/quota"
)

// FileCorrection stores a pending contact correction or ownership claim on the account r
// names, with its photo, marks the account (one pending at a time), counts it against the
// document number's quota for the cycle and spends the code that proved the new mobile, in
// one transaction. It returns the uses counted with this one: ErrQuotaFull when the quota
// was used up, account.ErrCorrectionPending while another is pending, ErrCodeSpent when the
// code was used meanwhile. One round trip (the transaction) with q.Seen, the count read
// alongside the caller's other reads (ReadForCorrection); two without it (the counter's
// read, then the transaction). A count that moved since it was read is read again.
func (st *Store) FileCorrection(ctx context.Context, r casework.Review, photo []byte, code CodeKey, codeHash []byte, q quota.Limit, now time.Time) (int, error) {
	c := correctionCycle(r.Login, q.Period)
	for attempt := 0; attempt < 3; attempt++ {
		var used int
		var err error
		if attempt == 0 && q.Seen != nil {
			used = *q.Seen
		} else if used, err = st.count(ctx, c); err != nil {
			return 0, err
		}
		if used >= q.Max {
			return used, ErrQuotaFull
		}
		filed, err := st.pendingReview(r, photo)
		if err != nil {
			return 0, err
		}
		mark := step{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(st.table),
				Key:                       accountKey(r.Login),
				UpdateExpression:          aws.String("SET correctionId = :id"),
				ConditionExpression:       aws.String("#role = :applicant AND attribute_not_exists(correctionId)"),
				ExpressionAttributeNames:  map[string]string{"#role": "role"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":id": s(r.ID), ":applicant": s(account.RoleApplicant)},
			}},
			refusal: func(old map[string]types.AttributeValue) error {
				if len(old) == 0 {
					return ErrNotFound
				}
				now, err := decodeAccount(old)
				if err != nil {
					return err
				}
				// The condition asks for no correctionId at all; one stored empty is one.
				return cmp.Or(now.MayBeCorrected(), account.ErrCorrectionPending)
			},
		}
		err = st.transact(ctx, "file correction", append(filed, mark,
			st.countStep(c, used, q.Max, q.Expires),
			st.spendCode(code, codeHash, "review:"+r.ID, now))...)
		if errors.Is(err, errCounterMoved) {
			continue
		}
		if err != nil {
			return 0, err
		}
		return used + 1, nil
	}
	return 0, &BusyError{Op: "file correction", Cause: errors.New("the counter kept moving")}
}

// ReadForCorrection reads the account login names and the corrections and claims filed on
// it in cycle, at once: ErrNotFound (and the count, 0) when there is no such account. The
// count goes to FileCorrection as its quota.Limit's Seen. One BatchGetItem (consistent).
func (st *Store) ReadForCorrection(ctx context.Context, login, cycle string) (account.Account, int, error) {
	c, k := correctionCycle(login, cycle), accountKey(login)
	items, err := st.getMany(ctx, k, c.key())
	if err != nil {
		return account.Account{}, 0, err
	}
	var acct map[string]types.AttributeValue
	used := 0
	for _, item := range items {
		switch getS(item, attrSK) {
		case c.sk:
			used = int(getN(item, "used"))
		case getS(k, attrSK):
			acct = item
		}
	}
	if acct == nil {
		return account.Account{}, used, ErrNotFound
	}
	a, err := decodeAccount(acct)
	return a, used, err
}
