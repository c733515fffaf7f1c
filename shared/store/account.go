package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Account is an applicant's or a reviewer's account. It is keyed by its login name (the
// document number, upper-case), so that "one account per document number" is the primary
// key's uniqueness and holds under any concurrency.
type Account struct {
	Login               string `dynamodbav:"login"`
	AccountID           string `dynamodbav:"accountId"`
	Role                string `dynamodbav:"role"`
	IDType              string `dynamodbav:"idType,omitempty"`
	Name                string `dynamodbav:"name"`
	IDValidFrom         string `dynamodbav:"idValidFrom,omitempty"`
	IDValidTo           string `dynamodbav:"idValidTo,omitempty"`
	PasswordHash        string `dynamodbav:"passwordHash"`
	Email               string `dynamodbav:"email,omitempty"`
	Phone               string `dynamodbav:"phone,omitempty"`
	AgreementVersion    string `dynamodbav:"agreementVersion,omitempty"`
	AgreementAcceptedAt string `dynamodbav:"agreementAcceptedAt,omitempty"`
	CreatedAt           string `dynamodbav:"createdAt"`
	// Epoch rises with every completed password reset; sessions, reset links and reset codes
	// carry the epoch they were made in, and are void once it has moved on.
	Epoch int64 `dynamodbav:"epoch"`
	// FailedLogins counts wrong passwords in a row; LockedUntil (epoch seconds) is set when
	// they reach the limit.
	FailedLogins int   `dynamodbav:"failedLogins"`
	LockedUntil  int64 `dynamodbav:"lockedUntil,omitempty"`
	// Profile is nil until the first-login profile is complete.
	Profile      *Profile     `dynamodbav:"profile,omitempty"`
	Verification Verification `dynamodbav:"verification"`
}

// Profile is what the first login completes (完善个人信息).
type Profile struct {
	Ethnicity     string `dynamodbav:"ethnicity" json:"ethnicity"` // GB/T 3304 code
	Gender        string `dynamodbav:"gender,omitempty" json:"gender,omitempty"`
	BirthDate     string `dynamodbav:"birthDate,omitempty" json:"birthDate,omitempty"`
	LocalIDNumber string `dynamodbav:"localIdNumber,omitempty" json:"localIdNumber,omitempty"`
	PermitNumber  string `dynamodbav:"permitNumber,omitempty" json:"permitNumber,omitempty"`
}

// Verification statuses, as GET /v1/me spells them.
const (
	StatusUnverified     = "unverified"
	StatusVerified       = "verified"
	StatusReviewPending  = "review_pending"
	StatusReviewApproved = "review_approved"
	StatusReviewRejected = "review_rejected"
)

// Verification is where the applicant stands with real-name verification and manual review.
type Verification struct {
	Status string `dynamodbav:"status"`
	// OnlineFailed: at least one online verification failed, which a resident_id applicant
	// needs before a manual review.
	OnlineFailed bool   `dynamodbav:"onlineFailed,omitempty"`
	ReviewID     string `dynamodbav:"reviewId,omitempty"`
	RejectReason string `dynamodbav:"rejectReason,omitempty"`
	// ReapplyRequired: an approved review changed the name, so an earlier qualification
	// application (认定报名) must be submitted again.
	ReapplyRequired bool `dynamodbav:"reapplyRequired,omitempty"`
}

// Cleared reports an applicant who may do business: verified online or approved by review.
func (v Verification) Cleared() bool {
	return v.Status == StatusVerified || v.Status == StatusReviewApproved
}

// Refusals of a manual review by the account's state.
var (
	ErrAlreadyVerified   = errors.New("store: already verified or approved")
	ErrVerifyOnlineFirst = errors.New("store: no failed online verification yet")
)

// MaySubmitReview says whether the account may file a manual review now: not while one is
// pending, not once cleared, and for a resident_id only after a failed online verification.
func (a Account) MaySubmitReview() error {
	switch {
	case a.Verification.Status == StatusReviewPending:
		return ErrReviewPending
	case a.Verification.Cleared():
		return ErrAlreadyVerified
	case a.IDType == "resident_id" && !a.Verification.OnlineFailed:
		return ErrVerifyOnlineFirst
	}
	return nil
}

// Locked reports whether the account refuses logins at now, and until when.
func (a Account) Locked(now time.Time) (time.Time, bool) {
	until := time.Unix(a.LockedUntil, 0)
	return until, a.LockedUntil > now.Unix()
}

// Roles an account can have.
const (
	RoleApplicant = "applicant"
	RoleReviewer  = "reviewer"
)

// ErrAccountExists is a second account for one login.
var ErrAccountExists = errors.New("store: account exists")

func (st *Store) accountItem(a Account) (map[string]types.AttributeValue, error) {
	return itemOf(a, accountKey(a.Login))
}

// RegisterAccount creates an applicant's account and spends the SMS code that proves the
// mobile, in one transaction: both happen or neither does. ErrAccountExists wins over a code
// that is no longer spendable (ErrCodeSpent), so a double submission reads as what it is.
func (st *Store) RegisterAccount(ctx context.Context, a Account, code CodeKey, codeHash []byte, now time.Time) error {
	item, err := st.accountItem(a)
	if err != nil {
		return err
	}
	return st.transact(ctx, "register account",
		step{
			write: types.TransactWriteItem{Put: &types.Put{
				TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}},
			refusal: refusedWith(ErrAccountExists),
		},
		st.spendCode(code, codeHash, a.Login, now))
}

// CreateAccount creates an account with no code to spend: reviewers, made by an operator.
func (st *Store) CreateAccount(ctx context.Context, a Account) error {
	item, err := st.accountItem(a)
	if err != nil {
		return err
	}
	if err := st.create(ctx, item); errors.Is(err, ErrExists) {
		return ErrAccountExists
	} else if err != nil {
		return err
	}
	return nil
}

// GetAccount reads an account by its login. One GetItem.
func (st *Store) GetAccount(ctx context.Context, login string) (Account, error) {
	item, err := st.get(ctx, accountKey(login))
	if err != nil {
		return Account{}, err
	}
	return decode[Account](item)
}
