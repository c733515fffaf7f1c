package review

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notice"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/store"
)

// QueueStore lists the queue.
type QueueStore interface {
	authn.Sessions
	ListQueue(ctx context.Context, status, kind string, limit int, after string) (store.QueuePage, error)
}

// OpenStore reads reviews and records who read their photos.
type OpenStore interface {
	authn.Sessions
	GetReview(ctx context.Context, id string, now time.Time) (casework.Review, []byte, error)
	RecordPhotoRead(ctx context.Context, reviewID, reviewerID string, at time.Time, reader bool) error
}

// DecideStore records decisions and keeps their notices.
type DecideStore interface {
	authn.Sessions
	notice.Store
	GetReviewMeta(ctx context.Context, id string) (casework.Review, error)
	DecideReview(ctx context.Context, d casework.Decision, photoUntil time.Time) (casework.Notice, error)
	ApproveFirst(ctx context.Context, id, reviewerID string, at time.Time) error
}

// Paging of GET /v1/reviews.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

type queueItem struct {
	ReviewID    string `json:"reviewId"`
	Kind        string `json:"kind"`
	AccountID   string `json:"accountId"`
	Name        string `json:"name"`
	IDType      string `json:"idType"`
	IDNumber    string `json:"idNumber"`
	SubmittedAt string `json:"submittedAt"`
	Status      string `json:"status"`
	DueAt       string `json:"dueAt"`
	Overdue     bool   `json:"overdue"`
	// FirstApproval: a correction approved by one reviewer, waiting on another's.
	FirstApproval *firstApproval `json:"firstApproval,omitempty"`
}

type firstApproval struct {
	At    string `json:"at"`
	ByYou bool   `json:"byYou"` // the second approval must be another reviewer's
}

type queue struct {
	Items      []queueItem `json:"items"`
	NextCursor *string     `json:"nextCursor"`
}

// item is r as the reviewer whose account id is viewer sees it in the queue.
func item(r casework.Review, now time.Time, viewer string) queueItem {
	it := queueItem{
		ReviewID: r.ID, Kind: r.KindOf(), AccountID: r.AccountID, Name: r.Name, IDType: r.IDType, IDNumber: r.IDNumber,
		SubmittedAt: stamp(r.SubmittedAt), Status: r.Status, DueAt: stamp(r.DueAt),
		Overdue: r.Overdue(now),
	}
	if r.FirstApprovedBy != "" && r.Status == casework.Pending {
		it.FirstApproval = &firstApproval{At: stamp(r.FirstApprovedAt), ByYou: r.FirstApprovedBy == viewer}
	}
	return it
}

// NewQueue answers GET /v1/reviews?status=&kind=&limit=&cursor=: oldest first, of one kind
// when kind is given, its cursors signed with cursorSecret for the status and kind. One round
// trip: the session and the account, and the index's page sent with them (a kind's page may
// read a few index pages in sequence).
func NewQueue(db QueueStore, clk clock.Clock, cursorSecret []byte) api.HandlerFunc {
	cursors := Cursors{Secret: cursorSecret}
	read := func(ctx context.Context, r *api.Request, _ string, _ time.Time) (any, error) {
		return readQueue(ctx, db, cursors, r)
	}
	return authn.NewGate(db, clk).Reading(read).Reviewer(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		page, err := authn.ReadOf[queuePage](p)
		if err != nil {
			return nil, err
		}
		now := clk.Now()
		out := queue{Items: make([]queueItem, 0, len(page.Reviews))}
		for _, rev := range page.Reviews {
			out.Items = append(out.Items, item(rev, now, p.Account.AccountID))
		}
		if page.Next != "" {
			c := cursors.Sign(page.scope, page.Next)
			out.NextCursor = &c
		}
		return api.JSON(http.StatusOK, out), nil
	})
}

// queuePage is one page of the queue and the scope its cursor is signed for.
type queuePage struct {
	store.QueuePage
	scope string
}

// readQueue checks the query and reads its page: the gate's Read, so it only reads.
func readQueue(ctx context.Context, db QueueStore, cursors Cursors, r *api.Request) (queuePage, error) {
	status := r.Query("status")
	switch status {
	case "":
		status = casework.Pending
	case casework.Pending, casework.Approved, casework.Rejected:
	default:
		return queuePage{}, api.InvalidField("status", "审核状态只能是待审核、已通过或未通过")
	}
	kind := r.Query("kind")
	if kind != "" && !slices.Contains(casework.Kinds(), kind) {
		return queuePage{}, api.InvalidField("kind", "申请类型只能是人工审核、姓名变更、联系方式更正或账号申诉")
	}
	scope := status + "|" + kind
	limit := DefaultLimit
	if raw := r.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxLimit {
			return queuePage{}, api.InvalidField("limit", "每页条数应为1至100的整数")
		}
		limit = n
	}
	badCursor := api.InvalidField("cursor", "翻页位置无效：请从上一页继续翻页，且审核状态和申请类型保持不变")
	var after string
	if c := r.Query("cursor"); c != "" {
		pos, err := cursors.Open(scope, c)
		if err != nil {
			return queuePage{}, badCursor
		}
		after = pos
	}
	page, err := db.ListQueue(ctx, status, kind, limit, after)
	if errors.Is(err, store.ErrBadPage) {
		return queuePage{}, badCursor
	}
	return queuePage{QueuePage: page, scope: scope}, err
}

type opened struct {
	queueItem
	IDValidFrom string   `json:"idValidFrom"`
	IDValidTo   string   `json:"idValidTo"`
	NameBefore  string   `json:"nameOnAccount"`
	Changes     []change `json:"changes"`
	Reason      *string  `json:"reason"`
	DecidedAt   *string  `json:"decidedAt"`
	Photo       *string  `json:"photo"` // null once deleted after the decision
	// PhotoKeptIn: the correction's photo is, byte for byte, the one an earlier review keeps,
	// which only the desk serves (casework.Review.PhotoKeptIn).
	PhotoKeptIn string `json:"photoKeptIn,omitempty"`
}

func reviewID(r *api.Request) (string, error) {
	id := r.PathParam("reviewId")
	if id == "" || len(id) > 64 {
		return "", api.NotFound("人工审核申请不存在")
	}
	return id, nil
}

// NewOpen answers GET /v1/reviews/{reviewId}: the fields and the photo. The read of the
// photo is recorded (who, when) before it is sent; no record, no photo. Once the photo's
// retention after the decision has passed, the answer says so (photo null) and no read is
// recorded. Two round trips: the session, the account and the review at once; the record.
func NewOpen(db OpenStore, clk clock.Clock) api.HandlerFunc {
	type withPhoto struct {
		review casework.Review
		photo  []byte
	}
	read := func(ctx context.Context, r *api.Request, _ string, now time.Time) (any, error) {
		id, err := reviewID(r)
		if err != nil {
			return nil, err
		}
		rev, photo, err := db.GetReview(ctx, id, now)
		return withPhoto{rev, photo}, err
	}
	return authn.NewGate(db, clk).Reading(read).Reviewer(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		id, err := reviewID(r)
		if err != nil {
			return nil, err
		}
		now := clk.Now()
		got, err := authn.ReadOf[withPhoto](p)
		rev, photo := got.review, got.photo
		if errors.Is(err, store.ErrNotFound) {
			return nil, api.NotFound("人工审核申请不存在")
		}
		if err != nil {
			return nil, err
		}
		out := opened{
			queueItem: item(rev, now, p.Account.AccountID), IDValidFrom: rev.IDValidFrom, IDValidTo: rev.IDValidTo,
			NameBefore: rev.NameBefore, Changes: changesOf(rev), PhotoKeptIn: rev.PhotoKeptIn,
		}
		if photo != nil {
			if err := db.RecordPhotoRead(ctx, id, p.Account.AccountID, now, rev.NeedsSecondReviewer()); err != nil {
				return nil, err
			}
			slog.InfoContext(ctx, "review photo read", slog.String("reviewId", id), slog.String("reviewerId", p.Account.AccountID))
			dataURL := "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(photo)
			out.Photo = &dataURL
		}
		if rev.Reason != "" {
			out.Reason = &rev.Reason
		}
		if rev.DecidedAt != 0 {
			at := stamp(rev.DecidedAt)
			out.DecidedAt = &at
		}
		return api.JSON(http.StatusOK, out), nil
	})
}

// change is one thing an approval would change on the account, as the reviewer sees it:
// names in full (the reviewer compares them with the photo), contacts masked (the reviewer
// needs to see that they change, not to reach them).
type change struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

func changesOf(r casework.Review) []change {
	out := []change{}
	add := func(field, before, after string) {
		if before != after {
			out = append(out, change{Field: field, Before: before, After: after})
		}
	}
	if r.KindOf() != casework.KindContact {
		add("name", r.NameBefore, r.Name)
	}
	if r.Corrects() {
		add("phone", identity.MaskPhone(r.OldPhone), identity.MaskPhone(r.Phone))
		add("email", identity.MaskEmail(r.OldEmail), identity.MaskEmail(r.Email))
	}
	if r.KindOf() == casework.KindOwnership {
		out = append(out, change{Field: "password", Before: "（原持有人设置）", After: "作废，由证件持有人通过找回密码设置"})
	}
	return out
}

type decisionForm struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	// Approval is which of a correction's two approvals the reviewer means to give, "first"
	// or "second" (optional): a page that showed no first approval must not decide because
	// another reviewer gave one meanwhile.
	Approval string `json:"approval"`
}

type decided struct {
	ReviewID  string `json:"reviewId"`
	Status    string `json:"status"`
	DecidedAt string `json:"decidedAt,omitempty"` // none while a second approval is awaited
	// FirstApprovedAt: the first of a correction's two approvals, given by this request.
	FirstApprovedAt string `json:"firstApprovedAt,omitempty"`
}

// approveFirst gives a correction its first approval, by reviewer: nothing changes on the
// account, and no one is told; another reviewer's approval hands the account over.
func approveFirst(ctx context.Context, db DecideStore, rev casework.Review, reviewer string, now time.Time) (*api.Response, error) {
	var first *store.FirstApprovedError
	switch err := db.ApproveFirst(ctx, rev.ID, reviewer, now); {
	case errors.Is(err, casework.ErrAlreadyDecided):
		return nil, alreadyDecided()
	case errors.Is(err, casework.ErrPhotoNotSeen):
		return nil, photoNotSeen()
	case errors.As(err, &first) && first.By == reviewer:
		// This reviewer's own first approval, sent twice: answered as it was, and not logged
		// again (the trail would count two approvals).
	case first != nil:
		return nil, firstTakenMeanwhile()
	case err != nil:
		return nil, err
	default:
		slog.InfoContext(ctx, "review approved first", slog.String("reviewId", rev.ID), slog.String("reviewerId", reviewer))
	}
	return api.JSON(http.StatusOK, decided{ReviewID: rev.ID, Status: casework.Pending, FirstApprovedAt: now.In(clock.CST).Format(time.RFC3339)}), nil
}

func photoNotSeen() error {
	return api.Conflict(api.CodeReviewPending, "请先打开本申请、查看证件照片后再审核：联系方式更正和账号申诉的每一次通过都须由审核员本人查看照片")
}

func firstTakenMeanwhile() error {
	return api.Conflict(api.CodeReviewPending, "另一位审核员刚刚初审通过了本申请，您的通过没有生效：请刷新后复核")
}

func sameReviewer() error {
	return &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden,
		Message: "您已初审通过本申请：联系方式更正和账号申诉须由另一位审核员复核通过后才生效（您仍可驳回）"}
}

// MaxReasonRunes bounds a rejection reason, which also goes out by SMS.
const MaxReasonRunes = 200

// readable reports whether a reason is text an applicant can read as it was written: at
// least one visible character, and no control, format (zero width, direction override),
// private-use or unassigned character — the reason reaches a page, an SMS and a mail. Line
// breaks are text.
func readable(s string) bool {
	visible := false
	for _, r := range s {
		switch {
		case r == '\n':
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z):
			return false
		case unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) && !blank(r):
			visible = true
		}
	}
	return visible
}

// blank is a letter or symbol that draws nothing: the Hangul fillers (U+3164 and its kin,
// Default_Ignorable), the blank Braille pattern and the null notehead. A reason of these
// alone is empty on the applicant's screen, in the SMS and in the mail.
func blank(r rune) bool {
	return r == '\u2800' || r == '\U0001D159' || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

func alreadyDecided() error {
	return api.Conflict(api.CodeAlreadyDecided, "该申请已有审核结论，不能再次审核")
}

// NewDecide answers POST /v1/reviews/{reviewId}/decision: once, whatever the concurrency;
// the account moves with the review in the same transaction; the applicant is told by SMS
// and e-mail; the photo is kept photoRetention after the decision, then deleted. Two round
// trips (the session, the account and the review at once; the decision's transaction), then
// the two messages and the notice's settlement.
func NewDecide(db DecideStore, sms notify.SMS, mail notify.Mailer, clk clock.Clock, photoRetention time.Duration) api.HandlerFunc {
	notices := notice.NewSender(db, sms, mail, clk)
	read := func(ctx context.Context, r *api.Request, _ string, _ time.Time) (any, error) {
		id, err := reviewID(r)
		if err != nil {
			return nil, err
		}
		return db.GetReviewMeta(ctx, id)
	}
	return authn.NewGate(db, clk).Reading(read).Reviewer(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		id, err := reviewID(r)
		if err != nil {
			return nil, err
		}
		var f decisionForm
		if err := r.Decode(&f); err != nil {
			return nil, err
		}
		reason := strings.TrimSpace(f.Reason)
		switch {
		case f.Decision != "approve" && f.Decision != "reject":
			return nil, api.InvalidField("decision", "审核结论只能是通过或不通过")
		case f.Decision == "reject" && reason == "":
			return nil, api.InvalidField("reason", "不通过时请填写原因，申请人将据此修改后重新提交")
		case utf8.RuneCountInString(reason) > MaxReasonRunes:
			return nil, api.InvalidField("reason", "原因不能超过200字")
		case reason != "" && !readable(reason):
			return nil, api.InvalidField("reason", "原因须是可读的文字，不能含控制字符或不可见字符")
		case f.Approval != "" && (f.Decision != "approve" || f.Approval != "first" && f.Approval != "second"):
			return nil, api.InvalidField("approval", "approval 只能是 first 或 second，且只用于通过")
		}
		rev, err := authn.ReadOf[casework.Review](p)
		if errors.Is(err, store.ErrNotFound) {
			return nil, api.NotFound("人工审核申请不存在")
		}
		if err != nil {
			return nil, err
		}
		if rev.Status != casework.Pending {
			return nil, alreadyDecided()
		}
		now := clk.Now()
		d := casework.Decision{Review: rev, Approve: f.Decision == "approve", Reason: reason, DecidedBy: p.Account.AccountID, At: now}
		if f.Approval != "" && !rev.NeedsSecondReviewer() {
			return nil, api.InvalidField("approval", "本申请只需一位审核员通过")
		}
		if d.Approve && rev.NeedsSecondReviewer() {
			switch {
			case rev.FirstApprovedBy == "" && f.Approval == "second":
				return nil, api.Conflict(api.CodeReviewPending, "本申请还没有初审通过，请刷新后重新审核")
			case rev.FirstApprovedBy == "":
				return approveFirst(ctx, db, rev, p.Account.AccountID, now)
			case rev.FirstApprovedBy == p.Account.AccountID && f.Approval == "first":
				// This reviewer's first approval sent again (its answer was lost): as it was.
				return api.JSON(http.StatusOK, decided{ReviewID: id, Status: casework.Pending, FirstApprovedAt: stamp(rev.FirstApprovedAt)}), nil
			case rev.FirstApprovedBy == p.Account.AccountID:
				return nil, sameReviewer()
			case f.Approval == "first":
				return nil, firstTakenMeanwhile()
			}
		}
		nt, err := db.DecideReview(ctx, d, now.Add(photoRetention))
		if err != nil {
			if errors.Is(err, casework.ErrAlreadyDecided) {
				return nil, alreadyDecided()
			}
			if errors.Is(err, casework.ErrSameReviewer) {
				return nil, sameReviewer()
			}
			if errors.Is(err, casework.ErrPhotoNotSeen) {
				return nil, photoNotSeen()
			}
			if errors.Is(err, casework.ErrFirstApprovalMissing) {
				return nil, api.Conflict(api.CodeReviewPending, "本申请的初审通过已不存在，请刷新后重新审核")
			}
			if errors.Is(err, casework.ErrContactsChanged) {
				return nil, api.Conflict(api.CodeReviewPending, "申请提交后，账号的手机号码或邮箱已由本人（凭密码）修改，说明申请人仍能使用账号：本申请不能通过，请驳回")
			}
			if errors.Is(err, casework.ErrOtherReviewPending) {
				return nil, api.Conflict(api.CodeReviewPending, "该账号还有待审核的人工审核或姓名变更申请，请先审核该申请，再通过本次账号申诉")
			}
			return nil, err
		}
		status := d.Status()
		metrics.CountBy(ctx, metrics.ReviewsDecided, metrics.Kind, rev.KindOf())
		slog.InfoContext(ctx, "review decided", slog.String("reviewId", id), slog.String("status", status), slog.String("reviewerId", p.Account.AccountID))
		// The decision stands whether or not the notice goes out now; what does not is sent
		// by the scheduled resend-decision-notices.
		if err := notices.Deliver(ctx, nt); err != nil {
			slog.ErrorContext(ctx, "decision notice not delivered; it will be retried", slog.String("reviewId", id), slog.String("err", err.Error()))
		}
		return api.JSON(http.StatusOK, decided{ReviewID: id, Status: status, DecidedAt: now.In(clock.CST).Format(time.RFC3339)}), nil
	})
}
