package captcha

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"testing"

	tile1 "github.com/wenlng/go-captcha-assets/bindata/tiles/tile_1"
	tile2 "github.com/wenlng/go-captcha-assets/bindata/tiles/tile_2"
	tile3 "github.com/wenlng/go-captcha-assets/bindata/tiles/tile_3"
	tile4 "github.com/wenlng/go-captcha-assets/bindata/tiles/tile_4"
	"github.com/wenlng/go-captcha/v2/slide"
)

// goCaptchaTile is tile n (0-based) as go-captcha-assets ships it, for go-captcha's drawing.
func goCaptchaTile(t *testing.T, n int) slide.GraphImage {
	t.Helper()
	asset := []func(string) ([]byte, error){tile1.Asset, tile2.Asset, tile3.Asset, tile4.Asset}[n]
	var parts [3]image.Image
	for i, name := range []string{"tile.png", "tile-shadow.png", "tile-mask.png"} {
		data, err := asset(fmt.Sprintf("sourcedata/tiles/tile-%d/%s", n+1, name))
		if err != nil {
			t.Fatal(err)
		}
		if parts[i], err = png.Decode(bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	return slide.GraphImage{OverlayImage: parts[0], ShadowImage: parts[1], MaskImage: parts[2]}
}

// differ counts the colour channels (8 bits each) of a and b that differ, and by how much at most.
func differ(a, b image.Image) (channels, most int) {
	r := a.Bounds()
	if b.Bounds().Size() != r.Size() {
		return -1, -1
	}
	off := b.Bounds().Min.Sub(r.Min)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p, q := a.At(x, y), b.At(x+off.X, y+off.Y)
			pr, pg, pb, pa := p.RGBA()
			qr, qg, qb, qa := q.RGBA()
			for _, d := range [4]int{int(pr>>8) - int(qr>>8), int(pg>>8) - int(qg>>8), int(pb>>8) - int(qb>>8), int(pa>>8) - int(qa>>8)} {
				d = max(d, -d)
				if d > 0 {
					channels++
				}
				most = max(most, d)
			}
		}
	}
	return channels, most
}

// A puzzle is what go-captcha's slide drawing makes of the same window, tile and hole, drawn
// from go-captcha-assets' own tiles: the piece exactly, the background within one level in a
// few channels (it blends premultiplied, go-captcha unpremultiplied).
func TestDrawsWhatGoCaptchaDraws(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 24; i++ {
		at := Place(r)
		n := i % tileCount
		shape, err := tileAt(n, at.Side)
		if err != nil {
			t.Fatal(err)
		}
		bg, err := background(i % backgroundCount)
		if err != nil {
			t.Fatal(err)
		}
		picture := crop(r, bg)
		window := image.NewNRGBA(picture.Rect)
		draw.Draw(window, window.Rect, picture, image.Point{}, draw.Src)

		hole := image.Rect(at.X, at.Y, at.X+at.Side, at.Y+at.Side)
		piece := cut(picture, hole, shape)
		draw.Draw(picture, hole, shape.shadow, shape.shadow.Bounds().Min, draw.Over)

		graph := goCaptchaTile(t, n)
		block := &slide.Block{X: at.X, Y: at.Y, Width: at.Side, Height: at.Side}
		painter := slide.NewDrawImage()
		master, clean, err := painter.DrawWithNRGBA(&slide.DrawImageParams{
			Width: Width, Height: Height, Alpha: 1, Background: window,
			CaptchaDrawBlocks: []*slide.DrawBlock{{Block: block, X: at.X, Y: at.Y, Width: at.Side, Height: at.Side, Image: graph.ShadowImage}},
		})
		if err != nil {
			t.Fatal(err)
		}
		theirPiece, err := painter.DrawWithTemplate(&slide.DrawTplImageParams{
			Width: at.Side, Height: at.Side, Alpha: 1, Background: clean, MaskImage: graph.MaskImage,
			CaptchaDrawBlock: &slide.DrawBlock{Block: block, X: at.X, Y: at.Y, Width: at.Side, Height: at.Side, Image: graph.OverlayImage},
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, most := differ(piece, theirPiece); n != 0 {
			t.Fatalf("puzzle %d: the piece differs from go-captcha's in %d channels, by up to %d", i, n, most)
		}
		if n, most := differ(picture, master); most > 1 || n > 64 {
			t.Fatalf("puzzle %d: the background differs from go-captcha's in %d channels, by up to %d", i, n, most)
		}
	}
}

// Every tile is there at every side a piece can have.
func TestEveryTileAtEverySide(t *testing.T) {
	for n := 0; n < tileCount; n++ {
		for side := minPieceSide; side <= maxPieceSide; side++ {
			shape, err := tileAt(n, side)
			if err != nil {
				t.Fatal(err)
			}
			if shape.mask.Bounds().Size() != image.Pt(side, side) {
				t.Fatalf("tile %d at %d: mask %v", n+1, side, shape.mask.Bounds())
			}
		}
	}
	if _, err := tileFiles.Open(fmt.Sprintf("assets/tile-1-%d.png", maxPieceSide+1)); err == nil {
		t.Fatal("a tile is at a side no piece has: regenerate the assets with the range of puzzle.go")
	}
}
