package captcha

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/store"
)

const (
	// TTL is how long a puzzle can be answered.
	TTL = 2 * time.Minute
	// Tolerance is how far, in pixels, a drop may miss the hole in either direction and still
	// count.
	Tolerance = 4
)

// Answer is how clients answer a puzzle inside another request: "captcha": {"id", "x", "y"},
// the point where the piece's top-left corner was dropped.
type Answer struct {
	ID string   `json:"id"`
	X  float64  `json:"x"`
	Y  *float64 `json:"y"`
}

// Store opens sliders' ids and records which were used.
type Store interface {
	OpenCaptcha(id string, now time.Time) (store.Captcha, error)
	SpendCaptcha(ctx context.Context, id string, c store.Captcha) error
	UnspendCaptcha(ctx context.Context, id string) error
}

// IssueStore issues new sliders, counted per source address.
type IssueStore interface {
	CountCaptcha(ctx context.Context, from store.Source) error
	SealCaptcha(c store.Captcha) string
}

// Checker checks slider answers inside the requests that need one.
type Checker struct {
	store Store
	clock clock.Clock
}

// NewChecker checks answers against the sliders kept in db.
func NewChecker(db Store, clk clock.Clock) *Checker {
	return &Checker{store: db, clock: clk}
}

type created struct {
	CaptchaID  string `json:"captchaId"`
	Background string `json:"background"`
	Piece      string `json:"piece"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	PieceX     int    `json:"pieceX"`
	PieceY     int    `json:"pieceY"`
	Answer     string `json:"answer"` // "point": the answer carries x and y
	ExpiresIn  int    `json:"expiresIn"`
}

// NewCreate answers POST /v1/captchas: a slider, at most perMinute a minute to one source
// address. Every limit behind a slider costs a slider per try, so sliders themselves are
// counted, before the puzzle is drawn (the costly part: a refused burst draws nothing). One
// UpdateItem (the address's count): the answer travels sealed in the id.
func NewCreate(db IssueStore, clk clock.Clock, perMinute int) api.HandlerFunc {
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		now := clk.Now()
		minute := now.Truncate(time.Minute)
		err := db.CountCaptcha(ctx, store.Source{Address: r.Source(), Minute: minute, Max: perMinute})
		if errors.Is(err, store.ErrQuotaFull) {
			return nil, api.QuotaExceeded("操作过于频繁，请稍后再试", clock.SecondsUntil(now, minute.Add(time.Minute)))
		}
		if err != nil {
			return nil, err
		}
		p, err := drawPuzzle()
		if err != nil {
			return nil, err
		}
		return api.JSON(http.StatusCreated, created{
			CaptchaID:  db.SealCaptcha(store.Captcha{X: p.X, Y: p.Y, Expires: now.Add(TTL)}),
			Background: "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(p.Background),
			Piece:      "data:image/png;base64," + base64.StdEncoding.EncodeToString(p.Piece),
			Width:      p.Width,
			Height:     p.Height,
			PieceX:     p.PieceX,
			PieceY:     p.PieceY,
			Answer:     "point",
			ExpiresIn:  int(TTL / time.Second),
		}), nil
	}
}

// drawPuzzle is Draw; the tests count its calls through export_test.go.
var drawPuzzle = Draw

// MissingAnswer is the error for a request that carries no slider answer at all.
func MissingAnswer() error {
	return api.InvalidField("captcha", "请先拖动滑块完成验证")
}

// Solved is a slider spent on a request, kept until the request ends so that it can be
// given back if the request fails for a reason of ours.
type Solved struct {
	id      string
	captcha store.Captcha
	checker *Checker
}

// Judged is an answer checked against its id's sealed answer, not yet spent.
type Judged struct {
	Solved
	right bool
}

// Judge checks an answer without spending it (no I/O): an id that is not ours or has
// expired, or a malformed answer, is refused at once. The caller spends it (Spend, or in its
// own first write with the store's step) before acting on Right.
func (c *Checker) Judge(a *Answer) (*Judged, error) {
	if a == nil || a.ID == "" {
		return nil, MissingAnswer()
	}
	if len(a.ID) > 64 || !finite(a.X) || a.Y == nil || !finite(*a.Y) {
		return nil, api.CaptchaFailed() // spends nothing: a malformed answer is no try
	}
	want, err := c.store.OpenCaptcha(a.ID, c.clock.Now())
	if err != nil {
		return nil, api.CaptchaFailed()
	}
	right := math.Abs(a.X-float64(want.X)) <= Tolerance && math.Abs(*a.Y-float64(want.Y)) <= Tolerance
	return &Judged{Solved: Solved{id: a.ID, captcha: want, checker: c}, right: right}, nil
}

// ID and Captcha are the slider judged, for a store step that spends it (a login's
// admission); Right is the judgement; AsSolved is the slider as a Solved, whose give-back
// the caller owes once its own write has spent it.
func (j *Judged) ID() string             { return j.id }
func (j *Judged) Captcha() store.Captcha { return j.captcha }
func (j *Judged) Right() bool            { return j.right }
func (j *Judged) AsSolved() *Solved      { return &j.Solved }

// Spend records the judged slider as used: CaptchaFailed when it was already, or when its
// answer was wrong (a wrong answer is spent too, so one slider buys one try). One PutItem.
func (j *Judged) Spend(ctx context.Context) (*Solved, error) {
	err := j.checker.store.SpendCaptcha(ctx, j.id, j.captcha)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, api.CaptchaFailed()
	case err != nil:
		return nil, err
	case !j.right:
		return nil, api.CaptchaFailed()
	}
	return &j.Solved, nil
}

// Verify judges and spends the puzzle whatever the outcome, so that one puzzle buys one try:
// a wrong answer cannot be corrected and resent. Of concurrent requests with one id, the one
// whose spend lands first is the one judged. One PutItem.
func (c *Checker) Verify(ctx context.Context, a *Answer) (*Solved, error) {
	j, err := c.Judge(a)
	if err != nil {
		return nil, err
	}
	return j.Spend(ctx)
}

// VerifyReading is Verify with read sent at the same time as the spending, one round trip:
// a read whose result the caller uses only once the slider passed (the account a form
// names). A wrong answer is spent without the read.
func (c *Checker) VerifyReading(ctx context.Context, a *Answer, read func(context.Context)) (*Solved, error) {
	j, err := c.Judge(a)
	if err != nil {
		return nil, err
	}
	if !j.right {
		return j.Spend(ctx)
	}
	var solved *Solved
	store.SendTogether(ctx,
		func(ctx context.Context) { solved, err = j.Spend(ctx) },
		read)
	return solved, err
}

// GiveBackIfBusy makes the slider usable again, until it would have expired, when err says
// the store was busy and nothing was done: the applicant then resends the same request
// without solving another slider. Any other outcome (a wrong answer later in the request, a
// dependency that failed after perhaps doing its part) keeps it spent.
func (s *Solved) GiveBackIfBusy(ctx context.Context, err error) {
	if s == nil || !api.IsBusy(err) {
		return
	}
	if perr := s.checker.store.UnspendCaptcha(context.WithoutCancel(ctx), s.id); perr != nil {
		slog.WarnContext(ctx, "could not give a slider back", slog.String("err", perr.Error()))
	}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
