// Package captcha is the slider puzzle (滑块验证): the piece is dragged anywhere on the
// picture and dropped on its hole, so the answer is a point, not a position on a track. The
// table keeps only the answer, and an answer is good once, within two minutes.
package captcha

import (
	"bytes"
	crand "crypto/rand"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"sync"

	"github.com/wenlng/go-captcha-assets/resources/images"
	"github.com/wenlng/go-captcha-assets/resources/tiles"
	"github.com/wenlng/go-captcha/v2/slide"
)

// Puzzle is one drawn slider: a background with a hole, the piece that fills it, where the
// piece starts, and the answer.
type Puzzle struct {
	Background []byte // JPEG
	Piece      []byte // PNG with transparency
	Width      int
	Height     int
	PieceX     int // where the piece is shown at first
	PieceY     int
	X, Y       int // the answer: the piece's top-left corner when it fills the hole
}

// The picture's size, and the piece's (a square side, drawn at random in the range).
const (
	Width        = 300
	Height       = 220
	minPieceSide = 60
	maxPieceSide = 70
)

// Placement is where one puzzle's hole and piece go.
type Placement struct {
	Side           int
	X, Y           int // the hole, and so the answer
	PieceX, PieceY int
}

// Place picks a placement: the hole anywhere its piece fits, uniformly in both directions
// and independently of where the piece starts, so that a guess made without looking at the
// picture hits an area of (2·Tolerance+1)² = 81 among about 236×156 points: 0.22 %.
// (go-captcha's own drag placement keeps holes to one band per dead zone: its best blind
// guess passed 1.35 % of 2,000; ±5 px on our placement left too little margin under 0.5 %.)
// The piece starts at the left edge, at a height of its own.
func Place(r *rand.Rand) Placement {
	side := minPieceSide + r.IntN(maxPieceSide-minPieceSide+1)
	return Placement{
		Side:   side,
		X:      r.IntN(Width - side + 1),
		Y:      r.IntN(Height - side + 1),
		PieceX: 0,
		PieceY: r.IntN(Height - side + 1),
	}
}

const backgroundQuality = 85

// assets decodes the compiled-in images on first use only: a function that never draws a
// puzzle (most of them) never pays for it, and one that does pays once per instance.
var assets = sync.OnceValues(func() (*pictures, error) {
	bgs, err := images.GetImages()
	if err != nil {
		return nil, fmt.Errorf("captcha backgrounds: %w", err)
	}
	ts, err := tiles.GetTiles()
	if err != nil {
		return nil, fmt.Errorf("captcha tiles: %w", err)
	}
	if len(bgs) == 0 || len(ts) == 0 {
		return nil, fmt.Errorf("captcha assets: %d backgrounds, %d tiles", len(bgs), len(ts))
	}
	p := &pictures{backgrounds: bgs}
	for _, t := range ts {
		p.graphs = append(p.graphs, slide.GraphImage{OverlayImage: t.OverlayImage, ShadowImage: t.ShadowImage, MaskImage: t.MaskImage})
	}
	return p, nil
})

type pictures struct {
	backgrounds []image.Image
	graphs      []slide.GraphImage
}

// Draw makes a new puzzle: go-captcha's drawing of a hole and its piece, at a Place of ours.
func Draw() (Puzzle, error) {
	pics, err := assets()
	if err != nil {
		return Puzzle{}, err
	}
	r := rand.New(rand.NewChaCha8(seed()))
	at := Place(r)
	graph := pics.graphs[r.IntN(len(pics.graphs))]
	block := &slide.Block{X: at.X, Y: at.Y, Width: at.Side, Height: at.Side}
	painter := slide.NewDrawImage()
	master, clean, err := painter.DrawWithNRGBA(&slide.DrawImageParams{
		Width: Width, Height: Height, Alpha: 1,
		Background: pics.backgrounds[r.IntN(len(pics.backgrounds))],
		CaptchaDrawBlocks: []*slide.DrawBlock{{
			Block: block, X: at.X, Y: at.Y, Width: at.Side, Height: at.Side, Image: graph.ShadowImage,
		}},
	})
	if err != nil {
		return Puzzle{}, fmt.Errorf("draw captcha: %w", err)
	}
	piece, err := painter.DrawWithTemplate(&slide.DrawTplImageParams{
		Width: at.Side, Height: at.Side, Alpha: 1, Background: clean, MaskImage: graph.MaskImage,
		CaptchaDrawBlock: &slide.DrawBlock{
			Block: block, X: at.X, Y: at.Y, Width: at.Side, Height: at.Side, Image: graph.OverlayImage,
		},
	})
	if err != nil {
		return Puzzle{}, fmt.Errorf("draw captcha piece: %w", err)
	}
	var bgBuf, pieceBuf bytes.Buffer
	if err := jpeg.Encode(&bgBuf, master, &jpeg.Options{Quality: backgroundQuality}); err != nil {
		return Puzzle{}, fmt.Errorf("encode captcha background: %w", err)
	}
	if err := png.Encode(&pieceBuf, piece); err != nil {
		return Puzzle{}, fmt.Errorf("encode captcha piece: %w", err)
	}
	return Puzzle{
		Background: bgBuf.Bytes(), Piece: pieceBuf.Bytes(), Width: Width, Height: Height,
		PieceX: at.PieceX, PieceY: at.PieceY, X: at.X, Y: at.Y,
	}, nil
}

// seed is a ChaCha8 seed from the operating system's randomness: where a hole lies must not
// be predictable from earlier puzzles.
func seed() [32]byte {
	var s [32]byte
	_, _ = crand.Read(s[:]) // crypto/rand never fails on supported platforms
	return s
}
