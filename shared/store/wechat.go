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

// WechatMessage is a pushed message as its replay marks know it: its id (WeChat's MsgId, or
// its sender and time for an event) and, when the query's signature does not cover the
// message (plain mode), its timestamp and nonce ("" otherwise: a signed message replayed
// is the same message, with the same id).
type WechatMessage struct{ ID, Nonce string }

// Refusals of a message's first writes.
var (
	// ErrWechatSeen: the message was handled before (WeChat retries a message it got no answer
	// to in time; a captured query replayed with another body in plain mode reuses its nonce).
	ErrWechatSeen = errors.New("store: a WeChat message seen before")
	// ErrNotAwaited: the user's text answers nothing awaited (or the wait is over or used).
	ErrNotAwaited = errors.New("store: no answer of this kind awaited from the WeChat user")
)

// marked is steps with the message's replay marks before them, each an item put for an hour
// only if absent: a message's first writes and its marks are one transaction, so a message
// seen before writes nothing, not even for a moment, and one whose transaction fails leaves
// no mark to refuse WeChat's retry.
func (st *Store) marked(m WechatMessage, now time.Time, steps ...step) []step {
	expires := n(now.Add(time.Hour).Unix())
	mark := func(k map[string]types.AttributeValue) step {
		return step{write: types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(st.table), Item: merge(k, map[string]types.AttributeValue{attrExpires: expires}),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}}, refusal: refusedWith(ErrWechatSeen)}
	}
	marks := []step{mark(key(prefixWechatSeen+m.ID, "MSG"))}
	if m.Nonce != "" {
		marks = append(marks, mark(key(prefixWechatSeen+m.Nonce, "NONCE")))
	}
	return append(marks, steps...)
}

// OpenWechatMessage writes the message's replay marks: ErrWechatSeen when either stands.
// One TransactWriteItems.
func (st *Store) OpenWechatMessage(ctx context.Context, m WechatMessage, now time.Time) error {
	return st.transact(ctx, "open wechat message", st.marked(m, now)...)
}

func wechatUserKey(user, what string) map[string]types.AttributeValue {
	return key(prefixWechatUser+user, what)
}

// AwaitWechat opens the message and notes that the user's next text is the answer to what (a
// document number for a code), until until. One TransactWriteItems.
func (st *Store) AwaitWechat(ctx context.Context, m WechatMessage, user, what string, now, until time.Time) error {
	item := wechatUserKey(user, "STATE")
	item["await"] = s(what)
	item[attrExpires] = n(until.Unix())
	return st.transact(ctx, "await wechat", st.marked(m, now, step{write: types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(st.table), Item: item,
	}}})...)
}

// awaitStep updates the user's wait if it is for what, live and not yet answered;
// ErrNotAwaited if not.
func (st *Store) awaitStep(user, what, update string, values map[string]types.AttributeValue, now time.Time) step {
	return step{write: types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(st.table),
		Key:                       wechatUserKey(user, "STATE"),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(" + attrTakenBy + ") AND expiresAt > :now AND await = :what"),
		ExpressionAttributeValues: merge(values, map[string]types.AttributeValue{":now": n(now.Unix()), ":what": s(what)}),
	}}, refusal: refusedWith(ErrNotAwaited)}
}

// KeepWechatAwait opens the message and keeps the user's wait for what until until (the
// answer was mistyped); ErrWechatSeen, or ErrNotAwaited when nothing of the kind is awaited.
// One TransactWriteItems.
func (st *Store) KeepWechatAwait(ctx context.Context, m WechatMessage, user, what string, now, until time.Time) error {
	return st.transact(ctx, "keep wechat wait", st.marked(m, now,
		st.awaitStep(user, what, "SET expiresAt = :until", map[string]types.AttributeValue{":until": n(until.Unix())}, now))...)
}

// WechatCode is a code issued in WeChat: kept as Code under Key, counted on Day, at most Max
// a day (the count kept until CountExpires).
type WechatCode struct {
	Key          CodeKey
	Code         Code
	Day          string
	Max          int
	CountExpires time.Time
}

// TakeWechatAwait opens the message, takes user's wait for what, counts the code of the day
// for the document number login and for user, and keeps the code, all or nothing:
// ErrWechatSeen, ErrNotAwaited, or ErrQuotaFull when either count is spent. One
// TransactWriteItems.
func (st *Store) TakeWechatAwait(ctx context.Context, m WechatMessage, user, what, login string, now time.Time, c WechatCode) error {
	if c.Max < 1 {
		return ErrQuotaFull
	}
	return st.transact(ctx, "take wechat wait", st.marked(m, now,
		st.awaitStep(user, what, "SET "+attrTakenBy+" = :takenBy", map[string]types.AttributeValue{":takenBy": s(newMark(attrTakenBy).value)}, now),
		st.limitStep(counter{pk: prefixAccount + login, sk: "WXCODEDAY#" + c.Day, period: c.Day}, c.Max, c.CountExpires),
		st.limitStep(counter{pk: prefixWechatUser + user, sk: "CODEDAY#" + c.Day, period: c.Day}, c.Max, c.CountExpires),
		st.codeStep(c.Key, c.Code))...)
}

// WechatAwait is what the user's next text is awaited as ("" for nothing live). One GetItem.
func (st *Store) WechatAwait(ctx context.Context, user string, now time.Time) (string, error) {
	item, err := st.getLive(ctx, wechatUserKey(user, "STATE"), now)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	return getS(item, "await"), err
}

// getLive reads an item that a take spends (take) and its TTL ends: ErrNotFound for one
// taken or past its time, as for none. One GetItem.
func (st *Store) getLive(ctx context.Context, k map[string]types.AttributeValue, now time.Time) (map[string]types.AttributeValue, error) {
	item, err := st.get(ctx, k)
	if err != nil {
		return nil, err
	}
	if _, taken := item[attrTakenBy]; taken || getN(item, attrExpires) <= now.Unix() {
		return nil, ErrNotFound
	}
	return item, nil
}

// IssueWechatReset keeps a reset code for c.Code.Login, asked in WeChat by c.Code.WechatUser,
// and counts it on the day, while the account names that user, all or nothing: ErrQuotaFull
// past Max, ErrWechatBindingMoved when the account does not name the user (no longer bound,
// or bound to another). One TransactWriteItems.
func (st *Store) IssueWechatReset(ctx context.Context, c WechatCode) error {
	if c.Max < 1 {
		return ErrQuotaFull
	}
	return st.transact(ctx, "issue wechat reset",
		step{write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: aws.String(st.table), Key: accountKey(c.Code.Login),
			ConditionExpression:       aws.String("wechat = :user"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":user": s(c.Code.WechatUser)},
		}}, refusal: refusedWith(ErrWechatBindingMoved)},
		st.limitStep(wechatResetDay(c.Code.Login, c.Day), c.Max, c.CountExpires),
		st.codeStep(c.Key, c.Code))
}

func wechatResetDay(login, day string) counter {
	return counter{pk: prefixAccount + login, sk: "WXRESETDAY#" + day, period: day}
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
	item, err := st.getLive(ctx, bindCodeKey(hash), now)
	if err != nil {
		return "", 0, err
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
	ErrWechatAlreadyBound = errors.New("store: this account is bound to this WeChat user already")
	ErrWechatBindingMoved = errors.New("store: the account changed since the binding code was made")
)

// BindWechat binds user to login with the binding code kept under hash, once: the code taken
// (if still live, untaken and made for login at epoch: ErrNotFound if not), the user's
// binding item (if absent or naming login) and the account's mark (if absent), the account
// only at epoch, in one transaction, which DynamoDB makes once however often its reply is
// lost (its ClientRequestToken). stale ("" for none) is another account the user's side
// names, as read: it is replaced too while that account does not name the user (a reset by
// its mobile or mailbox removed its side). One TransactWriteItems.
func (st *Store) BindWechat(ctx context.Context, hash, login string, epoch int64, user, stale string, now time.Time) error {
	binding := wechatUserKey(user, "BINDING")
	binding["login"] = s(login)
	sideHeld, sideValues := "attribute_not_exists(pk) OR login = :login", map[string]types.AttributeValue{":login": s(login)}
	var staleCheck []step
	if stale != "" && stale != login {
		sideHeld += " OR login = :stale"
		sideValues[":stale"] = s(stale)
		staleCheck = append(staleCheck, step{write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: aws.String(st.table), Key: accountKey(stale),
			ConditionExpression:       aws.String("attribute_not_exists(wechat) OR wechat <> :user"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":user": s(user)},
		}}, refusal: refusedWith(ErrWechatUserBound)})
	}
	return st.transact(ctx, "bind wechat", append([]step{
		{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(st.table),
				Key:                       bindCodeKey(hash),
				UpdateExpression:          aws.String("SET " + attrTakenBy + " = :takenBy"),
				ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(" + attrTakenBy + ") AND expiresAt > :now AND login = :login AND epoch = :epoch"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":takenBy": s(newMark(attrTakenBy).value), ":now": n(now.Unix()), ":login": s(login), ":epoch": n(epoch)},
			}},
			refusal: refusedWith(ErrNotFound),
		},
		{
			// The user's side may name this account already, or the stale one, left behind
			// when that account's side was removed: binding again replaces it.
			write: types.TransactWriteItem{Put: &types.Put{
				TableName: aws.String(st.table), Item: binding, ConditionExpression: aws.String(sideHeld),
				ExpressionAttributeValues: sideValues,
			}},
			refusal: refusedWith(ErrWechatUserBound),
		},
		{
			write: types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(st.table),
				Key:                       accountKey(login),
				UpdateExpression:          aws.String("SET wechat = :user"),
				ConditionExpression:       aws.String("#role = :applicant AND epoch = :epoch AND attribute_not_exists(wechat)"),
				ExpressionAttributeNames:  map[string]string{"#role": "role"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":user": s(user), ":applicant": s(account.RoleApplicant), ":epoch": n(epoch)},
			}},
			refusal: func(old map[string]types.AttributeValue) error {
				switch getS(old, "wechat") {
				case "":
					return ErrWechatBindingMoved
				case user:
					return ErrWechatAlreadyBound
				}
				return ErrAccountBound
			},
		}}, staleCheck...)...)
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

// CountWechatBindTry opens the message and counts one binding code tried by user on day, in
// the same round trip as the code's read: ErrWechatSeen, or ErrQuotaFull past max. One
// TransactWriteItems.
func (st *Store) CountWechatBindTry(ctx context.Context, m WechatMessage, user, day string, max int, now, expires time.Time) error {
	if max < 1 {
		return ErrQuotaFull
	}
	return st.transact(ctx, "count wechat bind try", st.marked(m, now, st.limitStep(wechatBindTries(user, day), max, expires))...)
}

// UncountWechatBindTry gives back the try of a code that was right: only guesses count.
func (st *Store) UncountWechatBindTry(ctx context.Context, user, day string) error {
	return st.countDown(ctx, wechatBindTries(user, day))
}
