package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/quota"
)

// SubmitReview stores a pending review, its photo and the applicant's entry for it, moves the
// account to review_pending and counts the submission against the cycle's quota, in one
// transaction. seen is the account as the caller read it: the transaction holds only while
// its verification state is still that one and a.MaySubmitReview allowed it, so the rule is
// checked in one place and the write only guards against the state moving under it; when it
// did, the rule is checked again on the account as it now is. It returns the uses counted
// with this one; ErrQuotaFull when the quota was used up. Two round trips (the counter's
// read, the transaction); a counter or an account moved by a concurrent request between the
// two makes it try again.
func (st *Store) SubmitReview(ctx context.Context, seen account.Account, r casework.Review, photo []byte, q quota.Limit) (int, error) {
	c := reviewCycle(r.Login, q.Period)
	for attempt := 0; attempt < 3; attempt++ {
		if err := mayFile(seen, r); err != nil {
			return 0, err
		}
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
		steps, err := st.submitSteps(seen, r, photo)
		if err != nil {
			return 0, err
		}
		err = st.transact(ctx, "submit review", append(steps, st.countStep(c, used, q.Max, q.Expires))...)
		var moved *accountMoved
		switch {
		case errors.Is(err, errCounterMoved):
			continue
		case errors.As(err, &moved):
			seen = moved.now
			continue
		case err != nil:
			return 0, err
		}
		return used + 1, nil
	}
	return 0, &BusyError{Op: "submit review", Cause: errors.New("the account or its counter kept moving")}
}

// mayFile is the account's rule for filing r: an identity review's or a name change's.
func mayFile(a account.Account, r casework.Review) error {
	if r.KindOf() == casework.KindNameChange {
		return a.MayChangeName()
	}
	return a.MaySubmitReview()
}

// accountMoved is an account whose state changed between the caller's read and its write.
type accountMoved struct{ now account.Account }

func (e *accountMoved) Error() string { return "store: account changed meanwhile" }

func (st *Store) submitSteps(seen account.Account, r casework.Review, photo []byte) ([]step, error) {
	filed, err := st.pendingReview(r, photo)
	if err != nil {
		return nil, err
	}
	entry, err := itemOf(entryItem{ID: r.ID, Kind: r.KindOf(), Status: r.Status, SubmittedAt: r.SubmittedAt, DueAt: r.DueAt}, entryKey(r.Login, r.SubmittedAt, r.ID))
	if err != nil {
		return nil, err
	}
	// The account's verification state must still be the one the rule was checked on.
	names := map[string]string{"#v": "verification", "#st": "status"}
	values := map[string]types.AttributeValue{":id": s(r.ID), ":seen": s(seen.Verification.Status)}
	var cond, update string
	if r.KindOf() == casework.KindNameChange {
		// The applicant stays cleared; only the pending name change is noted.
		names["#nc"] = "nameChangeId"
		cond, update = "#v.#st = :seen AND attribute_not_exists(#v.#nc)", "SET #v.#nc = :id"
	} else {
		names["#rid"], names["#rr"], names["#of"] = "reviewId", "rejectReason", "onlineFailed"
		values[":pending"] = s(account.StatusReviewPending)
		cond, update = "#v.#st = :seen AND attribute_not_exists(#v.#of)", "SET #v.#st = :pending, #v.#rid = :id REMOVE #v.#rr"
		if seen.Verification.OnlineFailed {
			cond = "#v.#st = :seen AND #v.#of = :true"
			values[":true"] = &types.AttributeValueMemberBOOL{Value: true}
		}
	}
	accountStep := step{
		write: types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(st.table),
			Key:                       accountKey(r.Login),
			UpdateExpression:          aws.String(update),
			ConditionExpression:       aws.String(cond),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		}},
		refusal: func(old map[string]types.AttributeValue) error {
			if len(old) == 0 {
				return ErrNotFound
			}
			now, err := decodeAccount(old)
			if err != nil {
				return err
			}
			return &accountMoved{now: now}
		},
	}
	return append(filed, st.createStep(entry), accountStep), nil
}

// pendingReview is the steps that file r in the queue: its item, listed as pending, and its
// photo's, each new; and the photo's hash, naming this review, so that the same bytes sent
// with a later filing are known for what the desk served (PhotoKeptIn).
func (st *Store) pendingReview(r casework.Review, photo []byte) ([]step, error) {
	meta, err := itemOf(reviewItem(r), reviewKey(r.ID))
	if err != nil {
		return nil, err
	}
	meta[attrGSI1PK] = s(queueKey(casework.Pending))
	meta[attrGSI1SK] = s(timeOrder(r.SubmittedAt, r.ID))
	photoItem := photoKey(r.ID)
	photoItem["photo"] = b(photo)
	hash := photoHashKey(PhotoHash(photo))
	hash["reviewId"] = s(r.ID)
	hash[attrExpires] = n(time.UnixMilli(r.SubmittedAt).Add(PhotoHashLife).Unix())
	return []step{st.createStep(meta), st.createStep(photoItem),
		{write: types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.table), Item: hash}}}}, nil
}

// PhotoHashLife is how long a kept photo's hash is known: longer than any photo is kept
// (its review's decision, within weeks, plus casework.PhotoRetention).
const PhotoHashLife = 366 * 24 * time.Hour

// PhotoHash is the key a photo's bytes are known by: SHA-256, hex.
func PhotoHash(photo []byte) string {
	sum := sha256.Sum256(photo)
	return hex.EncodeToString(sum[:])
}

// PhotoKeptIn is the review that keeps a photo of these bytes (hash: PhotoHash), or "" when
// none is known: an upload that is byte for byte a photo the desk served. One GetItem.
func (st *Store) PhotoKeptIn(ctx context.Context, hash string, now time.Time) (string, error) {
	item, err := st.get(ctx, photoHashKey(hash))
	switch {
	case errors.Is(err, ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	case !live(item, now):
		return "", nil
	}
	return getS(item, "reviewId"), nil
}

// createStep is the step that puts a new item: ErrExists if its key is taken.
func (st *Store) createStep(item map[string]types.AttributeValue) step {
	return step{
		write: types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		refusal: refusedWith(ErrExists),
	}
}

// ListMyReviews lists an applicant's reviews, newest first. One Query.
func (st *Store) ListMyReviews(ctx context.Context, login string) ([]casework.Entry, error) {
	found, err := st.queryAll(ctx, "list my reviews", &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(prefixAccount + login), ":prefix": s(entryPrefix),
		},
		ScanIndexForward: aws.Bool(false),
		ConsistentRead:   aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	items, err := decodeAll[entryItem](found)
	return convertAll(items, func(it entryItem) casework.Entry { return casework.Entry(it) }), err
}

// QueuePage is one page of the reviewers' queue.
type QueuePage struct {
	Reviews []casework.Review
	// Next is where the next page starts, opaque to callers (who sign it before handing it
	// out), or "" at the end.
	Next string
}

// ErrBadPage is a page position that this store did not hand out for this listing.
var ErrBadPage = errors.New("store: bad page position")

// queuePages bounds the index pages one listing of a kind reads before it answers with
// what it found and where it stopped: the kinds other than identity are few, and a page
// that filters them out of a long queue must not read the whole queue.
const queuePages = 8

// ListQueue lists reviews of a status, oldest first, from after (a QueuePage.Next of the same
// status, or ""), only of kind unless kind is "". One Query of gsi1; for a kind, more pages
// until limit reviews are found, the index ends, or queuePages were read.
func (st *Store) ListQueue(ctx context.Context, status, kind string, limit int, after string) (QueuePage, error) {
	in := &dynamodb.QueryInput{
		IndexName:                 aws.String(GSI1),
		KeyConditionExpression:    aws.String("gsi1pk = :q"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":q": s(queueKey(status))},
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(int32(limit)),
	}
	if kind != "" {
		in.FilterExpression = aws.String("kind = :kind")
		if kind == casework.KindIdentity { // written before kinds existed
			in.FilterExpression = aws.String("kind = :kind OR attribute_not_exists(kind)")
		}
		in.ExpressionAttributeValues[":kind"] = s(kind)
	}
	if after != "" {
		start, err := openPosition(after, queueKey(status))
		if err != nil {
			return QueuePage{}, err
		}
		in.ExclusiveStartKey = start
	}
	var found []map[string]types.AttributeValue
	var last map[string]types.AttributeValue
	for pages := 0; pages < queuePages; pages++ {
		out, err := st.query(ctx, "list queue", in)
		if err != nil {
			return QueuePage{}, err
		}
		found = append(found, out.Items...)
		last = out.LastEvaluatedKey
		if len(found) >= limit || len(last) == 0 || kind == "" {
			break
		}
		in.ExclusiveStartKey = last
	}
	if len(found) > limit {
		found = found[:limit]
	}
	if len(found) == limit && len(found) > 0 {
		// The next page starts after the last review given, wherever the read stopped.
		end := found[len(found)-1]
		last = map[string]types.AttributeValue{attrPK: end[attrPK], attrSK: end[attrSK], attrGSI1PK: end[attrGSI1PK], attrGSI1SK: end[attrGSI1SK]}
	}
	items, err := decodeAll[reviewItem](found)
	if err != nil {
		return QueuePage{}, err
	}
	page := QueuePage{Reviews: convertAll(items, func(it reviewItem) casework.Review { return casework.Review(it) })}
	if len(last) > 0 {
		if page.Next, err = position(last); err != nil {
			return QueuePage{}, err
		}
	}
	return page, nil
}

// position writes an index position (the four key attributes, all strings) as a token.
func position(k map[string]types.AttributeValue) (string, error) {
	plain := make(map[string]string, len(k))
	for name := range k {
		plain[name] = getS(k, name)
	}
	b, err := json.Marshal(plain)
	return string(b), err
}

// openPosition reads a token of position back, for the index partition it must lie in.
func openPosition(tok, partition string) (map[string]types.AttributeValue, error) {
	var plain map[string]string
	if err := json.Unmarshal([]byte(tok), &plain); err != nil || len(plain) != 4 || plain[attrGSI1PK] != partition {
		return nil, ErrBadPage
	}
	k := make(map[string]types.AttributeValue, 4)
	for _, name := range []string{attrPK, attrSK, attrGSI1PK, attrGSI1SK} {
		v, ok := plain[name]
		if !ok || v == "" {
			return nil, ErrBadPage
		}
		k[name] = s(v)
	}
	return k, nil
}

// GetReview reads a review and its photo (not the partition's photo-read records); the photo
// is nil once its retention after the decision has passed. One BatchGetItem.
func (st *Store) GetReview(ctx context.Context, id string, now time.Time) (casework.Review, []byte, error) {
	items, err := st.getMany(ctx, reviewKey(id), photoKey(id))
	if err != nil {
		return casework.Review{}, nil, err
	}
	var r casework.Review
	var photo []byte
	found := false
	for _, item := range items {
		switch getS(item, attrSK) {
		case "REVIEW":
			it, err := decode[reviewItem](item)
			if err != nil {
				return casework.Review{}, nil, err
			}
			r = casework.Review(it)
			found = true
		case "PHOTO":
			if live(item, now) {
				photo = getB(item, "photo")
			}
		}
	}
	if !found {
		return casework.Review{}, nil, ErrNotFound
	}
	return r, photo, nil
}

// RecordPhotoRead keeps who read a review's photo, and when: every read, for good. One
// PutItem. For a review whose approvals ask that the approver has seen the photo (reader:
// a correction, casework.NeedsSecondReviewer), the reviewer joins the review's readers in
// the same transaction, so that no approver is a reader without the trail saying so.
func (st *Store) RecordPhotoRead(ctx context.Context, reviewID, reviewerID string, at time.Time, reader bool) error {
	item := photoReadKey(reviewID, at.UnixMilli(), reviewerID)
	item["reviewerId"] = s(reviewerID)
	item["readAt"] = n(at.UnixMilli())
	if !reader {
		return st.put(ctx, &dynamodb.PutItemInput{Item: item}, nil)
	}
	return st.transact(ctx, "record photo read",
		step{write: types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.table), Item: item}}},
		step{write: types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(st.table), Key: reviewKey(reviewID),
			UpdateExpression:          aws.String("ADD readers :r"),
			ConditionExpression:       aws.String("attribute_exists(pk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":r": &types.AttributeValueMemberSS{Value: []string{reviewerID}}},
		}}, refusal: refusedWith(ErrNotFound)})
}

// PhotoRead is one recorded read of a review's photo.
type PhotoRead struct {
	ReviewerID string `dynamodbav:"reviewerId"`
	ReadAt     int64  `dynamodbav:"readAt"`
}

// ListPhotoReads is the audit trail of a review's photo. One Query.
func (st *Store) ListPhotoReads(ctx context.Context, reviewID string) ([]PhotoRead, error) {
	found, err := st.queryAll(ctx, "list photo reads", &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(prefixReview + reviewID), ":prefix": s(photoReadPrefix)},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	return decodeAll[PhotoRead](found)
}

// DecideReview records the decision on the review, on the applicant's entry and on the
// account in one transaction that holds only while the review is pending: of any number of
// concurrent decisions, one is made (casework.ErrAlreadyDecided for the rest). An approval applies
// the review's name and validity dates, and marks the account for re-application when the
// name changed. The same transaction writes the notice still to send, which it returns. One
// TransactWriteItems.
//
// The same transaction gives the review's photo its end: photoUntil, after which reads find
// no photo and TTL deletes it. The trail of who read it stays.
func (st *Store) DecideReview(ctx context.Context, d casework.Decision, photoUntil time.Time) (casework.Notice, error) {
	r := d.Review
	status := d.Status()
	at := d.At.UnixMilli()
	decided := map[string]types.AttributeValue{
		":status": s(status), ":reason": s(d.Reason), ":at": n(at), ":pending": s(casework.Pending),
	}
	review := &types.Update{
		TableName:                aws.String(st.table),
		Key:                      reviewKey(r.ID),
		UpdateExpression:         aws.String("SET #st = :status, reason = :reason, decidedAt = :at, decidedBy = :by, gsi1pk = :queue"),
		ConditionExpression:      aws.String("#st = :pending"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: merge(decided, map[string]types.AttributeValue{
			":by": s(d.DecidedBy), ":queue": s(queueKey(status)),
		}),
	}
	reviewRefusal := refusedWith(casework.ErrAlreadyDecided)
	if d.Approve && r.NeedsSecondReviewer() {
		// The approval that hands the account over follows another reviewer's first one.
		review.ConditionExpression = aws.String("#st = :pending AND attribute_exists(firstApprovedBy) AND firstApprovedBy <> :by AND contains(readers, :by)")
		reviewRefusal = func(old map[string]types.AttributeValue) error {
			switch first := getS(old, "firstApprovedBy"); {
			case getS(old, "status") != casework.Pending:
				return casework.ErrAlreadyDecided
			case first == d.DecidedBy:
				return casework.ErrSameReviewer
			case first == "":
				return casework.ErrFirstApprovalMissing
			default:
				return casework.ErrPhotoNotSeen
			}
		}
	}
	nt := casework.NoticeOf(d, d.At.Add(casework.NoticeLease))
	notice, err := st.noticePut(nt)
	if err != nil {
		return casework.Notice{}, err
	}
	// Only the review's own condition can fail in a consistent table, but for the approval of
	// a correction: the entry and the account move with the review, in this transaction only,
	// while a correction's approval asks the account for more (correctionId set at filing,
	// and the contacts as filed, or no review of another kind pending).
	steps := []step{
		{write: types.TransactWriteItem{Update: review}, refusal: reviewRefusal},
		{write: types.TransactWriteItem{Update: accountDecision(st.table, d)}, refusal: func(map[string]types.AttributeValue) error {
			switch {
			case d.Approve && r.KindOf() == casework.KindContact:
				return casework.ErrContactsChanged
			case d.Approve && r.KindOf() == casework.KindOwnership:
				return casework.ErrOtherReviewPending
			}
			return nil // an account out of step with its review: a bug, answered 500
		}},
		{write: types.TransactWriteItem{Put: notice}},
		{write: types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(st.table), Key: photoKey(r.ID),
			UpdateExpression:          aws.String("SET expiresAt = :until"),
			ConditionExpression:       aws.String("attribute_exists(pk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":until": n(photoUntil.Unix())},
		}}},
	}
	if d.Approve && r.KindOf() == casework.KindOwnership {
		// The holder starts with the cycle's manual reviews and the day's verifications the
		// squatter used given back (the claims of the number stay counted: CORRECTIONCYCLE#).
		// Set to none used rather than deleted: the function may update the account's items,
		// not delete them, and a counter absent is made as a new one would be.
		for _, in := range []*dynamodb.UpdateItemInput{
			reviewCycle(r.Login, clock.Cycle(d.At)).zeroed(clock.NextCycle(d.At).Add(24 * time.Hour)),
			verifyDay(r.Login, clock.Day(d.At)).zeroed(clock.NextDay(d.At).Add(24 * time.Hour)),
		} {
			steps = append(steps, step{write: types.TransactWriteItem{Update: &types.Update{
				TableName: aws.String(st.table), Key: in.Key, UpdateExpression: in.UpdateExpression, ExpressionAttributeValues: in.ExpressionAttributeValues,
			}}})
		}
	}
	if !r.Corrects() { // a correction's requester has no entry in the account's list
		steps = append(steps, step{write: types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(st.table),
			Key:                       entryKey(r.Login, r.SubmittedAt, r.ID),
			UpdateExpression:          aws.String("SET #st = :status, reason = :reason, decidedAt = :at"),
			ConditionExpression:       aws.String("#st = :pending"),
			ExpressionAttributeNames:  map[string]string{"#st": "status"},
			ExpressionAttributeValues: decided,
		}}})
	}
	if err := st.transact(ctx, "decide review", steps...); err != nil {
		return casework.Notice{}, err
	}
	return nt, nil
}

// accountDecision is what a decision does to the account, by the review's kind; its
// condition is that the account still waits on this review.
//   - identity: the verification status; an approval applies the name and validity dates and
//     marks the account for re-application when the name changed; a rejection keeps the reason.
//   - name change: the pending mark goes; an approval applies the name (and re-application).
//   - contact: the pending mark goes; an approval replaces mobile and e-mail and raises the
//     epoch, which ends every session and voids every reset link and code (but a WeChat one,
//     which holds by its binding).
//   - ownership: as contact, and the account becomes the holder's: the password is voided
//     (set through recovery), the profile goes (the previous holder's), the name is the
//     holder's and the verification an approved review's. Refused while the account has an
//     identity review or a name change pending, which a reviewer decides first.
func accountDecision(table string, d casework.Decision) *types.Update {
	r := d.Review
	u := &types.Update{
		TableName:                 aws.String(table),
		Key:                       accountKey(r.Login),
		ExpressionAttributeNames:  map[string]string{},
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": s(r.ID)},
	}
	names, values := u.ExpressionAttributeNames, u.ExpressionAttributeValues
	var set, remove []string
	rename := func() {
		names["#name"] = "name"
		values[":name"], values[":from"], values[":to"] = s(r.Name), s(r.IDValidFrom), s(r.IDValidTo)
		set = append(set, "#name = :name", "idValidFrom = :from", "idValidTo = :to")
		if r.RenamesAccount() {
			names["#re"] = "reapplyRequired"
			values[":true"] = boolean(true)
			set = append(set, "#v.#re = :true")
		}
	}
	contacts := func() {
		values[":phone"], values[":email"], values[":one"] = s(r.Phone), s(r.Email), n(1)
		set = append(set, "phone = :phone", "email = :email", "epoch = if_not_exists(epoch, :zero) + :one")
		values[":zero"] = n(0)
		// The filing proved its mobile with a code: a mobile marked unproven (a WeChat
		// registration's) is replaced by a proven one.
		remove = append(remove, "phoneUnproven")
	}
	names["#v"] = "verification"
	switch r.KindOf() {
	case casework.KindNameChange:
		names["#nc"] = "nameChangeId"
		u.ConditionExpression = aws.String("#v.#nc = :id")
		remove = append(remove, "#v.#nc")
		if d.Approve {
			rename()
		}
	case casework.KindContact:
		u.ConditionExpression = aws.String("correctionId = :id")
		remove = append(remove, "correctionId")
		if d.Approve {
			// The holder who changed the contacts since the filing, with the password, has
			// the account: the correction asks for what is no longer the case.
			cond := "correctionId = :id"
			for attr, old := range map[string]string{"phone": r.OldPhone, "email": r.OldEmail} {
				if old == "" {
					cond += " AND attribute_not_exists(" + attr + ")"
				} else {
					values[":old_"+attr] = s(old)
					cond += " AND " + attr + " = :old_" + attr
				}
			}
			u.ConditionExpression = aws.String(cond)
			contacts()
		}
	case casework.KindOwnership:
		u.ConditionExpression = aws.String("correctionId = :id")
		remove = append(remove, "correctionId")
		if d.Approve {
			names["#st"], names["#nc"] = "status", "nameChangeId"
			values[":inReview"] = s(account.StatusReviewPending)
			u.ConditionExpression = aws.String("correctionId = :id AND #v.#st <> :inReview AND attribute_not_exists(#v.#nc)")
			contacts()
			names["#name"] = "name"
			values[":name"], values[":from"], values[":to"] = s(r.Name), s(r.IDValidFrom), s(r.IDValidTo)
			values[":cleared"] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"status": s(account.StatusReviewApproved)}}
			set = append(set, "#name = :name", "idValidFrom = :from", "idValidTo = :to", "#v = :cleared", "ownedSince = :since")
			values[":since"] = n(d.At.UnixMilli())
			// The squatter's WeChat goes too: its 找回密码 would otherwise hand the account back.
			// The user's side of the binding (WXUSER#/BINDING) is not known here without a
			// read; it no longer counts once the account does not name the user
			// (wxservice's resetCode), and is dropped there.
			remove = append(remove, "passwordHash", "profile", "wechat")
		}
	default:
		names["#st"], names["#rid"], names["#rr"] = "status", "reviewId", "rejectReason"
		values[":inReview"] = s(account.StatusReviewPending)
		u.ConditionExpression = aws.String("#v.#st = :inReview AND #v.#rid = :id")
		if d.Approve {
			values[":accountStatus"] = s(account.StatusReviewApproved)
			set = append(set, "#v.#st = :accountStatus")
			remove = append(remove, "#v.#rr")
			rename()
		} else {
			values[":accountStatus"], values[":reason"] = s(account.StatusReviewRejected), s(d.Reason)
			set = append(set, "#v.#st = :accountStatus", "#v.#rr = :reason")
		}
	}
	expr := ""
	if len(set) > 0 {
		expr = "SET " + strings.Join(set, ", ")
	}
	if len(remove) > 0 {
		expr = strings.TrimSpace(expr + " REMOVE " + strings.Join(remove, ", "))
	}
	u.UpdateExpression = aws.String(expr)
	if !strings.Contains(*u.UpdateExpression+*u.ConditionExpression, "#v") {
		delete(names, "#v")
	}
	if len(names) == 0 {
		u.ExpressionAttributeNames = nil // DynamoDB refuses an empty map
	}
	return u
}

func merge(a, b map[string]types.AttributeValue) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

// ApproveFirst records a reviewer's first approval of a review that takes two
// (casework.NeedsSecondReviewer), while it is pending and has none: of two reviewers who
// give it at once, one does (ErrFirstApproved for the other, with whose it is);
// casework.ErrAlreadyDecided once decided. Nothing else changes: the account, the entry and
// the queue wait for the second approval. One UpdateItem.
func (st *Store) ApproveFirst(ctx context.Context, id, reviewerID string, at time.Time) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       reviewKey(id),
		UpdateExpression:          aws.String("SET firstApprovedBy = :by, firstApprovedAt = :at"),
		ConditionExpression:       aws.String("#st = :pending AND attribute_not_exists(firstApprovedBy) AND contains(readers, :by)"),
		ExpressionAttributeNames:  map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":by": s(reviewerID), ":at": n(at.UnixMilli()), ":pending": s(casework.Pending)},
	}, func(old map[string]types.AttributeValue) error {
		switch {
		case len(old) == 0:
			return ErrNotFound
		case getS(old, "status") != casework.Pending:
			return casework.ErrAlreadyDecided
		case getS(old, "firstApprovedBy") != "":
			return &FirstApprovedError{By: getS(old, "firstApprovedBy")}
		}
		return casework.ErrPhotoNotSeen
	})
	return err
}

// FirstApprovedError is a first approval refused because the review has one, by By.
type FirstApprovedError struct{ By string }

func (e *FirstApprovedError) Error() string { return "store: review approved first already" }

// MarkOverdueReported notes that a review's overdue report went out; false if another run
// noted it first. One UpdateItem.
func (st *Store) MarkOverdueReported(ctx context.Context, id string, at time.Time) (bool, error) {
	errReported := errors.New("reported")
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                       reviewKey(id),
		UpdateExpression:          aws.String("SET overdueReportedAt = :at"),
		ConditionExpression:       aws.String("#st = :pending AND attribute_not_exists(overdueReportedAt)"),
		ExpressionAttributeNames:  map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": n(at.UnixMilli()), ":pending": s(casework.Pending)},
	}, refusedWith(errReported))
	if errors.Is(err, errReported) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// UnmarkOverdueReported takes the note back when the report could not be sent, so that the
// next run reports the review again.
func (st *Store) UnmarkOverdueReported(ctx context.Context, id string) error {
	_, err := st.update(ctx, &dynamodb.UpdateItemInput{
		Key:                 reviewKey(id),
		UpdateExpression:    aws.String("REMOVE overdueReportedAt"),
		ConditionExpression: aws.String("attribute_exists(pk)"), // not a review made of nothing
	}, refusedWith(nil))
	return err
}

// GetReviewMeta reads a review without its photo. One GetItem.
func (st *Store) GetReviewMeta(ctx context.Context, id string) (casework.Review, error) {
	item, err := st.get(ctx, reviewKey(id))
	if err != nil {
		return casework.Review{}, err
	}
	it, err := decode[reviewItem](item)
	return casework.Review(it), err
}
