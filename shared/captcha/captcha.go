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
	"github.com/jszg/applicant-accounts/shared/token"
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

// Store keeps answers.
type Store interface {
	PutCaptcha(ctx context.Context, id string, c store.Captcha) error
	TakeCaptcha(ctx context.Context, id string, now time.Time) (store.Captcha, error)
}

// IssueStore keeps new sliders, counted per source address.
type IssueStore interface {
	IssueCaptcha(ctx context.Context, id string, c store.Captcha, from store.Source) error
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
// counted. One TransactWriteItems (the answer and the address's count).
func NewCreate(db IssueStore, clk clock.Clock, perMinute int) api.HandlerFunc {
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		p, err := Draw()
		if err != nil {
			return nil, err
		}
		id := token.New(16)
		now := clk.Now()
		minute := now.Truncate(time.Minute)
		err = db.IssueCaptcha(ctx, id, store.Captcha{X: p.X, Y: p.Y, Expires: now.Add(TTL)},
			store.Source{Address: r.Source(), Minute: minute, Max: perMinute})
		if errors.Is(err, store.ErrQuotaFull) {
			return nil, api.QuotaExceeded("操作过于频繁，请稍后再试", clock.SecondsUntil(now, minute.Add(time.Minute)))
		}
		if err != nil {
			return nil, err
		}
		return api.JSON(http.StatusCreated, created{
			CaptchaID:  id,
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

// Verify spends the puzzle whatever the outcome, so that one puzzle buys one try: a wrong
// answer cannot be corrected and resent. One DeleteItem.
func (c *Checker) Verify(ctx context.Context, a *Answer) (*Solved, error) {
	if a == nil || a.ID == "" {
		return nil, MissingAnswer()
	}
	if len(a.ID) > 64 || !finite(a.X) || a.Y == nil || !finite(*a.Y) {
		return nil, api.CaptchaFailed() // spends nothing: a malformed answer is no try
	}
	want, err := c.store.TakeCaptcha(ctx, a.ID, c.clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, api.CaptchaFailed()
	}
	if err != nil {
		return nil, err
	}
	if math.Abs(a.X-float64(want.X)) > Tolerance || math.Abs(*a.Y-float64(want.Y)) > Tolerance {
		return nil, api.CaptchaFailed()
	}
	return &Solved{id: a.ID, captcha: want, checker: c}, nil
}

// GiveBackIfBusy puts the slider back, as it was and until it would have expired, when err
// says the store was busy and nothing was done: the applicant then resends the same request
// without solving another slider. Any other outcome (a wrong answer later in the request, a
// dependency that failed after perhaps doing its part) keeps it spent.
func (s *Solved) GiveBackIfBusy(ctx context.Context, err error) {
	if s == nil || !api.IsBusy(err) {
		return
	}
	if perr := s.checker.store.PutCaptcha(context.WithoutCancel(ctx), s.id, s.captcha); perr != nil {
		slog.WarnContext(ctx, "could not give a slider back", slog.String("err", perr.Error()))
	}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
