package captcha_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

func dataURL(t *testing.T, s, prefix string) []byte {
	t.Helper()
	if !strings.HasPrefix(s, prefix) {
		t.Fatalf("%.40q does not start with %s", s, prefix)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, prefix))
	if err != nil {
		t.Fatalf("not base64: %v", err)
	}
	return b
}

func TestCreate(t *testing.T) {
	k := testkit.New(t)
	k.Env.Calls.Reset()
	res := apitest.Call(t, captcha.NewCreate(k.Store, k.Clock, quota.SlidersPerAddressMinute), apitest.Request{Method: "POST", Path: "/v1/captchas"})
	if res.Status != 201 || res.Int("expiresIn") != 120 || res.Str("captchaId") == "" {
		t.Fatalf("got %d %v", res.Status, res.Raw[:min(200, len(res.Raw))])
	}
	// The address's count only: the answer is sealed in the id.
	if k.Env.Calls.String() != "UpdateItem=1" {
		t.Fatalf("round trips: %s", k.Env.Calls)
	}
	bg, err := jpeg.Decode(bytes.NewReader(dataURL(t, res.Str("background"), "data:image/jpeg;base64,")))
	if err != nil {
		t.Fatalf("background is not a JPEG: %v", err)
	}
	piece, err := png.Decode(bytes.NewReader(dataURL(t, res.Str("piece"), "data:image/png;base64,")))
	if err != nil {
		t.Fatalf("piece is not a PNG: %v", err)
	}
	w, h := res.Int("width"), res.Int("height")
	if bg.Bounds().Dx() != w || bg.Bounds().Dy() != h {
		t.Fatalf("background %v, answer says %dx%d", bg.Bounds(), w, h)
	}
	px, py := res.Int("pieceX"), res.Int("pieceY")
	if !inside(px, py, piece.Bounds().Size(), w, h) || res.Str("answer") != "point" {
		t.Fatalf("the piece starts at %d,%d (%v piece on %dx%d), answer %q", px, py, piece.Bounds(), w, h, res.Str("answer"))
	}
	want, err := k.Env.Store.PeekCaptcha(context.Background(), res.Str("captchaId"), k.Clock.Now())
	if err != nil || !inside(want.X, want.Y, piece.Bounds().Size(), w, h) {
		t.Fatalf("stored answer %+v, %v for a %v piece on %dx%d", want, err, piece.Bounds(), w, h)
	}
	if strings.Contains(res.Raw, `"x"`) || strings.Contains(res.Raw, `"y"`) {
		t.Fatal("the answer was sent to the client")
	}
	// A position on a track is no answer: the point is.
	y := float64(want.Y)
	if err := verify(k, &captcha.Answer{ID: res.Str("captchaId"), X: float64(want.X)}); err == nil {
		t.Fatal("an answer without y passed")
	}
	if err := verify(k, &captcha.Answer{ID: res.Str("captchaId"), X: float64(want.X), Y: &y}); err != nil {
		t.Fatalf("the right answer failed: %v", err)
	}
}

func TestCreateTakesNoBody(t *testing.T) {
	k := testkit.New(t)
	if res := apitest.Call(t, captcha.NewCreate(k.Store, k.Clock, quota.SlidersPerAddressMinute), apitest.Request{Method: "POST", Path: "/v1/captchas", Body: "{}"}); res.Status != 201 {
		t.Fatalf("{}: %d", res.Status)
	}
	res := apitest.Call(t, captcha.NewCreate(k.Store, k.Clock, quota.SlidersPerAddressMinute), apitest.Request{Method: "POST", Path: "/v1/captchas", Body: `{"width":1}`})
	if res.Status != 400 || res.Code() != api.CodeBadRequest {
		t.Fatalf("a body: %d %v", res.Status, res.Body)
	}
}

func TestPuzzlesDiffer(t *testing.T) {
	seen := map[[2]int]bool{}
	for i := 0; i < 12; i++ {
		p, err := captcha.Draw()
		if err != nil {
			t.Fatal(err)
		}
		seen[[2]int{p.X, p.Y}] = true
	}
	if len(seen) < 10 {
		t.Fatalf("12 puzzles had only %d answers: %v", len(seen), seen)
	}
}

// inside says whether a piece of that size with its top-left corner at x, y lies within the
// w×h picture: where a client can drop it.
func inside(x, y int, piece image.Point, w, h int) bool {
	return x >= 0 && y >= 0 && x+piece.X <= w && y+piece.Y <= h
}

func TestEveryAnswerCanBeReached(t *testing.T) {
	for i := 0; i < 40; i++ {
		p, err := captcha.Draw()
		if err != nil {
			t.Fatal(err)
		}
		piece, err := png.Decode(bytes.NewReader(p.Piece))
		if err != nil {
			t.Fatal(err)
		}
		if !inside(p.X, p.Y, piece.Bounds().Size(), p.Width, p.Height) || !inside(p.PieceX, p.PieceY, piece.Bounds().Size(), p.Width, p.Height) {
			t.Fatalf("answer %d,%d, start %d,%d for a %v piece on %dx%d", p.X, p.Y, p.PieceX, p.PieceY, piece.Bounds(), p.Width, p.Height)
		}
	}
}

// Sliders are free, so every limit behind them costs an attacker as many requests as a
// guess made without looking at the picture needs to pass: at most one in 200. The attacker
// learns where holes fall from 2,000 sliders, guesses the point that would have passed most
// of them every time, and passes at most 0.5 % of the next 2,000.
func TestABlindGuessPassesAtMostHalfAPercent(t *testing.T) {
	const n = 2000
	r := rand.New(rand.NewPCG(1, 2)) // a fixed stream of placements, so the measure repeats
	draw := func() []captcha.Placement {
		out := make([]captcha.Placement, n)
		for i := range out {
			out[i] = captcha.Place(r)
		}
		return out
	}
	hits := func(places []captcha.Placement, x, y int) int {
		c := 0
		for _, p := range places {
			if abs(p.X-x) <= captcha.Tolerance && abs(p.Y-y) <= captcha.Tolerance {
				c++
			}
		}
		return c
	}
	learned, fresh := draw(), draw()
	best, bx, by := -1, 0, 0
	for x := 0; x < captcha.Width; x++ {
		for y := 0; y < captcha.Height; y++ {
			if h := hits(learned, x, y); h > best {
				best, bx, by = h, x, y
			}
		}
	}
	if passed := hits(fresh, bx, by); float64(passed)/n > 0.005 {
		t.Fatalf("guessing (%d,%d), learned from %d sliders, passes %d of the next %d: %.2f %%", bx, by, n, passed, n, 100*float64(passed)/n)
	}
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

func TestVerifyRefusesOddAnswers(t *testing.T) {
	k := testkit.New(t)
	if err := verify(k, nil); err == nil || err.(*api.Error).Code != api.CodeInvalidField {
		t.Fatalf("nil answer: %v", err)
	}
	if err := verify(k, &captcha.Answer{ID: strings.Repeat("a", 65), X: 1, Y: new(float64)}); err == nil || err.(*api.Error).Code != api.CodeCaptchaFailed {
		t.Fatalf("a long id: %v", err)
	}
	a := k.Solve()
	k.Clock.Advance(captcha.TTL - time.Second)
	if err := verify(k, a); err != nil {
		t.Fatalf("an answer a second before expiry: %v", err)
	}
}

func verify(k *testkit.Kit, a *captcha.Answer) error {
	_, err := captcha.NewChecker(k.Store, k.Clock).Verify(context.Background(), a)
	return err
}

// A request that fails because the store is busy gives its slider back, as it was, so the
// applicant can send the same request again; any other failure keeps it spent.
func TestASliderIsGivenBackOnlyAfterARetryableFailure(t *testing.T) {
	k := testkit.New(t)
	ctx := context.Background()
	checker := captcha.NewChecker(k.Store, k.Clock)
	a := k.Solve()
	solved, err := checker.Verify(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	solved.GiveBackIfBusy(ctx, api.InvalidField("name", "x"))
	if err := verify(k, a); err == nil || err.(*api.Error).Code != api.CodeCaptchaFailed {
		t.Fatalf("a 422 gave the slider back: %v", err)
	}
	a = k.Solve()
	if solved, err = checker.Verify(ctx, a); err != nil {
		t.Fatal(err)
	}
	solved.GiveBackIfBusy(ctx, &store.BusyError{Op: "test", Cause: errors.New("TransactionConflict")})
	if err := verify(k, a); err != nil {
		t.Fatalf("a busy store kept the slider spent: %v", err)
	}
	if err := verify(k, a); err == nil {
		t.Fatal("a slider given back could be used twice")
	}
}

func BenchmarkDraw(b *testing.B) {
	if _, err := captcha.Draw(); err != nil { // decode the assets outside the loop
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := captcha.Draw(); err != nil {
			b.Fatal(err)
		}
	}
}

// The local server draws for concurrent requests from one slider.
func TestDrawIsSafeConcurrently(t *testing.T) {
	errs := testkit.Race(4, func(int) error {
		_, err := captcha.Draw()
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Sliders are counted per source address and minute, in the same write that keeps the
// answer: past the limit there is no slider, and the answer says how long to wait.
func TestSlidersPerAddressPerMinute(t *testing.T) {
	k := testkit.New(t)
	k.Clock.Set(time.Date(2026, 11, 27, 10, 0, 45, 0, time.UTC))
	create := captcha.NewCreate(k.Store, k.Clock, 3)
	ask := func(from string) apitest.Result {
		return apitest.Call(t, create, apitest.Request{Method: "POST", Path: "/v1/captchas", From: from})
	}
	for i := 0; i < 3; i++ {
		if res := ask("198.51.100.7"); res.Status != 201 {
			t.Fatalf("slider %d: %d %v", i, res.Status, res.Body)
		}
	}
	res := ask("198.51.100.7")
	if res.Status != 429 || res.Code() != api.CodeQuotaExceeded || res.RetryAfter() != 15 {
		t.Fatalf("the fourth in a minute: %d %v", res.Status, res.Body)
	}
	if res := ask("198.51.100.8"); res.Status != 201 {
		t.Fatalf("another address: %d %v", res.Status, res.Body)
	}
	for i := 0; i < 3; i++ {
		if res := ask(fmt.Sprintf("2001:db8:5:6::%x", i+1)); res.Status != 201 {
			t.Fatalf("IPv6 slider %d: %d %v", i, res.Status, res.Body)
		}
	}
	if res := ask("2001:db8:5:6:a:b:c:d"); res.Status != 429 {
		t.Fatalf("a fresh address of the same /64 is the same subscriber: %d %v", res.Status, res.Body)
	}
	if res := ask("2001:db8:5:7::1"); res.Status != 201 {
		t.Fatalf("another /64: %d %v", res.Status, res.Body)
	}
	k.Clock.Advance(15 * time.Second)
	if res := ask("198.51.100.7"); res.Status != 201 {
		t.Fatalf("the next minute: %d %v", res.Status, res.Body)
	}
}

// The address's count comes before the puzzle is drawn: a burst past the minute's sliders
// costs a counter write each, never a drawing.
func TestABurstPastTheMinutesSlidersDrawsNothing(t *testing.T) {
	k := testkit.New(t)
	var drawn atomic.Int64
	captcha.CountDraws(t.Cleanup, &drawn)
	create := captcha.NewCreate(k.Store, k.Clock, 3)
	results := testkit.Race(20, func(int) apitest.Result {
		return apitest.Call(t, create, apitest.Request{Method: "POST", Path: "/v1/captchas", From: "198.51.100.9"})
	})
	created, refused := 0, 0
	for _, res := range results {
		switch res.Status {
		case 201:
			created++
		case 429:
			refused++
		default:
			t.Fatalf("%d %v", res.Status, res.Body)
		}
	}
	if created != 3 || refused != 17 || drawn.Load() != 3 {
		t.Fatalf("%d sliders, %d refused, %d puzzles drawn", created, refused, drawn.Load())
	}
}
