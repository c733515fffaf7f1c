// Package correction is what an applicant who cannot log in files with a reviewer (the
// manual's 常见问题2): a contact correction, when the mobile and e-mail on the account are
// wrong or gone, and an ownership claim, when someone else registered the applicant's
// document number. Each proves the new mobile by a code and the document by a photo, and
// waits in the reviewers' queue as its own kind; an approval replaces the contacts (and for a
// claim, hands the account over), which the decision does (store.DecideReview).
package correction

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/photo"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/review"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// PerCycle is how many corrections and claims one document number may have filed in a
// cycle, as manual reviews.
const PerCycle = 3

// Store files corrections.
type Store interface {
	captcha.Store
	smscode.CheckStore
	// ReadForCorrection is the account and the cycle's count of filings on it, read at once.
	ReadForCorrection(ctx context.Context, login, cycle string) (account.Account, int, error)
	CountMobilePhotoCheck(ctx context.Context, phone string, at time.Time, max int) error
	UncountMobilePhotoCheck(ctx context.Context, phone string, at time.Time) error
	FileCorrection(ctx context.Context, r casework.Review, photo []byte, code store.CodeKey, codeHash []byte, q quota.Limit, now time.Time) (int, error)
	PhotoKeptIn(ctx context.Context, hash string, now time.Time) (string, error)
	SpendCode(ctx context.Context, k store.CodeKey, hash []byte, usedFor string, now time.Time) (string, error)
}

// Form is a correction or a claim.
type Form struct {
	Kind        string          `json:"kind"`
	IDType      string          `json:"idType"`
	IDNumber    string          `json:"idNumber"`
	Name        string          `json:"name"`
	IDValidFrom string          `json:"idValidFrom"`
	IDValidTo   string          `json:"idValidTo"`
	Phone       string          `json:"phone"`
	SMSCode     string          `json:"smsCode"`
	Email       string          `json:"email"`
	Photo       string          `json:"photo"`
	Captcha     *captcha.Answer `json:"captcha"`
}

type filed struct {
	ReviewID           string `json:"reviewId"`
	Kind               string `json:"kind"`
	Status             string `json:"status"`
	DueAt              string `json:"dueAt"`
	RemainingThisCycle int    `json:"remainingThisCycle"`
}

// fields are the form's checked values.
type fields struct {
	kind, login, name, phone, email string
	idType                          identity.IDType
	validity                        identity.Validity
}

// check applies the registration rules to the form, before anything is spent.
func (f *Form) check(today time.Time) (fields, error) {
	var v fields
	switch f.Kind {
	case casework.KindContact, casework.KindOwnership:
		v.kind = f.Kind
	default:
		return v, api.InvalidField("kind", "请选择申请类型：更正联系方式，或申诉被他人注册的证件号码")
	}
	var err error
	if v.idType, v.login, err = identity.CheckDocument(f.IDType, f.IDNumber, today); err != nil {
		return v, api.InvalidAt(err)
	}
	if v.name, err = identity.NormalizeName(f.Name); err != nil {
		return v, api.Invalid("name", err)
	}
	if v.validity, err = identity.CheckValidity(f.IDValidFrom, f.IDValidTo, today); err != nil {
		return v, api.InvalidAt(err)
	}
	if v.phone, err = identity.NormalizePhone(f.Phone); err != nil {
		return v, api.Invalid("phone", err)
	}
	if err := identity.CheckPhoneForDocument(v.idType, v.phone); err != nil {
		return v, api.Invalid("phone", err)
	}
	if err := smscode.CheckFormat("smsCode", f.SMSCode); err != nil {
		return v, err
	}
	if v.email, err = identity.NormalizeEmail(f.Email); err != nil {
		return v, api.Invalid("email", err)
	}
	if f.Photo == "" {
		return v, api.InvalidField("photo", "请上传证件照片（JPG格式，小于190KB）")
	}
	return v, nil
}

func noMatch(kind string) error {
	msg := "未找到匹配的账号：证件类型、证件号码和姓名须与注册时填写的完全一致"
	if kind == casework.KindOwnership {
		msg = "该证件号码尚未注册，无需申诉，请直接注册"
	}
	return &api.Error{Status: http.StatusNotFound, Code: api.CodeAccountNotFound, Message: msg}
}

// NewFile answers POST /v1/account-corrections. The form is checked first, and the slider
// judged (no I/O: a wrong answer is spent on its own and refused). Then, in one round trip,
// the slider is spent, the code for the new mobile is tried (one of its five, counted before
// it is compared), the photo is counted against that mobile's hour (before its decode: the
// filer's, so that a stranger's filings cannot use up the holder's own hour of checks), and
// the account is read with the cycle's count of filings. Their answers are taken in that
// order, as when each waited for the one before: a slider used already, then the code, then
// the account (for a contact correction with the same type, number and name, as recovery
// step 1, which costs a slider and the code's try; for a claim with the number's type,
// whatever name its holder gave, answered after its photo and at the cost of its whole code:
// told), then the photo's hour. The photo is decoded, and the filing is one transaction,
// with the cycle's count as read (read again if it moved). Two round trips (a claim's
// refusal, three). Nothing of the account's contacts is ever in the answer.
//
// What the first round trip counted and the answer does not use goes back (settle): a
// slider used already counts nothing; a photo never decoded is no check; a busy store gives
// back the slider and the code's try. Every other refusal keeps the slider and the code's try
// spent, as a guess.
//
// The account's present mobile and e-mail are told of the filing at once: a holder who still
// has them learns that someone is asking a reviewer for the account, before any decision.
func NewFile(db Store, sms notify.SMS, mail notify.Mailer, clk clock.Clock, calendar *clock.Calendar, pepper []byte) api.HandlerFunc {
	sliders := captcha.NewChecker(db, clk)
	codes := smscode.NewChecker(db, clk, pepper)
	return func(ctx context.Context, r *api.Request) (_ *api.Response, err error) {
		var f Form
		if err := r.Decode(&f); err != nil {
			return nil, err
		}
		now := clk.Now()
		v, err := f.check(now.In(clock.CST))
		if err != nil {
			return nil, err
		}
		judged, err := sliders.Judge(f.Captcha)
		if err != nil {
			return nil, err
		}
		if !judged.Right() {
			_, err := judged.Spend(ctx) // a wrong answer is spent all the same: one slider, one try
			return nil, err
		}
		key := smscode.ContactKey(v.phone)
		g := &guards{db: db, codes: codes, phone: v.phone, now: now}
		var code store.Code
		var acct account.Account
		var used int
		// An upload that is, byte for byte, a photo already kept came from the desk: only a
		// reviewer is served kept photos (the upload's own bytes, read with the rest).
		var keptIn string
		var keptErr error
		uploaded, uploadErr := photo.Bytes(f.Photo) // a field that carries no file is refused at the photo's check
		store.SendTogether(ctx,
			func(ctx context.Context) {
				if uploadErr == nil {
					keptIn, keptErr = db.PhotoKeptIn(ctx, store.PhotoHash(uploaded), now)
				}
			},
			func(ctx context.Context) { g.solved, g.sliderErr = judged.Spend(ctx) },
			func(ctx context.Context) { g.tried = codes.Try(ctx, key, f.SMSCode) },
			func(ctx context.Context) {
				g.photoErr = db.CountMobilePhotoCheck(ctx, v.phone, now, review.PhotoChecksPerHour)
			},
			func(ctx context.Context) {
				acct, used, g.readErr = db.ReadForCorrection(ctx, v.login, clock.Cycle(now))
			})
		defer func() { g.settle(ctx, err) }()
		code, g.codeErr = g.tried.Judge()
		if g.sliderErr != nil {
			return nil, g.sliderErr
		}
		// told answers refusal, which the account's record gave after a right code. A claim
		// names the number alone (its holder gives whatever name), so its refusal tells
		// whether the number is registered: it is answered once its code is spent on that
		// number, so that one code tells of one number, as at registration (found by an
		// attack on make run, where one code told of five numbers). A contact correction
		// names the number with its holder's name, as recovery step 1 does, and its refusal
		// costs the code's try alone, as that step costs a slider.
		toldBefore := false
		told := func(refusal error) error {
			if v.kind != casework.KindOwnership || toldBefore {
				return refusal
			}
			switch spentFor, err := db.SpendCode(ctx, key, code.Hash, toldOf(v), now); {
			case err == nil || spentFor == toldOf(v):
				return refusal
			case errors.Is(err, store.ErrCodeSpent):
				return smscode.Refused()
			default:
				return err
			}
		}
		var usedCode *smscode.UsedError
		switch {
		case errors.As(g.codeErr, &usedCode) && v.kind == casework.KindOwnership && usedCode.For == toldOf(v):
			toldBefore = true // the same form again is told the same, and never filed
		case usedCode != nil:
			return nil, smscode.Refused()
		case g.codeErr != nil:
			return nil, g.codeErr
		}
		if g.readErr != nil && !errors.Is(g.readErr, store.ErrNotFound) {
			return nil, g.readErr
		}
		if keptErr != nil {
			return nil, keptErr
		}
		// What the account says of a claim is answered after the photo: a photo refused is
		// refused whatever the number, and keeps the code for the photo sent again (told).
		var refusal error
		switch {
		case g.readErr != nil, acct.Role != account.RoleApplicant, acct.IDType != string(v.idType),
			v.kind == casework.KindContact && !identity.SameName(acct.Name, v.name):
			refusal = noMatch(v.kind)
		case acct.MayBeCorrected() != nil:
			refusal = pending()
		}
		if refusal != nil && v.kind == casework.KindContact {
			return nil, refusal // no photo decoded: its check goes back
		}
		if uploadErr != nil {
			return nil, uploadErr
		}
		jpg, err := photo.CheckBytes(ctx, uploaded, func(context.Context) error {
			if errors.Is(g.photoErr, store.ErrQuotaFull) {
				return api.QuotaExceeded("一小时内检查照片的次数已达上限，请稍后再提交", clock.SecondsUntil(now, now.Truncate(time.Hour).Add(time.Hour)))
			}
			g.decoded = g.photoErr == nil // the check is taken: the photo is decoded now
			return g.photoErr
		})
		if err != nil {
			return nil, err
		}
		if refusal != nil {
			return nil, told(refusal)
		}
		if toldBefore { // told of this number already, and now fileable: the code is spent
			return nil, smscode.Refused()
		}
		rev := casework.Review{
			ID: token.New(16), Kind: v.kind, Login: acct.Login, AccountID: acct.AccountID,
			Name: v.name, IDType: acct.IDType, IDNumber: acct.Login,
			IDValidFrom: v.validity.From, IDValidTo: v.validity.To, NameBefore: acct.Name,
			Phone: v.phone, Email: v.email, OldPhone: acct.Phone, OldEmail: acct.Email, OldPhoneUnproven: acct.PhoneUnproven,
			Status: casework.Pending, SubmittedAt: now.UnixMilli(), PhotoKeptIn: keptIn,
			DueAt: calendar.WorkingDayDeadline(now, casework.SLAWorkingDays).UnixMilli(),
		}
		q := quota.Limit{Period: clock.Cycle(now), Max: PerCycle, Expires: clock.NextCycle(now).Add(24 * time.Hour), Seen: &used}
		n, err := db.FileCorrection(ctx, rev, jpg, key, code.Hash, q, now)
		switch {
		case errors.Is(err, store.ErrQuotaFull):
			return nil, told(api.QuotaExceeded("该证件号码本周期（1月1日至8月31日、9月1日至12月31日）的3次更正或申诉机会已用完", clock.SecondsUntil(now, clock.NextCycle(now))))
		case errors.Is(err, account.ErrCorrectionPending):
			return nil, told(pending())
		case errors.Is(err, store.ErrCodeSpent):
			return nil, smscode.Refused()
		case err != nil:
			return nil, err
		}
		slog.InfoContext(ctx, "account correction filed", slog.String("reviewId", rev.ID), slog.String("kind", rev.Kind))
		metrics.CountBy(ctx, metrics.ReviewsSubmitted, metrics.Kind, rev.KindOf())
		notify.TellHolder(ctx, sms, mail, acct, notify.CorrectionFiledText(rev.Kind))
		return api.JSON(http.StatusAccepted, filed{
			ReviewID: rev.ID, Kind: rev.Kind, Status: casework.Pending,
			DueAt: time.UnixMilli(rev.DueAt).In(clock.CST).Format(time.RFC3339), RemainingThisCycle: PerCycle - n,
		}), nil
	}
}

// guards are what a filing's first round trip spent and read, each with its outcome.
type guards struct {
	db    Store
	codes *smscode.Checker
	phone string // the filer's mobile, whose hour the photo check is counted in
	now   time.Time

	solved    *captcha.Solved // the slider, when this request spent it
	sliderErr error
	tried     smscode.Tried // the code's try
	codeErr   error
	photoErr  error // nil: a photo check was counted
	readErr   error
	decoded   bool // the photo reached its decode, which is what its check pays for
}

// settle gives back, once the answer err is known, what the request must not keep. A
// slider this request did not spend (used already, or its write failed) buys nothing: the
// code's try goes back. A photo check goes back unless the photo reached its decode. A
// busy store (nothing done; the applicant sends the same request again) gives back the
// slider and the code's try. Everything else stays spent. The give-backs are sent together.
func (g *guards) settle(ctx context.Context, err error) {
	if err == nil {
		return
	}
	busy := api.IsBusy(err)
	var backs []func(context.Context)
	if g.tried.Counted() && (g.solved == nil || busy) {
		backs = append(backs, func(ctx context.Context) { g.codes.GiveBack(ctx, g.tried) })
	}
	if g.photoErr == nil && !g.decoded {
		backs = append(backs, func(ctx context.Context) {
			warn(ctx, "could not give back a photo check", g.db.UncountMobilePhotoCheck(ctx, g.phone, g.now))
		})
	}
	if g.solved != nil && busy {
		backs = append(backs, func(ctx context.Context) { g.solved.GiveBackIfBusy(ctx, err) })
	}
	store.SendTogether(context.WithoutCancel(ctx), backs...)
}

func warn(ctx context.Context, what string, err error) {
	if err != nil {
		slog.WarnContext(ctx, what, slog.String("err", err.Error()))
	}
}

// toldOf is what a claim's code is spent for when it has told of the number (told); a
// filing's code is spent for its review.
func toldOf(v fields) string { return "claim:" + v.login }

func pending() error {
	return api.Conflict(api.CodeReviewPending, "该证件号码已有一项联系方式更正或账号申诉正在审核中，请等待审核结果（结果将通过短信和邮件通知申请时填写的手机号码和邮箱）")
}
