package store

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/account"
)

// notPending is the condition every change of profile or verification holds to.
const notPending = "attribute_exists(pk) AND #v.#st <> :pending"

var verificationNames = map[string]string{"#v": "verification", "#st": "status"}

func (st *Store) updateAccount(ctx context.Context, login, update string, names map[string]string, values map[string]types.AttributeValue) (account.Account, error) {
	allNames := maps.Clone(verificationNames)
	maps.Copy(allNames, names)
	if values == nil {
		values = map[string]types.AttributeValue{}
	}
	values[":pending"] = s(account.StatusReviewPending)
	out, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       accountKey(login),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(notPending),
		ExpressionAttributeNames:  allNames,
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	}, func(old map[string]types.AttributeValue) error {
		if len(old) == 0 {
			return ErrNotFound
		}
		return account.ErrReviewPending
	})
	if err != nil {
		return account.Account{}, err
	}
	return decodeAccount(out)
}

// SetProfile stores the first-login profile, unless a review is pending. One UpdateItem.
func (st *Store) SetProfile(ctx context.Context, login string, p account.Profile) (account.Account, error) {
	av, err := attributevalue.Marshal(profileItem(p))
	if err != nil {
		return account.Account{}, fmt.Errorf("marshal profile: %w", err)
	}
	return st.updateAccount(ctx, login, "SET #p = :p", map[string]string{"#p": "profile"},
		map[string]types.AttributeValue{":p": av})
}

// RecordVerification stores an online verification's result, unless a review is pending: a
// pass makes the account verified; a failure only notes that one failed, which leaves an
// approved review as it is. One UpdateItem.
func (st *Store) RecordVerification(ctx context.Context, login string, passed bool) (account.Account, error) {
	if passed {
		return st.updateAccount(ctx, login, "SET #v.#st = :verified REMOVE #v.#rr",
			map[string]string{"#rr": "rejectReason"},
			map[string]types.AttributeValue{":verified": s(account.StatusVerified)})
	}
	return st.updateAccount(ctx, login, "SET #v.#of = :true", map[string]string{"#of": "onlineFailed"},
		map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true}})
}

// CountVerification counts one online verification on the CST day unless max are counted
// (ErrQuotaFull).
func (st *Store) CountVerification(ctx context.Context, login, day string, max int, expires time.Time) (int, error) {
	return st.countUp(ctx, verifyDay(login, day), max, expires)
}

// UncountVerification gives back a verification the provider could not run.
func (st *Store) UncountVerification(ctx context.Context, login, day string) error {
	return st.countDown(ctx, verifyDay(login, day))
}
