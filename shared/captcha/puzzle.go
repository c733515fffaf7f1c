// Package captcha is the slider puzzle (滑块验证): go-captcha's slide mode draws it, the
// table keeps only its answer, and an answer is good once, within two minutes.
package captcha

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"image/png"
	"sync"

	"github.com/wenlng/go-captcha-assets/resources/images"
	"github.com/wenlng/go-captcha-assets/resources/tiles"
	"github.com/wenlng/go-captcha/v2/slide"
)

// Puzzle is one drawn slider: a background with a hole, the piece that fills it, and where.
type Puzzle struct {
	Background []byte // JPEG
	Piece      []byte // PNG with transparency
	Width      int
	Height     int
	PieceY     int
	X          int // the answer: the piece's left edge when it fills the hole
}

const backgroundQuality = 85

// slider decodes the compiled-in images on first use only: a function that never draws a
// puzzle (most of them) never pays for it, and one that does pays once per instance.
var slider = sync.OnceValues(func() (slide.Captcha, error) {
	bgs, err := images.GetImages()
	if err != nil {
		return nil, fmt.Errorf("captcha backgrounds: %w", err)
	}
	ts, err := tiles.GetTiles()
	if err != nil {
		return nil, fmt.Errorf("captcha tiles: %w", err)
	}
	graphs := make([]*slide.GraphImage, len(ts))
	for i, t := range ts {
		graphs[i] = &slide.GraphImage{OverlayImage: t.OverlayImage, ShadowImage: t.ShadowImage, MaskImage: t.MaskImage}
	}
	b := slide.NewBuilder()
	b.SetResources(slide.WithBackgrounds(bgs), slide.WithGraphImages(graphs))
	return b.Make(), nil
})

// Draw makes a new puzzle.
func Draw() (Puzzle, error) {
	s, err := slider()
	if err != nil {
		return Puzzle{}, err
	}
	data, err := s.Generate()
	if err != nil {
		return Puzzle{}, fmt.Errorf("draw captcha: %w", err)
	}
	block := data.GetData()
	bg := data.GetMasterImage().Get()
	var bgBuf, pieceBuf bytes.Buffer
	if err := jpeg.Encode(&bgBuf, bg, &jpeg.Options{Quality: backgroundQuality}); err != nil {
		return Puzzle{}, fmt.Errorf("encode captcha background: %w", err)
	}
	if err := png.Encode(&pieceBuf, data.GetTileImage().Get()); err != nil {
		return Puzzle{}, fmt.Errorf("encode captcha piece: %w", err)
	}
	size := bg.Bounds().Size()
	return Puzzle{
		Background: bgBuf.Bytes(),
		Piece:      pieceBuf.Bytes(),
		Width:      size.X,
		Height:     size.Y,
		PieceY:     block.Y,
		X:          block.X,
	}, nil
}
