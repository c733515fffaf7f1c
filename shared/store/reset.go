package store

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/reset"
)

// PutReset stores a new reset. One PutItem.
func (st *Store) PutReset(ctx context.Context, r reset.Request) error {
	item, err := itemOf(requestItemOf(r), resetKey(r.ID))
	if err != nil {
		return err
	}
	return st.create(ctx, item)
}

// GetReset reads a live reset. One GetItem.
func (st *Store) GetReset(ctx context.Context, id string, now time.Time) (reset.Request, error) {
	item, err := st.get(ctx, resetKey(id))
	if err == nil && !live(item, now) {
		err = ErrNotFound
	}
	if err != nil {
		return reset.Request{}, err
	}
	return decodeReset(id, item)
}

func decodeReset(id string, item map[string]types.AttributeValue) (reset.Request, error) {
	it, err := decode[requestItem](item)
	return it.request(id), err
}

// CountResetMail counts one reset mail for a live reset unless max have gone, and returns the
// reset. ErrNotFound: no live reset; reset.ErrMailsUsedUp: its mails are used up. One UpdateItem.
func (st *Store) CountResetMail(ctx context.Context, id string, now time.Time, max int) (reset.Request, error) {
	out, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       resetKey(id),
		UpdateExpression:          aws.String("ADD mails :one"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND expiresAt > :now AND mails < :max"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":now": n(now.Unix()), ":max": n(int64(max))},
		ReturnValues:              types.ReturnValueAllNew,
	}, func(old map[string]types.AttributeValue) error {
		if !live(old, now) {
			return ErrNotFound
		}
		return reset.ErrMailsUsedUp
	})
	if err != nil {
		return reset.Request{}, err
	}
	return decodeReset(id, out)
}

// UncountResetMail gives back a mail that could not be sent.
func (st *Store) UncountResetMail(ctx context.Context, id string) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       resetKey(id),
		UpdateExpression:          aws.String("ADD mails :minus"),
		ConditionExpression:       aws.String("mails > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": n(-1), ":zero": n(0)},
	}, refusedWith(nil)) // the reset expired meanwhile
	return err
}

// PutResetLink stores a link. One PutItem.
func (st *Store) PutResetLink(ctx context.Context, tokenHash string, l reset.Link) error {
	item, err := itemOf(linkItem(l), resetLinkKey(tokenHash))
	if err != nil {
		return err
	}
	return st.create(ctx, item)
}

// DeleteResetLink removes a link that was never sent.
func (st *Store) DeleteResetLink(ctx context.Context, tokenHash string) error {
	_, err := st.remove(ctx, &dynamodb.DeleteItemInput{Key: resetLinkKey(tokenHash)}, nil)
	return err
}

// GetResetLink reads a live link. One GetItem.
func (st *Store) GetResetLink(ctx context.Context, tokenHash string, now time.Time) (reset.Link, error) {
	item, err := st.get(ctx, resetLinkKey(tokenHash))
	if err == nil && !live(item, now) {
		err = ErrNotFound
	}
	if err != nil {
		return reset.Link{}, err
	}
	it, err := decode[linkItem](item)
	return reset.Link(it), err
}

// Completion is a password reset about to be applied, and the proof being spent for it:
// a link's token hash, or a reset's SMS code.
type Completion struct {
	Login        string
	Epoch        int64  // the epoch the proof was made in
	WechatUser   string // for a code asked in WeChat: the user it was asked by, in place of Epoch
	PasswordHash string
	LinkHash     string
	ResetID      string
	Code         CodeKey
	CodeHash     []byte
}

// CompleteReset sets the new password, lifts any lock of the login, and moves the account's
// epoch on, which ends every session and voids every other link and code of the account (a
// WeChat code, which holds by its binding, is deleted), in the same transaction that spends
// the proof. A link or an SMS code holds only if the epoch has not moved since it was made; a
// WeChat code only while the account names the user who asked it. Of two completions
// racing, one wins and the other gets reset.ErrEpochMoved, or ErrCodeSpent for a WeChat code
// that the winner spent or deleted; a proof used or expired on its own is
// reset.ErrProofSpent or ErrCodeSpent. One TransactWriteItems.
func (st *Store) CompleteReset(ctx context.Context, c Completion, now time.Time) error {
	held := "attribute_exists(pk) AND epoch = :epoch AND #role = :applicant"
	values := map[string]types.AttributeValue{":ph": s(c.PasswordHash), ":one": n(1), ":epoch": n(c.Epoch), ":applicant": s(account.RoleApplicant)}
	// A reset proven by the account's own mobile or mailbox also removes its WeChat binding:
	// a binding needs only the password, so one made by whoever knew it must not outlast
	// the reset its holder is told to make (the user's side, left behind, is dropped by its
	// next 找回密码 and replaced by a binding to the same account). A reset by a WeChat code
	// keeps the binding that proved it.
	update := "SET passwordHash = :ph ADD epoch :one REMOVE wechat"
	if c.WechatUser != "" {
		held = "attribute_exists(pk) AND wechat = :user AND #role = :applicant"
		delete(values, ":epoch")
		values[":user"] = s(c.WechatUser)
		update = "SET passwordHash = :ph ADD epoch :one"
	}
	steps := []step{{
		write: types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(st.table),
			Key:                       accountKey(c.Login),
			UpdateExpression:          aws.String(update),
			ConditionExpression:       aws.String(held),
			ExpressionAttributeNames:  map[string]string{"#role": "role"},
			ExpressionAttributeValues: values,
		}},
		refusal: func(old map[string]types.AttributeValue) error {
			if len(old) == 0 || getS(old, "role") != account.RoleApplicant {
				return ErrNotFound
			}
			return reset.ErrEpochMoved
		},
	}}
	spendLive := func(k map[string]types.AttributeValue) step {
		return step{
			write: types.TransactWriteItem{Delete: &types.Delete{
				TableName: aws.String(st.table), Key: k,
				ConditionExpression:       aws.String("attribute_exists(pk) AND expiresAt > :now"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":now": n(now.Unix())},
			}},
			refusal: refusedWith(reset.ErrProofSpent),
		}
	}
	// The new password lifts any lock of the applicant's login.
	steps = append(steps, step{write: types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(st.table), Key: guardKey(c.Login)}}})
	// A code asked in WeChat holds by its user, not the epoch: another completion deletes it.
	voidWechatCode := step{write: types.TransactWriteItem{Delete: &types.Delete{
		TableName: aws.String(st.table), Key: CodeKey{Purpose: CodeForWechatReset, Subject: c.Login}.item(),
	}}}
	switch {
	case c.LinkHash != "":
		steps = append(steps, spendLive(resetLinkKey(c.LinkHash)), voidWechatCode)
		if c.ResetID != "" { // the request the link was mailed for ends with it
			steps = append(steps, step{write: types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(st.table), Key: resetKey(c.ResetID)}}})
		}
	case c.ResetID != "":
		steps = append(steps, st.spendCode(c.Code, c.CodeHash, "reset", now), spendLive(resetKey(c.ResetID)), voidWechatCode)
	case c.CodeHash != nil: // a code asked in WeChat, under no reset request
		steps = append(steps, st.spendCode(c.Code, c.CodeHash, "reset", now))
	default:
		return errors.New("store: a completion needs a link or a code")
	}
	return st.transact(ctx, "complete reset", steps...)
}

// CountAccountMail counts one reset mail for the account on the CST day, unless max have
// gone (ErrQuotaFull), across all its resets. One UpdateItem.
func (st *Store) CountAccountMail(ctx context.Context, login, day string, max int, expires time.Time) (int, error) {
	return st.countUp(ctx, resetMailDay(login, day), max, expires)
}

// CountMailbox counts one code or link mailed to address on the CST day, across accounts,
// unless max have been (ErrQuotaFull): registration proves no address, so any number of
// accounts may name one. One UpdateItem.
func (st *Store) CountMailbox(ctx context.Context, address, day string, max int, expires time.Time) error {
	_, err := st.countUp(ctx, mailboxDay(address, day), max, expires)
	return err
}

// PutMailedCode keeps a code to be mailed to address, replacing an older one under k, and
// counts it as CountMailbox does, all or nothing: a refused count (ErrQuotaFull) leaves the
// older code as it was. One TransactWriteItems.
func (st *Store) PutMailedCode(ctx context.Context, k CodeKey, c Code, address, day string, max int, expires time.Time) error {
	if max < 1 {
		return ErrQuotaFull
	}
	return st.transact(ctx, "put mailed code",
		st.limitStep(mailboxDay(address, day), max, expires),
		st.codeStep(k, c))
}

// UncountMailbox gives back a mail CountMailbox counted that did not go out.
func (st *Store) UncountMailbox(ctx context.Context, address, day string) error {
	return st.countDown(ctx, mailboxDay(address, day))
}

// UncountAccountMail gives back an account's reset mail that did not go out.
func (st *Store) UncountAccountMail(ctx context.Context, login, day string) error {
	return st.countDown(ctx, resetMailDay(login, day))
}

// NewResetID is the id handed out for r: r's login, mobile, password epoch and expiry sealed
// under the seal key, so that a reset's SMS counts the mobile's quota in its first round trip
// instead of reading the reset first. The seal hides; it grants nothing: the RESET# item,
// keyed by the whole id, is still what makes a reset live. Every id has one length, so its
// length tells nothing of the document or the mobile. No I/O.
func (st *Store) NewResetID(r reset.Request) string {
	if len(r.Login)+len(r.Phone) > resetSealedText {
		panic("store: a login and mobile longer than a reset id holds")
	}
	plain := make([]byte, resetSealedHead+resetSealedText)
	binary.BigEndian.PutUint64(plain[0:], uint64(r.Epoch))
	binary.BigEndian.PutUint64(plain[8:], uint64(r.ExpiresAt))
	plain[16], plain[17] = byte(len(r.Login)), byte(len(r.Phone))
	copy(plain[resetSealedHead:], r.Login+r.Phone) // the rest stays zero
	return sealID(st.resetSeal, plain)
}

// A reset id's sealed text: epoch, expiry, the login's and the mobile's lengths, then both,
// padded to the longest document number (18) and E.164 mobile (16) with room to spare.
const (
	resetSealedHead = 18
	resetSealedText = 46
)

// OpenResetID is what an id of NewResetID carries (ID, Login, Phone, Epoch, ExpiresAt); false
// for an id that carries nothing: one issued before the seal, or not ours. It says nothing of
// whether the reset is still live. No I/O.
func (st *Store) OpenResetID(id string) (reset.Request, bool) {
	plain, ok := openID(st.resetSeal, id)
	if !ok || len(plain) != resetSealedHead+resetSealedText || int(plain[16])+int(plain[17]) > resetSealedText {
		return reset.Request{}, false
	}
	text := plain[resetSealedHead:]
	return reset.Request{
		ID: id, Login: string(text[:plain[16]]), Phone: string(text[plain[16] : int(plain[16])+int(plain[17])]),
		Epoch:     int64(binary.BigEndian.Uint64(plain[0:])),
		ExpiresAt: int64(binary.BigEndian.Uint64(plain[8:])),
	}, true
}

// ResetHolds reads r's reset and its account together: ErrNotFound when the reset has ended
// (expired, completed) or the account's password changed since r was made. One BatchGetItem.
func (st *Store) ResetHolds(ctx context.Context, r reset.Request, now time.Time) error {
	items, err := st.getMany(ctx, resetKey(r.ID), accountKey(r.Login))
	if err != nil {
		return err
	}
	resetLive, accountAtEpoch := false, false
	for _, item := range items {
		switch getS(item, attrPK) {
		case prefixReset + r.ID:
			resetLive = live(item, now)
		case prefixAccount + r.Login:
			a, err := decodeAccount(item)
			if err != nil {
				return err
			}
			accountAtEpoch = !r.Dead(a.Epoch)
		}
	}
	if !resetLive || !accountAtEpoch {
		return ErrNotFound
	}
	return nil
}
