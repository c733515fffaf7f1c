// Package captcha is the slider puzzle (滑块验证): the piece is dragged anywhere on the
// picture and dropped on its hole, so the answer is a point, not a position on a track. The
// table keeps only the answer, and an answer is good once, within two minutes.
package captcha

import (
	"bytes"
	crand "crypto/rand"
	"embed"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"sync"
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

// The pictures are go-captcha-assets' five backgrounds and four tiles, written by
// internal/assetgen in the form a puzzle uses them: a background as raw YCbCr planes, a tile
// already scaled to each side a piece can have. A puzzle decodes one small PNG (its tile at
// its side) and scales nothing; the background is read in place from the binary.
//
//go:generate go run ./internal/assetgen -out assets -min 60 -max 70

// backgroundSide is a background's width and height.
const backgroundSide = 420

var (
	//go:embed assets/background-1.yuv
	background1 []byte
	//go:embed assets/background-2.yuv
	background2 []byte
	//go:embed assets/background-3.yuv
	background3 []byte
	//go:embed assets/background-4.yuv
	background4 []byte
	//go:embed assets/background-5.yuv
	background5 []byte
	//go:embed assets/tile-*.png
	tileFiles embed.FS
)

// How many backgrounds and tiles there are. Only Draw reads the pictures (no package-level
// value refers to them), so a function that only checks answers links none of them.
const backgroundCount, tileCount = 5, 4

// background is background n (0-based) as a YCbCr picture over the embedded planes.
func background(n int) (*image.YCbCr, error) {
	planes := [backgroundCount][]byte{background1, background2, background3, background4, background5}[n]
	y, c := backgroundSide*backgroundSide, (backgroundSide/2)*(backgroundSide/2)
	if len(planes) != y+2*c {
		return nil, fmt.Errorf("captcha background %d: %d bytes, want %d", n+1, len(planes), y+2*c)
	}
	return &image.YCbCr{
		Y: planes[:y:y], Cb: planes[y : y+c : y+c], Cr: planes[y+c:],
		YStride: backgroundSide, CStride: backgroundSide / 2,
		SubsampleRatio: image.YCbCrSubsampleRatio420,
		Rect:           image.Rect(0, 0, backgroundSide, backgroundSide),
	}, nil
}

// tile is one of the piece shapes at one side: what is drawn over the piece, the shadow drawn
// over the hole, and the mask that cuts the piece out of the picture.
type tile struct {
	overlay, shadow, mask image.Image
}

// tiles keeps each tile as decoded the first time a puzzle uses it.
var tiles sync.Map // [2]int{n, side} → tile

// tileAt is tile n (0-based) at side.
func tileAt(n, side int) (tile, error) {
	key := [2]int{n, side}
	if t, ok := tiles.Load(key); ok {
		return t.(tile), nil
	}
	name := fmt.Sprintf("assets/tile-%d-%d.png", n+1, side)
	data, err := tileFiles.ReadFile(name)
	if err != nil {
		return tile{}, fmt.Errorf("captcha tile: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return tile{}, fmt.Errorf("captcha tile %s: %w", name, err)
	}
	sheet, ok := img.(*image.NRGBA)
	if !ok || sheet.Rect != image.Rect(0, 0, 3*side, side) {
		return tile{}, fmt.Errorf("captcha tile %s: a %T of %v", name, img, img.Bounds())
	}
	part := func(i int) image.Image { return sheet.SubImage(image.Rect(i*side, 0, (i+1)*side, side)) }
	t := tile{overlay: part(0), shadow: part(1), mask: part(2)}
	tiles.Store(key, t)
	return t, nil
}

// crop is a Width×Height window of bg at a random place, as an (opaque) RGBA picture.
func crop(r *rand.Rand, bg *image.YCbCr) *image.RGBA {
	at := image.Pt(bg.Rect.Min.X+r.IntN(bg.Rect.Dx()-Width+1), bg.Rect.Min.Y+r.IntN(bg.Rect.Dy()-Height+1))
	out := image.NewRGBA(image.Rect(0, 0, Width, Height))
	draw.Draw(out, out.Rect, bg, at, draw.Src)
	return out
}

// Draw makes a new puzzle at a Place of ours: a random window of one of the backgrounds with
// the shadow of one of the tiles over the hole, and the piece cut out of the picture under the
// hole with the tile's mask and drawn over with its overlay. These are the compositing steps
// of go-captcha's slide drawing (puzzle_test.go holds them to it), done in bulk: go-captcha
// clears and blends its canvases a pixel at a time, which made up most of a puzzle's time.
func Draw() (Puzzle, error) {
	r := rand.New(rand.NewChaCha8(seed()))
	at := Place(r)
	shape, err := tileAt(r.IntN(tileCount), at.Side)
	if err != nil {
		return Puzzle{}, err
	}
	bg, err := background(r.IntN(backgroundCount))
	if err != nil {
		return Puzzle{}, err
	}
	picture := crop(r, bg)
	hole := image.Rect(at.X, at.Y, at.X+at.Side, at.Y+at.Side)
	piece := cut(picture, hole, shape)
	draw.Draw(picture, hole, shape.shadow, shape.shadow.Bounds().Min, draw.Over)

	var bgBuf, pieceBuf bytes.Buffer
	if err := jpeg.Encode(&bgBuf, picture, &jpeg.Options{Quality: backgroundQuality}); err != nil {
		return Puzzle{}, fmt.Errorf("encode captcha background: %w", err)
	}
	if err := pieceEncoder.Encode(&pieceBuf, piece); err != nil {
		return Puzzle{}, fmt.Errorf("encode captcha piece: %w", err)
	}
	return Puzzle{
		Background: bgBuf.Bytes(), Piece: pieceBuf.Bytes(), Width: Width, Height: Height,
		PieceX: at.PieceX, PieceY: at.PieceY, X: at.X, Y: at.Y,
	}, nil
}

// pieceEncoder writes the piece at deflate's fastest level: its hash chains (640 KB that
// the default level fills at random) are never touched, which was most of a cold start's
// first puzzle; the piece, a few KB, grows by little.
var pieceEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

// cut is the piece: the picture under the hole through the tile's mask, under its overlay.
func cut(picture image.Image, hole image.Rectangle, shape tile) *image.NRGBA {
	piece := image.NewNRGBA(image.Rect(0, 0, hole.Dx(), hole.Dy()))
	draw.DrawMask(piece, piece.Rect, picture, hole.Min, shape.mask, shape.mask.Bounds().Min, draw.Over)
	draw.Draw(piece, piece.Rect, shape.overlay, shape.overlay.Bounds().Min, draw.Over)
	return piece
}

// seed is a ChaCha8 seed from the operating system's randomness: where a hole lies must not
// be predictable from earlier puzzles.
func seed() [32]byte {
	var s [32]byte
	_, _ = crand.Read(s[:]) // crypto/rand never fails on supported platforms
	return s
}
