package auth

import (
	"context"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/store"
)

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

// Profiled serves next to applicants whose first-login profile is complete: the gate of
// verification and manual review, which come before any other business.
func (a *Authenticator) Profiled(next HandlerFunc) api.HandlerFunc {
	return a.Applicant(func(ctx context.Context, r *api.Request, p *Principal) (*api.Response, error) {
		if p.Account.Profile == nil {
			return nil, api.Forbidden(api.CodeProfileIncomplete, "请先完善个人信息")
		}
		return next(ctx, r, p)
	})
}

// Business is the gate of every business route (认定报名 and the like): a complete profile and
// a passed verification or approved review. A route adopts it in one line:
//
//	api.Serve(authn.Business(handler))
func (a *Authenticator) Business(next HandlerFunc) api.HandlerFunc {
	return a.Profiled(func(ctx context.Context, r *api.Request, p *Principal) (*api.Response, error) {
		if !p.Account.Verification.Cleared() {
			return nil, api.Forbidden(api.CodeVerificationRequired, "请先通过实名核验（或人工审核）后再办理业务")
		}
		return next(ctx, r, p)
	})
}
