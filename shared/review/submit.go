// Package review is manual review (人工审核, SPEC §1): applicants submit their identity fields
// and a photo, three times per half-year cycle at most; reviewers take the queue oldest first,
// see the photo (every read recorded) and decide once.
package review

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/photo"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// SLAWorkingDays is the promised answer time.
const SLAWorkingDays = casework.SLAWorkingDays

// SubmitStore files reviews.
type SubmitStore interface {
	authn.Sessions
	SubmitReview(ctx context.Context, seen account.Account, r casework.Review, photo []byte, q quota.Limit) (int, error)
	GetUsage(ctx context.Context, login, day, cycle string) (quota.Usage, error)
	CountPhotoCheck(ctx context.Context, login string, at time.Time, max int) error
	UncountPhotoCheck(ctx context.Context, login string, at time.Time) error
}

// PhotoChecksPerHour bounds the photos one account has decoded for its manual reviews in an
// hour, and (correction) the photos of account corrections proven with one mobile. A refused
// submission counts against no quota, so without it one account could have a photo of the
// largest decode cost checked again and again, a tenth of a second of CPU each; an applicant
// who takes a photo again after a refusal needs a few.
const PhotoChecksPerHour = 10

// MineStore lists an applicant's reviews.
type MineStore interface {
	authn.Sessions
	ListMyReviews(ctx context.Context, login string) ([]casework.Entry, error)
}

// Form is a submission: the identity fields, which may correct the name and validity dates,
// and the photo.
type Form struct {
	// Kind is identity (the default) or name_change.
	Kind        string `json:"kind,omitempty"`
	Name        string `json:"name"`
	IDType      string `json:"idType"`
	IDNumber    string `json:"idNumber"`
	IDValidFrom string `json:"idValidFrom"`
	IDValidTo   string `json:"idValidTo"`
	Photo       string `json:"photo"`
}

type submitted struct {
	ReviewID           string `json:"reviewId"`
	Status             string `json:"status"`
	RemainingThisCycle int    `json:"remainingThisCycle"`
}

func alreadyVerified() error {
	return api.Conflict(api.CodeAlreadyVerified, "您已通过实名核验或人工审核，无需再提交人工审核")
}

func verifyOnlineFirst() error {
	return api.Conflict(api.CodeVerifyOnlineFirst, "持居民身份证的申请人请先进行实名核验；核验未通过（并参照指南开通CTID网证仍无法通过）后方可申请人工审核")
}

// refusal is the answer to a submission the account's state does not allow.
func refusal(err error) error {
	switch {
	case errors.Is(err, account.ErrReviewPending):
		return profile.ReviewPending()
	case errors.Is(err, account.ErrAlreadyVerified):
		return alreadyVerified()
	case errors.Is(err, account.ErrVerifyOnlineFirst):
		return verifyOnlineFirst()
	case errors.Is(err, account.ErrNotCleared):
		return &api.Error{Status: http.StatusForbidden, Code: api.CodeVerificationRequired,
			Message: "姓名变更只适用于已通过实名核验或人工审核的申请人；尚未通过的，请在人工审核中更正姓名"}
	}
	return err
}

// NewSubmit answers POST /v1/me/manual-reviews: it files a review, due calendar's
// SLAWorkingDays after it. Two round trips: the session and the account, with the cycle's
// counter read and the hour's photo check counted alongside; the transaction (review, photo,
// the applicant's entry, the account's status, the counter from the count read). A form
// refused with 422 counts nothing against the cycle, and gives the photo check back unless
// the photo was decoded.
func NewSubmit(db SubmitStore, clk clock.Clock, calendar *clock.Calendar) api.HandlerFunc {
	// The photo check is counted (and the cycle's uses read) alongside the session; what
	// went wrong is the handler's answer when it takes the count, at the decode: a full hour
	// (ErrQuotaFull) counted nothing, and a failed read gives the check back here.
	count := func(ctx context.Context, _ *api.Request, login string, now time.Time) (any, error) {
		var usage quota.Usage
		var usageErr, photoErr error
		store.SendTogether(ctx,
			func(ctx context.Context) { usage, usageErr = db.GetUsage(ctx, login, clock.Day(now), clock.Cycle(now)) },
			func(ctx context.Context) { photoErr = db.CountPhotoCheck(ctx, login, now, PhotoChecksPerHour) })
		if photoErr == nil && usageErr != nil {
			if err := db.UncountPhotoCheck(context.WithoutCancel(ctx), login, now); err != nil {
				slog.WarnContext(ctx, "could not give back a photo check", slog.String("err", err.Error()))
			}
		}
		return usage, errors.Join(photoErr, usageErr)
	}
	uncount := func(ctx context.Context, login string, now time.Time, _ any) {
		if err := db.UncountPhotoCheck(ctx, login, now); err != nil {
			slog.WarnContext(ctx, "could not give back a photo check", slog.String("err", err.Error()))
		}
	}
	return authn.NewGate(db, clk).Counting(count, uncount).Profiled(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		var f Form
		if err := r.Decode(&f); err != nil {
			return nil, err
		}
		a := p.Account
		kind := casework.KindIdentity
		switch f.Kind {
		case "", casework.KindIdentity:
			if err := a.MaySubmitReview(); err != nil {
				return nil, refusal(err)
			}
		case casework.KindNameChange:
			kind = casework.KindNameChange
			if err := a.MayChangeName(); err != nil {
				return nil, refusal(err)
			}
		default:
			return nil, api.InvalidField("kind", "申请类型无效：此处只能提交人工审核或姓名变更；更正联系方式或申诉被他人注册的账号，请在登录页的“联系方式更正/账号申诉”中提交")
		}
		now := p.ReadAt()
		var u quota.Usage
		rev, photo, err := f.Check(ctx, a, now.In(clock.CST), func(ctx context.Context) error {
			used, err := authn.ReadOf[quota.Usage](p) // the photo check is taken: it is decoded now
			if errors.Is(err, store.ErrQuotaFull) {
				next := now.Truncate(time.Hour).Add(time.Hour)
				return api.QuotaExceeded("一小时内检查照片的次数已达上限（10次），请稍后再提交", clock.SecondsUntil(now, next))
			}
			u = used
			return err
		})
		if err != nil {
			return nil, err
		}
		if kind == casework.KindNameChange && rev.Name == a.Name {
			return nil, api.InvalidField("name", "新姓名与账号现有姓名相同，无需变更")
		}
		rev.ID = token.New(16)
		rev.Kind = kind
		rev.SubmittedAt = now.UnixMilli()
		rev.DueAt = calendar.WorkingDayDeadline(now, SLAWorkingDays).UnixMilli()
		q := quota.Limit{Period: clock.Cycle(now), Max: quota.ReviewsPerCycle, Expires: clock.NextCycle(now).Add(24 * time.Hour), Seen: &u.ReviewsThisCycle}
		used, err := db.SubmitReview(ctx, a, rev, photo, q)
		if errors.Is(err, store.ErrQuotaFull) {
			return nil, api.QuotaExceeded("本周期（1月1日至8月31日、9月1日至12月31日）的3次人工审核机会已用完", clock.SecondsUntil(now, clock.NextCycle(now)))
		}
		if err != nil {
			return nil, refusal(err)
		}
		slog.InfoContext(ctx, "manual review submitted", slog.String("reviewId", rev.ID))
		metrics.CountBy(ctx, metrics.ReviewsSubmitted, metrics.Kind, rev.KindOf())
		return api.JSON(http.StatusAccepted, submitted{ReviewID: rev.ID, Status: casework.Pending,
			RemainingThisCycle: quota.ReviewsPerCycle - used}), nil
	})
}

// Check re-applies the registration rules to the submitted fields. The document type and
// number are the account itself and cannot change; the name and validity dates may. The
// photo is decoded last, once admit (photo.Check's) has counted it.
func (f *Form) Check(ctx context.Context, a account.Account, today time.Time, admit func(context.Context) error) (casework.Review, []byte, error) {
	if t, err := identity.ParseIDType(f.IDType); err == nil && string(t) != a.IDType {
		return casework.Review{}, nil, api.InvalidField("idType", "证件类型须与注册时一致，不能修改")
	}
	_, num, err := identity.CheckDocument(f.IDType, f.IDNumber, today)
	if err != nil {
		return casework.Review{}, nil, api.InvalidAt(err)
	}
	if num != a.Login {
		return casework.Review{}, nil, api.InvalidField("idNumber", "证件号码须与账号一致，不能修改")
	}
	name, err := identity.NormalizeName(f.Name)
	if err != nil {
		return casework.Review{}, nil, api.Invalid("name", err)
	}
	v, err := identity.CheckValidity(f.IDValidFrom, f.IDValidTo, today)
	if err != nil {
		return casework.Review{}, nil, api.InvalidAt(err)
	}
	jpg, err := photo.Check(ctx, f.Photo, admit)
	if err != nil {
		return casework.Review{}, nil, err
	}
	return casework.Review{
		Login: a.Login, AccountID: a.AccountID, Name: name, IDType: a.IDType, IDNumber: a.Login,
		IDValidFrom: v.From, IDValidTo: v.To, NameBefore: a.Name, Phone: a.ProvenPhone(), Email: a.Email,
		Status: casework.Pending,
	}, jpg, nil
}

type reviewList struct {
	Items []myReview `json:"items"`
}

type myReview struct {
	ReviewID    string  `json:"reviewId"`
	Kind        string  `json:"kind"`
	Status      string  `json:"status"`
	Reason      *string `json:"reason"`
	SubmittedAt string  `json:"submittedAt"`
	DueAt       *string `json:"dueAt"`
	DecidedAt   *string `json:"decidedAt"`
}

// NewMine answers GET /v1/me/manual-reviews: the applicant's reviews, newest first. One
// round trip: the session and the account, and the query sent with them.
func NewMine(db MineStore, clk clock.Clock) api.HandlerFunc {
	mine := func(ctx context.Context, _ *api.Request, login string, _ time.Time) (any, error) {
		return db.ListMyReviews(ctx, login)
	}
	return authn.NewGate(db, clk).Reading(mine).Profiled(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		refs, err := authn.ReadOf[[]casework.Entry](p)
		if err != nil {
			return nil, err
		}
		out := reviewList{Items: make([]myReview, 0, len(refs))}
		for _, ref := range refs {
			if ref.SubmittedAt <= p.Account.OwnedSince {
				continue // the previous holder's, before an ownership claim handed the account over
			}
			item := myReview{ReviewID: ref.ID, Kind: casework.Review{Kind: ref.Kind}.KindOf(), Status: ref.Status, SubmittedAt: stamp(ref.SubmittedAt)}
			if ref.DueAt != 0 {
				due := stamp(ref.DueAt)
				item.DueAt = &due
			}
			if ref.Reason != "" {
				item.Reason = &ref.Reason
			}
			if ref.DecidedAt != 0 {
				at := stamp(ref.DecidedAt)
				item.DecidedAt = &at
			}
			out.Items = append(out.Items, item)
		}
		return api.JSON(http.StatusOK, out), nil
	})
}

// stamp writes epoch milliseconds as RFC 3339 in CST.
func stamp(ms int64) string {
	return time.UnixMilli(ms).In(clock.CST).Format(time.RFC3339)
}
