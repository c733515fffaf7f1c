package captcha_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/captcha"
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
	res := apitest.Call(t, captcha.NewCreate(k.Store, k.Clock), apitest.Request{Method: "POST", Path: "/v1/captchas"})
	if res.Status != 201 || res.Int("expiresIn") != 120 || res.Str("captchaId") == "" {
		t.Fatalf("got %d %v", res.Status, res.Raw[:min(200, len(res.Raw))])
	}
	if k.Env.Calls.String() != "PutItem=1" {
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
	y := res.Int("pieceY")
	if y < 0 || y+piece.Bounds().Dy() > h {
		t.Fatalf("pieceY %d with a %v piece leaves the %d-high background", y, piece.Bounds(), h)
	}
	x, err := k.Env.Store.PeekCaptcha(context.Background(), res.Str("captchaId"), k.Clock.Now())
	if err != nil || !reachable(x, piece.Bounds().Dx(), w) {
		t.Fatalf("stored answer %d, %v for a %d-wide piece on a %d-wide background", x, err, piece.Bounds().Dx(), w)
	}
	if strings.Contains(res.Raw, `"x"`) {
		t.Fatal("the answer was sent to the client")
	}
	// The answer opens the puzzle once.
	if err := verify(k, &captcha.Answer{ID: res.Str("captchaId"), X: float64(x)}); err != nil {
		t.Fatalf("the right answer failed: %v", err)
	}
}

func TestCreateTakesNoBody(t *testing.T) {
	k := testkit.New(t)
	if res := apitest.Call(t, captcha.NewCreate(k.Store, k.Clock), apitest.Request{Method: "POST", Path: "/v1/captchas", Body: "{}"}); res.Status != 201 {
		t.Fatalf("{}: %d", res.Status)
	}
	res := apitest.Call(t, captcha.NewCreate(k.Store, k.Clock), apitest.Request{Method: "POST", Path: "/v1/captchas", Body: `{"width":1}`})
	if res.Status != 400 || res.Code() != api.CodeBadRequest {
		t.Fatalf("a body: %d %v", res.Status, res.Body)
	}
}

func TestPuzzlesDiffer(t *testing.T) {
	seen := map[int]bool{}
	for i := 0; i < 12; i++ {
		p, err := captcha.Draw()
		if err != nil {
			t.Fatal(err)
		}
		seen[p.X] = true
	}
	if len(seen) < 3 {
		t.Fatalf("12 puzzles had only %d answers: %v", len(seen), seen)
	}
}

// reachable says whether a client that keeps the piece inside the background can drop it
// close enough to x. go-captcha may place an odd-width piece's hole up to a pixel past the
// right edge (it halves the width when it picks x), which the tolerance absorbs.
func reachable(x, pieceWidth, width int) bool {
	return x >= 0 && x-captcha.Tolerance <= width-pieceWidth
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
		if !reachable(p.X, piece.Bounds().Dx(), p.Width) {
			t.Fatalf("answer %d for a %d-wide piece on a %d-wide background", p.X, piece.Bounds().Dx(), p.Width)
		}
	}
}

func TestVerifyRefusesOddAnswers(t *testing.T) {
	k := testkit.New(t)
	if err := verify(k, nil); err == nil || err.(*api.Error).Code != api.CodeInvalidField {
		t.Fatalf("nil answer: %v", err)
	}
	if err := verify(k, &captcha.Answer{ID: strings.Repeat("a", 65), X: 1}); err == nil || err.(*api.Error).Code != api.CodeCaptchaFailed {
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
