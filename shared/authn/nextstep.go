package authn

import "github.com/jszg/applicant-accounts/shared/store"

// Next steps, as the login answer and GET /v1/me spell them.
const (
	StepCompleteProfile = "complete_profile"
	StepVerifyIdentity  = "verify_identity"
	StepReviewPending   = "review_pending"
	StepNone            = "none"
)

// NextStep is what an account must do before anything else.
func NextStep(a store.Account) string {
	switch {
	case a.Role != store.RoleApplicant:
		return StepNone
	case a.Profile == nil:
		return StepCompleteProfile
	case a.Verification.Status == store.StatusReviewPending:
		return StepReviewPending
	case a.Verification.Cleared():
		return StepNone
	default:
		return StepVerifyIdentity
	}
}
