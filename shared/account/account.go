// Package account holds the applicant's and the reviewer's account, its profile and where it
// stands with real-name verification, with the rules that read them: whether it may file a
// manual review or change its identity, what it must do next.
// It knows nothing of storage: the store keeps these values in items of its own shape, and
// makes each rule's condition hold under concurrency by guarding the state the rule read.
package account

import "errors"

// Roles an account can have.
const (
	RoleApplicant = "applicant"
	RoleReviewer  = "reviewer"
)

// Verification statuses, as GET /v1/me spells them.
const (
	StatusUnverified     = "unverified"
	StatusVerified       = "verified"
	StatusReviewPending  = "review_pending"
	StatusReviewApproved = "review_approved"
	StatusReviewRejected = "review_rejected"
)

// Account is an applicant's or a reviewer's account. Its login name is the document number
// (upper-case) or the reviewer's login, and is unique.
type Account struct {
	Login               string
	AccountID           string // random, opaque, unrelated to the login
	Role                string
	IDType              string
	Name                string
	IDValidFrom         string
	IDValidTo           string
	PasswordHash        string
	Email               string
	Phone               string // E.164
	AgreementVersion    string
	AgreementAcceptedAt string
	CreatedAt           string
	// Epoch rises with every completed password reset; sessions, reset links and reset codes
	// carry the epoch they were made in, and are void once it has moved on.
	Epoch int64
	// TOTPSecret is a reviewer's second factor (base32, RFC 6238), enrolled by the operator;
	// TOTPStep is the time step of the last code accepted, so that no code is used twice.
	TOTPSecret string
	TOTPStep   int64
	// WechatUser is the bound WeChat user (a keyed hash of the OpenID), if any.
	WechatUser string
	// PhoneUnproven: registered with a code asked in WeChat, so no code ever reached the
	// mobile; it is shown so, and proven by a change of mobile.
	PhoneUnproven bool
	// CorrectionID is the pending contact correction or ownership claim on the account, filed
	// without logging in: one at a time.
	CorrectionID string
	// OwnedSince (epoch ms) is when an approved ownership claim handed the account to its
	// holder: the manual reviews filed before are the previous holder's, not listed.
	OwnedSince int64
	// Profile is nil until the first-login profile is complete.
	Profile      *Profile
	Verification Verification
}

// Profile is what the first login completes (完善个人信息).
type Profile struct {
	Ethnicity     string // GB/T 3304 code
	Gender        string
	BirthDate     string
	LocalIDNumber string
	PermitNumber  string
}

// Verification is where the applicant stands with real-name verification and manual review.
type Verification struct {
	Status string
	// OnlineFailed: at least one online verification failed, which a resident_id applicant
	// needs before a manual review.
	OnlineFailed bool
	ReviewID     string
	RejectReason string
	// ReapplyRequired: an approved review changed the name, so an earlier qualification
	// application (认定报名) must be submitted again.
	ReapplyRequired bool
	// NameChangeID is a cleared applicant's pending name change: the applicant stays cleared
	// meanwhile, and files no other.
	NameChangeID string
}

// ProvenPhone is the mobile the site may text: the account's, unless no code ever reached it
// (PhoneUnproven), when it is "": the site texts no number that never showed it reaches the
// holder.
func (a Account) ProvenPhone() string {
	if a.PhoneUnproven {
		return ""
	}
	return a.Phone
}

// Session is a logged-in bearer token's record: whose, of which role and password epoch,
// and until when (epoch seconds): ExpiresAt absolutely, IdleUntil without a request.
type Session struct {
	Login     string
	AccountID string
	Role      string
	Epoch     int64
	CreatedAt int64
	ExpiresAt int64
	IdleUntil int64
}

// Refusals by an account's state.
var (
	// ErrExists is a second account for one login.
	ErrExists = errors.New("account: exists")
	// ErrReviewPending is a change, a verification or a review while a review is pending.
	ErrReviewPending = errors.New("account: review pending")
	// ErrAlreadyVerified is a manual review from an applicant already cleared.
	ErrAlreadyVerified = errors.New("account: already verified or approved")
	// ErrVerifyOnlineFirst is a resident_id applicant's review before a failed verification.
	ErrVerifyOnlineFirst = errors.New("account: no failed online verification yet")
	// ErrLocked is a login while its name is locked, or while as many attempts as the lock
	// allows are being checked.
	ErrLocked = errors.New("account: locked")
	// ErrCodeReused is a second factor's code that was already accepted once.
	ErrCodeReused = errors.New("account: second-factor code already used")
	// ErrNotCleared is a name change from an applicant not yet verified or approved, who
	// corrects the name with an identity review instead.
	ErrNotCleared = errors.New("account: not verified or approved")
	// ErrCorrectionPending is a second correction or claim while one is pending.
	ErrCorrectionPending = errors.New("account: correction pending")
)

// Cleared reports an applicant who may do business: verified online or approved by review.
func (v Verification) Cleared() bool {
	return v.Status == StatusVerified || v.Status == StatusReviewApproved
}

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

// MayChangeName says whether a cleared applicant may file a name change now: once cleared,
// and not while another is pending.
func (a Account) MayChangeName() error {
	switch {
	case !a.Verification.Cleared():
		return ErrNotCleared
	case a.Verification.NameChangeID != "":
		return ErrReviewPending
	}
	return nil
}

// MayBeCorrected says whether a contact correction or ownership claim may be filed on the
// account: an applicant's, with none pending.
func (a Account) MayBeCorrected() error {
	switch {
	case a.Role != RoleApplicant:
		return ErrNotApplicant
	case a.CorrectionID != "":
		return ErrCorrectionPending
	}
	return nil
}

// ErrNotApplicant is an applicant's request about an account that is not an applicant's.
var ErrNotApplicant = errors.New("account: not an applicant")

// MayChangeIdentity says whether the profile may change or a verification run: not while a
// manual review is pending, whose reviewer must see what the applicant submitted.
func (a Account) MayChangeIdentity() error {
	if a.Verification.Status == StatusReviewPending {
		return ErrReviewPending
	}
	return nil
}

// Next steps, as the login answer and GET /v1/me spell them.
const (
	StepCompleteProfile = "complete_profile"
	StepVerifyIdentity  = "verify_identity"
	StepReviewPending   = "review_pending"
	StepNone            = "none"
)

// NextStep is what the account must do before anything else.
func (a Account) NextStep() string {
	switch {
	case a.Role != RoleApplicant:
		return StepNone
	case a.Profile == nil:
		return StepCompleteProfile
	case a.Verification.Status == StatusReviewPending:
		return StepReviewPending
	case a.Verification.Cleared():
		return StepNone
	default:
		return StepVerifyIdentity
	}
}
