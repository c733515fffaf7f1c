package captcha

import (
	"context"
	"encoding/base64"
	"errors"
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
	// Tolerance is how far, in pixels, a drop may miss the hole and still count.
	Tolerance = 5
)

// Answer is how clients answer a puzzle inside another request: "captcha": {"id", "x"}.
type Answer struct {
	ID string  `json:"id"`
	X  float64 `json:"x"`
}

// Store keeps answers.
type Store interface {
	PutCaptcha(ctx context.Context, id string, x int, expires time.Time) error
	TakeCaptcha(ctx context.Context, id string, now time.Time) (int, error)
}

// Service draws puzzles and checks answers.
type Service struct {
	Store Store
	Clock clock.Clock
}

type created struct {
	CaptchaID  string `json:"captchaId"`
	Background string `json:"background"`
	Piece      string `json:"piece"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	PieceY     int    `json:"pieceY"`
	ExpiresIn  int    `json:"expiresIn"`
}

// Create answers POST /v1/captchas. One PutItem.
func (s *Service) Create(ctx context.Context, r *api.Request) (*api.Response, error) {
	if err := r.NoBody(); err != nil {
		return nil, err
	}
	p, err := Draw()
	if err != nil {
		return nil, err
	}
	id := token.New(16)
	if err := s.Store.PutCaptcha(ctx, id, p.X, s.Clock.Now().Add(TTL)); err != nil {
		return nil, err
	}
	return api.JSON(http.StatusCreated, created{
		CaptchaID:  id,
		Background: "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(p.Background),
		Piece:      "data:image/png;base64," + base64.StdEncoding.EncodeToString(p.Piece),
		Width:      p.Width,
		Height:     p.Height,
		PieceY:     p.PieceY,
		ExpiresIn:  int(TTL / time.Second),
	}), nil
}

// MissingAnswer is the error for a request that carries no slider answer at all.
func MissingAnswer() error {
	return api.InvalidField("captcha", "请先拖动滑块完成验证")
}

// Verify spends the puzzle whatever the outcome, so that one puzzle buys one try: a wrong
// answer cannot be corrected and resent. One DeleteItem.
func (s *Service) Verify(ctx context.Context, a *Answer) error {
	if a == nil || a.ID == "" {
		return MissingAnswer()
	}
	if len(a.ID) > 64 || math.IsNaN(a.X) || math.IsInf(a.X, 0) {
		return api.CaptchaFailed()
	}
	want, err := s.Store.TakeCaptcha(ctx, a.ID, s.Clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		return api.CaptchaFailed()
	}
	if err != nil {
		return err
	}
	if math.Abs(a.X-float64(want)) > Tolerance {
		return api.CaptchaFailed()
	}
	return nil
}
