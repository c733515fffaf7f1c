package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Review statuses.
const (
	ReviewPending  = "pending"
	ReviewApproved = "approved"
	ReviewRejected = "rejected"
)

// Review is a manual-review submission. Its photo is a separate item, so listing the queue
// never reads photos; while pending it is in gsi1 under REVIEWS#pending, oldest first.
type Review struct {
	ID          string `dynamodbav:"reviewId"`
	Login       string `dynamodbav:"login"`
	AccountID   string `dynamodbav:"accountId"`
	Name        string `dynamodbav:"name"`
	IDType      string `dynamodbav:"idType"`
	IDNumber    string `dynamodbav:"idNumber"`
	IDValidFrom string `dynamodbav:"idValidFrom"`
	IDValidTo   string `dynamodbav:"idValidTo"`
	// NameBefore is the account's name when the review was submitted: an approval that
	// changes it marks the account for re-application.
	NameBefore string `dynamodbav:"nameBefore"`
	Phone      string `dynamodbav:"phone"`
	Email      string `dynamodbav:"email"`
	Status     string `dynamodbav:"status"`
	Reason     string `dynamodbav:"reason,omitempty"`
	// Times are epoch milliseconds.
	SubmittedAt       int64  `dynamodbav:"submittedAt"`
	DueAt             int64  `dynamodbav:"dueAt"`
	DecidedAt         int64  `dynamodbav:"decidedAt,omitempty"`
	DecidedBy         string `dynamodbav:"decidedBy,omitempty"`
	OverdueReportedAt int64  `dynamodbav:"overdueReportedAt,omitempty"`
}

func reviewKey(id string) map[string]types.AttributeValue { return key("REVIEW#"+id, "REVIEW") }
func photoKey(id string) map[string]types.AttributeValue  { return key("REVIEW#"+id, "PHOTO") }

// refKey is the review's entry in the applicant's own partition, for GET /v1/me/manual-reviews.
func refKey(login string, submittedAt int64, id string) map[string]types.AttributeValue {
	return key("ACCOUNT#"+login, fmt.Sprintf("REVIEW#%013d#%s", submittedAt, id))
}

func queueKey(status string) string { return "REVIEWS#" + status }

func queueSort(submittedAt int64, id string) string { return fmt.Sprintf("%013d#%s", submittedAt, id) }

// ReviewRef is what the applicant sees of a review.
type ReviewRef struct {
	ID          string `dynamodbav:"reviewId"`
	Status      string `dynamodbav:"status"`
	Reason      string `dynamodbav:"reason,omitempty"`
	SubmittedAt int64  `dynamodbav:"submittedAt"`
	DecidedAt   int64  `dynamodbav:"decidedAt,omitempty"`
}

// Refusals of SubmitReview, decided by the account's state at the moment of the write.
var (
	ErrAlreadyVerified   = errors.New("store: already verified or approved")
	ErrVerifyOnlineFirst = errors.New("store: no failed online verification yet")
)

// Quota is a limit on a counter: max uses in the period, which expires at Expires.
type Quota struct {
	Period  string
	Max     int
	Expires time.Time
}

// SubmitReview stores a pending review, its photo and the applicant's entry for it, moves the
// account to review_pending and counts the submission against the cycle's quota, in one
// transaction that holds only if the account may submit (not pending, not cleared, and for
// resident_id after a failed online verification) and the quota is not used up. It returns
// the uses counted with this one; ErrConflict means the quota was used up. Two round trips
// (the counter's read, the transaction); a counter moved by a concurrent submission between
// the two makes it try again.
func (st *Store) SubmitReview(ctx context.Context, r Review, photo []byte, q Quota) (int, error) {
	c := reviewCycle(r.Login, q.Period)
	for attempt := 0; attempt < 3; attempt++ {
		seen, err := st.count(ctx, c)
		if err != nil {
			return 0, err
		}
		if seen >= q.Max {
			return seen, ErrConflict
		}
		err = st.submitReview(ctx, r, photo, st.countStep(c, seen, q.Expires))
		if !errors.Is(err, errCounterMoved) {
			return seen + 1, err
		}
	}
	return 0, fmt.Errorf("submit review: the cycle's counter kept moving")
}

var errCounterMoved = errors.New("store: counter moved")

func (st *Store) submitReview(ctx context.Context, r Review, photo []byte, step types.TransactWriteItem) error {
	meta, err := itemOf(r, reviewKey(r.ID))
	if err != nil {
		return err
	}
	meta[attrGSI1PK] = s(queueKey(ReviewPending))
	meta[attrGSI1SK] = s(queueSort(r.SubmittedAt, r.ID))
	ref, err := itemOf(ReviewRef{ID: r.ID, Status: r.Status, SubmittedAt: r.SubmittedAt}, refKey(r.Login, r.SubmittedAt, r.ID))
	if err != nil {
		return err
	}
	photoItem := photoKey(r.ID)
	photoItem["photo"] = b(photo)
	notExists := aws.String("attribute_not_exists(pk)")
	_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(st.table), Item: meta, ConditionExpression: notExists}},
		{Put: &types.Put{TableName: aws.String(st.table), Item: photoItem, ConditionExpression: notExists}},
		{Put: &types.Put{TableName: aws.String(st.table), Item: ref, ConditionExpression: notExists}},
		{Update: &types.Update{
			TableName:        aws.String(st.table),
			Key:              accountKey(r.Login),
			UpdateExpression: aws.String("SET #v.#st = :pending, #v.#rid = :id, #v.#rr = :none"),
			ConditionExpression: aws.String("attribute_exists(pk) AND (#v.#st = :unverified OR #v.#st = :rejected) " +
				"AND (idType <> :resident OR #v.#of = :true)"),
			ExpressionAttributeNames: map[string]string{
				"#v": "verification", "#st": "status", "#rid": "reviewId", "#rr": "rejectReason", "#of": "onlineFailed",
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pending": s(StatusReviewPending), ":id": s(r.ID), ":none": s(""),
				":unverified": s(StatusUnverified), ":rejected": s(StatusReviewRejected),
				":resident": s("resident_id"), ":true": &types.AttributeValueMemberBOOL{Value: true},
			},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		step,
	}})
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && len(tce.CancellationReasons) == 5 && aws.ToString(tce.CancellationReasons[4].Code) == "ConditionalCheckFailed" &&
		aws.ToString(tce.CancellationReasons[3].Code) != "ConditionalCheckFailed" {
		return errCounterMoved
	}
	if errors.As(err, &tce) && len(tce.CancellationReasons) == 5 && aws.ToString(tce.CancellationReasons[3].Code) == "ConditionalCheckFailed" {
		a, uerr := decode[Account](tce.CancellationReasons[3].Item)
		if uerr != nil || len(tce.CancellationReasons[3].Item) == 0 {
			return ErrNotFound
		}
		switch {
		case a.Verification.Status == StatusReviewPending:
			return ErrReviewPending
		case a.Verification.Cleared():
			return ErrAlreadyVerified
		default:
			return ErrVerifyOnlineFirst
		}
	}
	return fmt.Errorf("submit review: %w", err)
}

// ListMyReviews lists an applicant's reviews, newest first. One Query.
func (st *Store) ListMyReviews(ctx context.Context, login string) ([]ReviewRef, error) {
	out, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(st.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s("ACCOUNT#" + login), ":prefix": s("REVIEW#"),
		},
		ScanIndexForward: aws.Bool(false),
		ConsistentRead:   aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("list my reviews: %w", err)
	}
	return decodeAll[ReviewRef](out.Items)
}

// QueuePage is one page of the reviewers' queue.
type QueuePage struct {
	Reviews []Review
	// Next is where the next page starts, or nil at the end. Callers sign it before handing
	// it out: it is a key of the table.
	Next map[string]string
}

// ListQueue lists reviews of a status, oldest first. One Query of gsi1.
func (st *Store) ListQueue(ctx context.Context, status string, limit int, start map[string]string) (QueuePage, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(st.table),
		IndexName:                 aws.String(GSI1),
		KeyConditionExpression:    aws.String("gsi1pk = :q"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":q": s(queueKey(status))},
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(int32(limit)),
	}
	if len(start) > 0 {
		in.ExclusiveStartKey = map[string]types.AttributeValue{}
		for k, v := range start {
			in.ExclusiveStartKey[k] = s(v)
		}
	}
	out, err := st.db.Query(ctx, in)
	if err != nil {
		return QueuePage{}, fmt.Errorf("list queue: %w", err)
	}
	reviews, err := decodeAll[Review](out.Items)
	if err != nil {
		return QueuePage{}, err
	}
	page := QueuePage{Reviews: reviews}
	if len(out.LastEvaluatedKey) > 0 {
		page.Next = map[string]string{}
		for k := range out.LastEvaluatedKey {
			page.Next[k] = getS(out.LastEvaluatedKey, k)
		}
	}
	return page, nil
}

// GetReview reads a review and its photo (not the partition's photo-read records). One
// BatchGetItem.
func (st *Store) GetReview(ctx context.Context, id string) (Review, []byte, error) {
	items, err := st.getMany(ctx, reviewKey(id), photoKey(id))
	if err != nil {
		return Review{}, nil, err
	}
	var r Review
	var photo []byte
	found := false
	for _, item := range items {
		switch getS(item, attrSK) {
		case "REVIEW":
			if r, err = decode[Review](item); err != nil {
				return Review{}, nil, err
			}
			found = true
		case "PHOTO":
			photo = getB(item, "photo")
		}
	}
	if !found {
		return Review{}, nil, ErrNotFound
	}
	return r, photo, nil
}

// RecordPhotoRead keeps who read a review's photo, and when: every read, for good. One PutItem.
func (st *Store) RecordPhotoRead(ctx context.Context, reviewID, reviewerID string, at time.Time) error {
	item := key("REVIEW#"+reviewID, fmt.Sprintf("READ#%013d#%s", at.UnixMilli(), reviewerID))
	item["reviewerId"] = s(reviewerID)
	item["readAt"] = n(at.UnixMilli())
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(st.table), Item: item})
	if err != nil {
		return fmt.Errorf("record photo read: %w", err)
	}
	return nil
}

// PhotoRead is one recorded read of a review's photo.
type PhotoRead struct {
	ReviewerID string `dynamodbav:"reviewerId"`
	ReadAt     int64  `dynamodbav:"readAt"`
}

// ListPhotoReads is the audit trail of a review's photo. One Query.
func (st *Store) ListPhotoReads(ctx context.Context, reviewID string) ([]PhotoRead, error) {
	out, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(st.table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("REVIEW#" + reviewID), ":prefix": s("READ#")},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("list photo reads: %w", err)
	}
	return decodeAll[PhotoRead](out.Items)
}

// Decision is a reviewer's verdict on a pending review.
type Decision struct {
	Review    Review // as read; its ID, Login and submission
	Approve   bool
	Reason    string
	DecidedBy string
	At        time.Time
}

// ErrAlreadyDecided is a decision on a review that has one.
var ErrAlreadyDecided = errors.New("store: review already decided")

// DecideReview records the decision on the review, on the applicant's entry and on the
// account in one transaction that holds only while the review is pending: of any number of
// concurrent decisions, one is made. An approval applies the review's name and validity
// dates, and marks the account for re-application when the name changed. The same
// transaction writes the notice still to send, which it returns. One TransactWriteItems.
func (st *Store) DecideReview(ctx context.Context, d Decision) (Notice, error) {
	r := d.Review
	status, accountStatus := ReviewRejected, StatusReviewRejected
	if d.Approve {
		status, accountStatus = ReviewApproved, StatusReviewApproved
	}
	at := d.At.UnixMilli()
	decided := map[string]types.AttributeValue{
		":status": s(status), ":reason": s(d.Reason), ":at": n(at), ":pending": s(ReviewPending),
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
	ref := &types.Update{
		TableName:                 aws.String(st.table),
		Key:                       refKey(r.Login, r.SubmittedAt, r.ID),
		UpdateExpression:          aws.String("SET #st = :status, reason = :reason, decidedAt = :at"),
		ConditionExpression:       aws.String("#st = :pending"),
		ExpressionAttributeNames:  map[string]string{"#st": "status"},
		ExpressionAttributeValues: decided,
	}
	account := &types.Update{
		TableName:           aws.String(st.table),
		Key:                 accountKey(r.Login),
		ConditionExpression: aws.String("#v.#st = :inReview AND #v.#rid = :id"),
		ExpressionAttributeNames: map[string]string{
			"#v": "verification", "#st": "status", "#rid": "reviewId", "#rr": "rejectReason",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":inReview": s(StatusReviewPending), ":id": s(r.ID), ":accountStatus": s(accountStatus),
		},
	}
	if d.Approve {
		account.UpdateExpression = aws.String("SET #v.#st = :accountStatus, #v.#rr = :none, #name = :name, idValidFrom = :from, idValidTo = :to" +
			reapply(r))
		account.ExpressionAttributeNames["#name"] = "name"
		account.ExpressionAttributeValues[":none"] = s("")
		account.ExpressionAttributeValues[":name"] = s(r.Name)
		account.ExpressionAttributeValues[":from"] = s(r.IDValidFrom)
		account.ExpressionAttributeValues[":to"] = s(r.IDValidTo)
		if r.Name != r.NameBefore {
			account.ExpressionAttributeNames["#re"] = "reapplyRequired"
			account.ExpressionAttributeValues[":true"] = &types.AttributeValueMemberBOOL{Value: true}
		}
	} else {
		account.UpdateExpression = aws.String("SET #v.#st = :accountStatus, #v.#rr = :reason")
		account.ExpressionAttributeValues[":reason"] = s(d.Reason)
	}
	nt, notice, err := st.noticePut(Notice{ReviewID: r.ID, Phone: r.Phone, Email: r.Email, Name: r.Name, Approve: d.Approve,
		NameChanged: d.Approve && r.Name != r.NameBefore, Reason: d.Reason, DecidedAt: at}, d.At.Add(NoticeLease))
	if err != nil {
		return Notice{}, err
	}
	_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: review}, {Update: ref}, {Update: account}, {Put: notice},
	}})
	if failed, ok := cancelled(err); ok {
		if len(failed) > 0 && failed[0] {
			return Notice{}, ErrAlreadyDecided
		}
		return Notice{}, fmt.Errorf("decide review: the account was not in review: %w", err)
	}
	if err != nil {
		return Notice{}, fmt.Errorf("decide review: %w", err)
	}
	return nt, nil
}

func reapply(r Review) string {
	if r.Name != r.NameBefore {
		return ", #v.#re = :true"
	}
	return ""
}

func merge(a, b map[string]types.AttributeValue) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// MarkOverdueReported notes that a review's overdue report went out; false if another run
// noted it first. One UpdateItem.
func (st *Store) MarkOverdueReported(ctx context.Context, id string, at time.Time) (bool, error) {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.table),
		Key:                       reviewKey(id),
		UpdateExpression:          aws.String("SET overdueReportedAt = :at"),
		ConditionExpression:       aws.String("#st = :pending AND (attribute_not_exists(overdueReportedAt) OR overdueReportedAt = :zero)"),
		ExpressionAttributeNames:  map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": n(at.UnixMilli()), ":pending": s(ReviewPending), ":zero": n(0)},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark overdue: %w", err)
	}
	return true, nil
}

// UnmarkOverdueReported takes the note back when the report could not be sent, so that the
// next run reports the review again.
func (st *Store) UnmarkOverdueReported(ctx context.Context, id string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.table),
		Key:                       reviewKey(id),
		UpdateExpression:          aws.String("SET overdueReportedAt = :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": n(0)},
	})
	if err != nil {
		return fmt.Errorf("unmark overdue: %w", err)
	}
	return nil
}

// GetReviewMeta reads a review without its photo. One GetItem.
func (st *Store) GetReviewMeta(ctx context.Context, id string) (Review, error) {
	item, err := st.get(ctx, reviewKey(id))
	if err != nil {
		return Review{}, err
	}
	return decode[Review](item)
}
