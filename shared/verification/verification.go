// Package verification is online real-name verification (实名核验, SPEC §1): three tries per
// account per CST day, after the profile and before any business; on failure the applicant is
// told what to do next.
package verification

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/idv"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/sitetext"
	"github.com/jszg/applicant-accounts/shared/store"
)

// Store counts tries and records results.
type Store interface {
	authn.Sessions
	CountVerification(ctx context.Context, login, day string, max int, expires time.Time) (int, error)
	UncountVerification(ctx context.Context, login, day string) error
	RecordVerification(ctx context.Context, login string, passed bool) (account.Account, error)
}

type result struct {
	Result         string  `json:"result"`
	RemainingToday int     `json:"remainingToday"`
	Guidance       *string `json:"guidance"`
	GuideURL       *string `json:"guideUrl"` // the CTID guide, when guidance sends the applicant to it
}

// GuidanceResidentID is what SPEC §1 tells a resident identity card's holder after a failed
// verification: the CTID guide, at guideURL, then manual review.
func GuidanceResidentID(guideURL string) string {
	return "如确认填写的信息无误，可能是您的身份信息近期发生过变化、公安系统尚未及时更新，请不要直接重复提交。" +
		"请参照《" + sitetext.GuideTitle + "》（" + guideURL + "）开通CTID网证后再进行实名核验；如开通网证失败，可申请人工审核。"
}

// GuidanceOther is what SPEC §1 tells the holder of any other document after a failed
// verification: manual review.
const GuidanceOther = "如确认填写的信息无误，可能是您的身份信息近期发生过变化、公安系统尚未及时更新，请不要直接重复提交，" +
	"请申请人工审核（提交证件信息和清晰的JPG照片，小于190KB）。"

// NewVerify answers POST /v1/me/verifications: one verification by provider. Two round trips
// (the session and the account with the day's try counted alongside; the result) and one
// provider call. A try counted for a caller who is not let in, or refused before the
// provider, is given back; so is one whose provider was down. guideURL is where the CTID
// guide is (CTID_GUIDE_URL), which a failed resident_id is sent to.
func NewVerify(db Store, provider idv.Provider, clk clock.Clock, guideURL string) api.HandlerFunc {
	count := func(ctx context.Context, _ *api.Request, login string, now time.Time) (any, error) {
		return db.CountVerification(ctx, login, clock.Day(now), quota.VerificationsPerDay, clock.NextDay(now).Add(24*time.Hour))
	}
	uncount := func(ctx context.Context, login string, now time.Time, _ any) {
		if err := db.UncountVerification(ctx, login, clock.Day(now)); err != nil {
			slog.ErrorContext(ctx, "could not give back a verification try", slog.String("err", err.Error()))
		}
	}
	return authn.NewGate(db, clk).Counting(count, uncount).Profiled(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		a := p.Account
		if err := a.MayChangeIdentity(); err != nil {
			return nil, profile.ReviewPending()
		}
		now := clk.Now()
		used, err := authn.ReadOf[int](p)
		if errors.Is(err, store.ErrQuotaFull) {
			return nil, api.QuotaExceeded("今日实名核验次数已用完（每日3次），请明天再试或申请人工审核", clock.SecondsUntil(now, clock.NextDay(now)))
		}
		if err != nil {
			return nil, err
		}
		giveBack := func() { uncount(context.WithoutCancel(ctx), a.Login, p.ReadAt(), nil) }
		passed, err := provider.Verify(ctx, idv.Identity{IDType: a.IDType, IDNumber: a.Login, Name: a.Name})
		if err != nil {
			giveBack()
			metrics.CountBy(ctx, metrics.Verifications, metrics.Result, "unavailable")
			metrics.CountBy(ctx, metrics.ProviderFailures, metrics.Provider, "idv")
			return nil, api.Unavailable("实名核验服务暂时不可用，请稍后重试（本次不计入当日次数）", 60, err)
		}
		if _, err := db.RecordVerification(ctx, a.Login, passed); err != nil {
			if errors.Is(err, account.ErrReviewPending) {
				return nil, profile.ReviewPending()
			}
			return nil, err // the provider ran: the try is spent even if its result was not kept
		}
		out := result{Result: "passed", RemainingToday: quota.VerificationsPerDay - used}
		if !passed {
			out.Result = "failed"
			g := GuidanceOther
			if a.IDType == string(identity.ResidentID) {
				g = GuidanceResidentID(guideURL)
				out.GuideURL = &guideURL
			}
			out.Guidance = &g
		}
		metrics.CountBy(ctx, metrics.Verifications, metrics.Result, out.Result)
		return api.JSON(http.StatusOK, out), nil
	})
}
