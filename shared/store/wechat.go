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

// A WeChat user is known here only by a keyed hash of the OpenID (user), never the OpenID:
// passive replies need none, and an OpenID is personal data a copy of the table should not
// hold.

// SeeWechatMessage notes a pushed message by its id and by its query's timestamp and nonce,
// each once for an hour: false when either was seen (WeChat retries a message it got no
// answer to in time; a captured query replayed with another body in plain mode reuses its
// nonce). One round trip: both PutItems at once.
func (st *Store) SeeWechatMessage(ctx context.Context, msgID, nonce string, now time.Time) (bool, error) {
	expires := n(now.Add(time.Hour).Unix())
	errs := make([]error, 2)
	seen := []map[string]types.AttributeValue{key(prefixWechatSeen+msgID, "MSG"), key(prefixWechatSeen+nonce, "NONCE")}
	SendTogether(ctx,
		func(ctx context.Context) {
			errs[0] = st.create(ctx, merge(seen[0], map[string]types.AttributeValue{attrExpires: expires}))
		},
		func(ctx context.Context) {
			errs[1] = st.create(ctx, merge(seen[1], map[string]types.AttributeValue{attrExpires: expires}))
		})
	for _, err := range errs {
		if errors.Is(err, ErrExists) {
			return false, nil
		}
	}
	return true, errors.Join(errs...)
}

func wechatUserKey(user, what string) map[string]types.AttributeValue {
	return key(prefixWechatUser+user, what)
}

// AwaitWechat notes that the user's next text is the answer to what (a document number for a
// code), until until. One PutItem.
func (st *Store) AwaitWechat(ctx context.Context, user, what string, until time.Time) error {
	item := wechatUserKey(user, "STATE")
	item["await"] = s(what)
	item[attrExpires] = n(until.Unix())
	return st.put(ctx, &dynamodb.PutItemInput{Item: item}, nil)
}

// TakeWechatAwait takes what the user's text answers, once: "" when nothing is awaited or
// the wait is over. One UpdateItem (take); AwaitWechat's put starts a wait afresh.
func (st *Store) TakeWechatAwait(ctx context.Context, user string, now time.Time) (string, error) {
	old, err := st.take(ctx, wechatUserKey(user, "STATE"), "expiresAt > :now", map[string]types.AttributeValue{":now": n(now.Unix())})
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return getS(old, "await"), nil
}

// CountWechatCode counts one code for a document number (login) asked by user on day,
// against max a day for each: ErrQuotaFull when either is spent (the other is given back).
// One round trip: both UpdateItems at once.
func (st *Store) CountWechatCode(ctx context.Context, login, user, day string, max int, expires time.Time) error {
	number, chat := wechatCodeDays(login, user, day)
	return st.countBoth(ctx, number, chat, max, expires)
}

// UncountWechatCode gives back a code counted by CountWechatCode and never issued. One round
// trip: both UpdateItems at once.
func (st *Store) UncountWechatCode(ctx context.Context, login, user, day string) error {
	number, chat := wechatCodeDays(login, user, day)
	errs := make([]error, 2)
	SendTogether(ctx,
		func(ctx context.Context) { errs[0] = st.countDown(ctx, number) },
		func(ctx context.Context) { errs[1] = st.countDown(ctx, chat) })
	return errors.Join(errs...)
}

func wechatCodeDays(login, user, day string) (number, chat counter) {
	return counter{pk: prefixAccount + login, sk: "WXCODEDAY#" + day, period: day},
		counter{pk: prefixWechatUser + user, sk: "CODEDAY#" + day, period: day}
}

// CountWechatReset counts one reset code for login asked from WeChat on day: ErrQuotaFull
// past max. One UpdateItem.
func (st *Store) CountWechatReset(ctx context.Context, login, day string, max int, expires time.Time) error {
	_, err := st.countUp(ctx, wechatResetDay(login, day), max, expires)
	return err
}

// UncountWechatReset gives back a reset code counted for login on day and never issued.
func (st *Store) UncountWechatReset(ctx context.Context, login, day string) error {
	return st.countDown(ctx, wechatResetDay(login, day))
}

func wechatResetDay(login, day string) counter {
	return counter{pk: prefixAccount + login, sk: "WXRESETDAY#" + day, period: day}
}

func (st *Store) countBoth(ctx context.Context, a, b counter, max int, expires time.Time) error {
	errs := make([]error, 2)
	SendTogether(ctx,
		func(ctx context.Context) { _, errs[0] = st.countUp(ctx, a, max, expires) },
		func(ctx context.Context) { _, errs[1] = st.countUp(ctx, b, max, expires) })
	if errs[0] == nil && errs[1] == nil {
		return nil
	}
	for i, c := range []counter{a, b} {
		if errs[i] == nil {
			if err := st.countDown(Apart(context.WithoutCancel(ctx)), c); err != nil {
				return err
			}
		}
	}
	if errors.Is(errs[0], ErrQuotaFull) || errors.Is(errs[1], ErrQuotaFull) {
		return ErrQuotaFull
	}
	return errors.Join(errs...)
}

// Binding codes: a logged-in applicant's short code, which its holder sends to the service
// account to bind the WeChat user who sends it.

// PutBindCode keeps a binding code (its hash) for login at epoch until until; ErrExists if
// the code is taken (the caller draws another). One PutItem.
func (st *Store) PutBindCode(ctx context.Context, hash, login string, epoch int64, until time.Time) error {
	item := bindCodeKey(hash)
	item["login"], item["epoch"], item[attrExpires] = s(login), n(epoch), n(until.Unix())
	return st.create(ctx, item)
}

// WechatBindCode reads a binding code: the account and epoch it was made for; ErrNotFound for
// a code unknown, spent or past its time. Reading it spends nothing: BindWechat takes it with
// the binding, in one transaction. One GetItem.
func (st *Store) WechatBindCode(ctx context.Context, hash string, now time.Time) (string, int64, error) {
	item, err := st.get(ctx, bindCodeKey(hash))
	if err != nil {
		return "", 0, err
	}
	if _, taken := item[attrTakenBy]; taken || getN(item, attrExpires) <= now.Unix() {
		return "", 0, ErrNotFound
	}
	return getS(item, "login"), getN(item, "epoch"), nil
}

func bindCodeKey(hash string) map[string]types.AttributeValue {
	return key(prefixWechatBind+hash, "BIND")
}

// Refusals of a binding.
var (
	ErrWechatUserBound    = errors.New("store: this WeChat user is bound to an account")
	ErrAccountBound       = errors.New("store: this account is bound to a WeChat user")
	ErrWechatBindingMoved = errors.New("store: the account changed since the binding code was made")
)

// BindWechat binds user to login with the binding code kept under hash, once: the code taken
// (if still live, untaken and made for login at epoch: ErrNotFound if not), the user's
// binding item and the account's mark, each only if absent, the account only at epoch, in
// one transaction, which DynamoDB makes once however often its reply is lost (its
// ClientRequestToken). One TransactWriteItems.
func (st *Store) BindWechat(ctx context.Context, hash, login string, epoch int64, user string, now time.Time) error {
	binding := wechatUserKey(user, "BINDING")
	binding["login"] = s(login)
	return st.transact(ctx, "bind wechat",
		step{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(st.table),
				Key:                       bindCodeKey(hash),
				UpdateExpression:          aws.String("SET " + attrTakenBy + " = :takenBy"),
				ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(" + attrTakenBy + ") AND expiresAt > :now AND login = :login AND epoch = :epoch"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":takenBy": s(newMark(attrTakenBy).value), ":now": n(now.Unix()), ":login": s(login), ":epoch": n(epoch)},
			}},
			refusal: refusedWith(ErrNotFound),
		},
		step{
			write: types.TransactWriteItem{Put: &types.Put{
				TableName: aws.String(st.table), Item: binding, ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}},
			refusal: refusedWith(ErrWechatUserBound),
		},
		step{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(st.table),
				Key:                       accountKey(login),
				UpdateExpression:          aws.String("SET wechat = :user"),
				ConditionExpression:       aws.String("#role = :applicant AND epoch = :epoch AND attribute_not_exists(wechat)"),
				ExpressionAttributeNames:  map[string]string{"#role": "role"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":user": s(user), ":applicant": s(account.RoleApplicant), ":epoch": n(epoch)},
			}},
			refusal: func(old map[string]types.AttributeValue) error {
				if getS(old, "wechat") != "" {
					return ErrAccountBound
				}
				return ErrWechatBindingMoved
			},
		})
}

// WechatBinding is the account login the user is bound to; ErrNotFound when none. One GetItem.
func (st *Store) WechatBinding(ctx context.Context, user string) (string, error) {
	item, err := st.get(ctx, wechatUserKey(user, "BINDING"))
	if err != nil {
		return "", err
	}
	return getS(item, "login"), nil
}

// DropWechatBinding deletes user's side of a binding to login while the account does not
// name user (an approved ownership claim removed its side); nothing when the binding names
// another login or is gone, or when the account names user again (bound anew meanwhile). One
// TransactWriteItems.
func (st *Store) DropWechatBinding(ctx context.Context, user, login string) error {
	err := st.transact(ctx, "drop wechat binding",
		step{write: types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(st.table), Key: wechatUserKey(user, "BINDING"),
			ConditionExpression:       aws.String("login = :login"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":login": s(login)},
		}}, refusal: refusedWith(ErrNotFound)},
		step{write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: aws.String(st.table), Key: accountKey(login),
			ConditionExpression:       aws.String("attribute_not_exists(wechat) OR wechat <> :user"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":user": s(user)},
		}}, refusal: refusedWith(ErrNotFound)})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// UnbindWechat removes the account's binding, both sides at once; ErrNotFound when the
// account has none. One TransactWriteItems.
func (st *Store) UnbindWechat(ctx context.Context, login, user string) error {
	return st.transact(ctx, "unbind wechat",
		step{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(st.table),
				Key:                       accountKey(login),
				UpdateExpression:          aws.String("REMOVE wechat"),
				ConditionExpression:       aws.String("wechat = :user"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":user": s(user)},
			}},
			refusal: refusedWith(ErrNotFound),
		},
		step{write: types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(st.table), Key: wechatUserKey(user, "BINDING"),
			ConditionExpression:       aws.String("login = :login"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":login": s(login)},
		}}, refusal: refusedWith(ErrNotFound)})
}

// The service account's access token, one for every function: WeChat voids the previous
// token when it hands out a new one, so only the holder of the item's lease fetches.

func wechatTokenKey(appID string) map[string]types.AttributeValue {
	return key(prefixWechatToken+appID, "TOKEN")
}

// WechatToken is the shared token as stored ("" and zero times when none). One GetItem.
func (st *Store) WechatToken(ctx context.Context, appID string) (token string, expires time.Time, err error) {
	item, err := st.get(ctx, wechatTokenKey(appID))
	if errors.Is(err, ErrNotFound) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, err
	}
	return getS(item, "token"), time.Unix(getN(item, "tokenExpires"), 0), nil
}

// LeaseWechatToken takes the right to fetch a new token until until, unless another holds
// it or the stored token is no longer seen (the one the caller read: another caller renewed
// it meanwhile, and a second fetch would void it): false then. One UpdateItem.
func (st *Store) LeaseWechatToken(ctx context.Context, appID, seen string, now, until time.Time) (bool, error) {
	errHeld := errors.New("held")
	cond := "(attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND attribute_not_exists(#t)"
	values := map[string]types.AttributeValue{":until": n(until.UnixMilli()), ":now": n(now.UnixMilli())}
	if seen != "" {
		cond = "(attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND #t = :seen"
		values[":seen"] = s(seen)
	}
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       wechatTokenKey(appID),
		UpdateExpression:          aws.String("SET leaseUntil = :until"),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  map[string]string{"#t": "token"},
		ExpressionAttributeValues: values,
	}, refusedWith(errHeld))
	if errors.Is(err, errHeld) {
		return false, nil
	}
	return err == nil, err
}

// PutWechatToken stores the token the lease holder fetched and ends the lease. One UpdateItem.
func (st *Store) PutWechatToken(ctx context.Context, appID, token string, expires time.Time) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       wechatTokenKey(appID),
		UpdateExpression:          aws.String("SET #t = :t, tokenExpires = :e REMOVE leaseUntil"),
		ExpressionAttributeNames:  map[string]string{"#t": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": s(token), ":e": n(expires.Unix())},
	}, nil)
	return err
}

func wechatBindTries(user, day string) counter {
	return counter{pk: prefixWechatUser + user, sk: "BINDDAY#" + day, period: day}
}

// CountWechatBindTry counts one binding code tried by user on day, before it is looked up:
// ErrQuotaFull past max. One UpdateItem.
func (st *Store) CountWechatBindTry(ctx context.Context, user, day string, max int, expires time.Time) error {
	_, err := st.countUp(ctx, wechatBindTries(user, day), max, expires)
	return err
}

// UncountWechatBindTry gives back the try of a code that was right: only guesses count.
func (st *Store) UncountWechatBindTry(ctx context.Context, user, day string) error {
	return st.countDown(ctx, wechatBindTries(user, day))
}
