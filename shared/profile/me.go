// Package profile is the first-login profile (完善个人信息, SPEC §1): GET /v1/me and
// PUT /v1/me/profile.
package profile

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/quota"
)

// UsageReader reads the applicant's quota counters.
type UsageReader interface {
	GetUsage(ctx context.Context, login, day, cycle string) (quota.Usage, error)
}

// View is the answer of GET /v1/me (and of PUT /v1/me/profile).
type View struct {
	AccountID       string           `json:"accountId"`
	IDType          string           `json:"idType"`
	IDNumberMasked  string           `json:"idNumberMasked"`
	Name            string           `json:"name"`
	EmailMasked     *string          `json:"emailMasked"` // nil: none (an account made by a first 教育部 login)
	PhoneMasked     *string          `json:"phoneMasked"`
	PhoneVerified   bool             `json:"phoneVerified"`
	WechatBound     bool             `json:"wechatBound"`
	Profile         ProfileView      `json:"profile"`
	ProfileComplete bool             `json:"profileComplete"`
	Verification    VerificationView `json:"verification"`
	NextStep        string           `json:"nextStep"`
}

// ProfileView shows what the profile holds; the local card and permit numbers are masked
// like the document number.
type ProfileView struct {
	Ethnicity     string `json:"ethnicity,omitempty"`
	EthnicityCode string `json:"ethnicityCode,omitempty"`
	Gender        string `json:"gender,omitempty"`
	BirthDate     string `json:"birthDate,omitempty"`
	LocalIDNumber string `json:"localIdNumberMasked,omitempty"`
	PermitNumber  string `json:"permitNumberMasked,omitempty"`
}

// VerificationView is where the applicant stands with verification and review.
type VerificationView struct {
	Status                   string  `json:"status"`
	RemainingToday           int     `json:"remainingToday"`
	ManualRemainingThisCycle int     `json:"manualRemainingThisCycle"`
	RejectReason             *string `json:"rejectReason"`
	ReapplyRequired          bool    `json:"reapplyRequired"`
}

// MeStore reads sessions, accounts and quota counters.
type MeStore interface {
	authn.Sessions
	UsageReader
}

// NewMe answers GET /v1/me: the caller's account. One round trip: the session and the
// account in one batch, the two quota counters in another sent with it.
func NewMe(db MeStore, clk clock.Clock) api.HandlerFunc {
	return authn.NewGate(db, clk).Reading(usageOf(db)).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		u, err := authn.ReadOf[quota.Usage](p)
		if err != nil {
			return nil, err
		}
		return api.JSON(http.StatusOK, Show(p.Account, u)), nil
	})
}

// usageOf reads the applicant's counters of the CST day and the cycle, alongside the session.
func usageOf(db UsageReader) authn.Read {
	return func(ctx context.Context, _ *api.Request, login string, now time.Time) (any, error) {
		return db.GetUsage(ctx, login, clock.Day(now), clock.Cycle(now))
	}
}

// Show builds the view of an account as it stands, with its counters u.
func Show(a account.Account, u quota.Usage) View {
	v := View{
		AccountID:       a.AccountID,
		IDType:          a.IDType,
		IDNumberMasked:  identity.MaskDocumentNumber(a.Login),
		Name:            a.Name,
		EmailMasked:     masked(a.Email, identity.MaskEmail),
		PhoneMasked:     masked(a.Phone, identity.MaskPhone),
		PhoneVerified:   !a.PhoneUnproven,
		WechatBound:     a.WechatUser != "",
		ProfileComplete: a.Profile != nil,
		Verification: VerificationView{
			Status:                   a.Verification.Status,
			RemainingToday:           max(0, quota.VerificationsPerDay-u.VerificationsToday),
			ManualRemainingThisCycle: max(0, quota.ReviewsPerCycle-u.ReviewsThisCycle),
			ReapplyRequired:          a.Verification.ReapplyRequired,
		},
		NextStep: a.NextStep(),
	}
	if a.Verification.Status == account.StatusReviewRejected && a.Verification.RejectReason != "" {
		reason := a.Verification.RejectReason
		v.Verification.RejectReason = &reason
	}
	if p := a.Profile; p != nil {
		v.Profile = ProfileView{
			EthnicityCode: p.Ethnicity,
			Gender:        p.Gender,
			BirthDate:     p.BirthDate,
			LocalIDNumber: maskShort(p.LocalIDNumber),
			PermitNumber:  maskShort(p.PermitNumber),
		}
		if e, err := identity.LookupEthnicity(p.Ethnicity); err == nil {
			v.Profile.Ethnicity = e.Name
		}
	}
	return v
}

// masked is v masked, or nil for none.
func masked(v string, mask func(string) string) *string {
	if v == "" {
		return nil
	}
	m := mask(v)
	return &m
}

// maskShort keeps the first and last two characters of a short number.
func maskShort(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("*", len(s))
	}
	out := []byte(s)
	for i := 2; i < len(out)-2; i++ {
		out[i] = '*'
	}
	return string(out)
}
