// Package casework holds a manual review as a case: what the applicant submitted, the
// reviewer's decision on it, and the notice that tells the applicant, with the rules that
// read them (when a case is overdue, what a decision does to the account, how long a notice
// is tried). It knows nothing of storage.
package casework

import (
	"errors"
	"time"
)

// Statuses of a review.
const (
	Pending  = "pending"
	Approved = "approved"
	Rejected = "rejected"
)

// Kinds of review. An identity review clears an applicant who failed online verification;
// a name change renames a cleared applicant; a contact correction replaces the mobile and
// e-mail of an applicant who can no longer log in or recover; an ownership claim hands an
// account registered with someone else's document number to the document's holder.
const (
	KindIdentity   = "identity"
	KindNameChange = "name_change"
	KindContact    = "contact"
	KindOwnership  = "ownership"
)

// Kinds lists every kind, in the order reviewers' filters show them.
func Kinds() []string { return []string{KindIdentity, KindNameChange, KindContact, KindOwnership} }

// Review is a manual-review submission. Times are epoch milliseconds.
type Review struct {
	ID string
	// Kind is one of the Kind constants; items written before kinds existed have none and
	// are identity reviews (KindOf).
	Kind        string
	Login       string
	AccountID   string
	Name        string
	IDType      string
	IDNumber    string
	IDValidFrom string
	IDValidTo   string
	// NameBefore is the account's name when the review was submitted: an approval that
	// changes it marks the account for re-application.
	NameBefore string
	// Phone and Email are where the decision is told: the account's (its mobile only if
	// proven: account.ProvenPhone), or for a correction the new ones it asks for (proven by a
	// code, and typed by the requester). No phone, no text.
	Phone string
	Email string
	// OldPhone and OldEmail are a correction's account contacts when it was filed: told when
	// it is approved (the mobile only if the account had proven it: OldPhoneUnproven false),
	// shown masked to the reviewer, never to the requester. The approval holds only while
	// the account still has them.
	OldPhone          string
	OldEmail          string
	OldPhoneUnproven  bool
	Status            string
	Reason            string
	SubmittedAt       int64
	DueAt             int64
	DecidedAt         int64
	DecidedBy         string
	OverdueReportedAt int64
	// FirstApprovedBy and FirstApprovedAt: a correction's first approval (NeedsSecondReviewer),
	// by that reviewer's account id; the approval that hands the account over is another's.
	FirstApprovedBy string
	FirstApprovedAt int64
	// PhotoKeptIn is an earlier review whose kept photo a correction's upload is, byte for
	// byte: a photo the desk served, as only a reviewer has it (shown to the reviewers).
	PhotoKeptIn string
}

// NeedsSecondReviewer reports a review whose approval takes two reviewers: a contact
// correction or an ownership claim hands the account's recovery, or the account itself, to
// whoever filed it (found by an attack on make run: a reviewer filed a correction of any
// applicant's contacts as an outsider, approved it alone, and reset the password within a
// second). The first approval changes nothing on the account; a rejection, by either, is
// final as any.
func (r Review) NeedsSecondReviewer() bool { return r.Corrects() }

// Overdue reports a review still pending after its due time.
func (r Review) Overdue(now time.Time) bool {
	return r.Status == Pending && now.UnixMilli() > r.DueAt
}

// KindOf is the review's kind.
func (r Review) KindOf() string {
	if r.Kind == "" {
		return KindIdentity
	}
	return r.Kind
}

// Corrects reports a review filed without logging in, about the account's contacts: no
// entry in the account's own list, and its approval replaces the contacts.
func (r Review) Corrects() bool {
	k := r.KindOf()
	return k == KindContact || k == KindOwnership
}

// RenamesAccount reports a review whose approval changes the account's name and asks for
// the qualification application again: an identity review that corrected the name, or a
// name change. (An ownership claim puts the holder's name on an account whose applications
// were never the holder's.)
func (r Review) RenamesAccount() bool {
	k := r.KindOf()
	return (k == KindIdentity || k == KindNameChange) && r.Name != r.NameBefore
}

// Entry is what the applicant sees of one of their reviews.
type Entry struct {
	ID          string
	Kind        string
	Status      string
	Reason      string
	SubmittedAt int64
	DueAt       int64
	DecidedAt   int64
}

// Decision is a reviewer's verdict on a pending review.
type Decision struct {
	Review    Review // as read; its ID, Login and submission
	Approve   bool
	Reason    string
	DecidedBy string
	At        time.Time
}

// Status is the review's status the decision gives.
func (d Decision) Status() string {
	if d.Approve {
		return Approved
	}
	return Rejected
}

// SLAWorkingDays is the promised answer time of every kind of review.
const SLAWorkingDays = 7

// ErrAlreadyDecided is a decision on a review that has one.
var ErrAlreadyDecided = errors.New("casework: review already decided")

// ErrSameReviewer is a second approval by the reviewer who gave the first.
var ErrSameReviewer = errors.New("casework: the second approval must be another reviewer's")

// ErrPhotoNotSeen is an approval of a correction by a reviewer who has not opened its photo:
// each of its two approvals is given on the photo, never on the other's word.
var ErrPhotoNotSeen = errors.New("casework: the approver has not opened the photo")

// ErrFirstApprovalMissing is a handing-over approval of a review without a first one (the
// handler gives a first approval instead, so only a bug or a hand-made request reaches it).
var ErrFirstApprovalMissing = errors.New("casework: no first approval")

// ErrContactsChanged is a contact correction's approval after the account's contacts were
// changed (by its holder, with the password) since the correction was filed.
var ErrContactsChanged = errors.New("casework: the account's contacts changed since the filing")

// ErrOtherReviewPending is an ownership claim's approval while the account waits on another
// review, which must be decided first.
var ErrOtherReviewPending = errors.New("casework: another review of the account is pending")

// Notice is a decision the applicant has not yet been told of on every channel. It is
// written with the decision, so a decision is never without its notice, and it is deleted
// once SMS and mail have both gone out.
type Notice struct {
	ReviewID    string
	Kind        string
	Phone       string // E.164
	Email       string
	Name        string
	Approve     bool
	NameChanged bool
	Reason      string
	// OldPhone and OldEmail: an approved correction also tells the contacts it replaced.
	OldPhone string
	OldEmail string
	// SMS, Mail, OldSMS and OldMail are the channels still to send.
	SMS     bool
	Mail    bool
	OldSMS  bool
	OldMail bool
	// LeaseUntil (epoch ms): whoever leased the notice is sending it until then; nobody else.
	LeaseUntil int64
	Attempts   int
	DecidedAt  int64 // epoch ms
	ExpiresAt  int64 // epoch s: a notice undelivered for this long is given up
}

const (
	// NoticeLife is how long an undelivered notice is retried.
	NoticeLife = 7 * 24 * time.Hour
	// NoticeLease is how long one sender has a notice to itself: longer than sending an SMS
	// and a mail can take within a function's timeout.
	NoticeLease = 2 * time.Minute
)

// NoticeOf is the notice a decision writes: both channels still to send, leased to the
// decider until lease so that it sends at once and the retry job leaves it alone meanwhile.
func NoticeOf(d Decision, lease time.Time) Notice {
	r, at := d.Review, d.At.UnixMilli()
	nt := Notice{
		ReviewID: r.ID, Kind: r.KindOf(), Phone: r.Phone, Email: r.Email, Name: r.Name, Approve: d.Approve,
		NameChanged: d.Approve && r.RenamesAccount(), Reason: d.Reason,
		SMS: r.Phone != "", Mail: true, Attempts: 1, LeaseUntil: lease.UnixMilli(), DecidedAt: at,
		ExpiresAt: d.At.Add(NoticeLife).Unix(),
	}
	if d.Approve && r.Corrects() {
		nt.OldPhone, nt.OldEmail = r.OldPhone, r.OldEmail
		nt.OldSMS = r.OldPhone != "" && !r.OldPhoneUnproven && r.OldPhone != r.Phone
		nt.OldMail = r.OldEmail != "" && r.OldEmail != r.Email
	}
	return nt
}

// Channels are a notice's channels still to send.
type Channels struct{ SMS, Mail, OldSMS, OldMail bool }

// Left are the channels of nt still to send.
func (nt Notice) Left() Channels {
	return Channels{SMS: nt.SMS, Mail: nt.Mail, OldSMS: nt.OldSMS, OldMail: nt.OldMail}
}

// None reports nothing left to send.
func (c Channels) None() bool { return !c.SMS && !c.Mail && !c.OldSMS && !c.OldMail }

// PhotoRetention is how long a review's photo is kept after its decision, unless the
// deployment says otherwise (PhotoRetentionDays). The photo serves the decision; after it,
// personal data is kept only as long as a purpose needs it (PIPL art. 19): a month covers
// an applicant's complaint about a rejection and a supervisor's check of a sample of
// decisions, and a rejected applicant resubmits a new photo anyway. Who read the photo, and
// when, is kept for good.
const PhotoRetention = 30 * 24 * time.Hour

// ErrLeaseHeld is a notice another sender is working on.
var ErrLeaseHeld = errors.New("casework: notice leased by another sender")
