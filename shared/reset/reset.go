// Package reset holds a password recovery in progress: the request that step 1 found an
// account for, and the links mailed for it. It knows nothing of storage.
package reset

import "errors"

// Request is recovery step 1's result: the account matched, where to reach its holder, and
// the password epoch it was made in. Its ID is handed to the applicant.
type Request struct {
	ID        string
	Login     string
	Name      string
	Epoch     int64
	Phone     string
	Email     string
	Mails     int   // mails sent for it so far
	ExpiresAt int64 // epoch s
}

// Link is an e-mailed reset link, known by the hash of its token only.
type Link struct {
	Login     string
	Epoch     int64
	ResetID   string // the request it was mailed for, which its use ends too
	ExpiresAt int64  // epoch s
}

// Dead reports a request made before the account's password last changed: whatever it sends
// could never be used, so it sends nothing.
func (r Request) Dead(accountEpoch int64) bool { return r.Epoch != accountEpoch }

// Refusals of a reset.
var (
	// ErrMailsUsedUp is a request that has sent all the mails it may.
	ErrMailsUsedUp = errors.New("reset: mails used up")
	// ErrProofSpent is a link, or a request, used or expired before its completion.
	ErrProofSpent = errors.New("reset: proof used or expired")
	// ErrEpochMoved is a completion whose account had its password reset meanwhile.
	ErrEpochMoved = errors.New("reset: password reset meanwhile")
)
