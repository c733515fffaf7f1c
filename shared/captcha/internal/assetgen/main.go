// Command assetgen writes the slider puzzle's pictures in the form a puzzle uses them, from
// the go-captcha-assets module named in go.mod, so that a puzzle decodes and scales nothing
// (`go generate ./shared/captcha`):
//
//   - background-N.yuv: background N as raw YCbCr 4:2:0 planes, Y (Side×Side) then Cb and Cr
//     (Side/2×Side/2 each). The JPEGs in go-captcha-assets are 4:4:4; the chroma is averaged
//     over 2×2 pixels, which the puzzle's JPEG (4:2:0) does anyway.
//   - tile-N-S.png: tile N scaled to an S×S piece, as go-captcha scales it (bilinear): its
//     overlay, its shadow and its mask side by side, 3S×S.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"

	image1 "github.com/wenlng/go-captcha-assets/bindata/images/image_1"
	image2 "github.com/wenlng/go-captcha-assets/bindata/images/image_2"
	image3 "github.com/wenlng/go-captcha-assets/bindata/images/image_3"
	image4 "github.com/wenlng/go-captcha-assets/bindata/images/image_4"
	image5 "github.com/wenlng/go-captcha-assets/bindata/images/image_5"
	tile1 "github.com/wenlng/go-captcha-assets/bindata/tiles/tile_1"
	tile2 "github.com/wenlng/go-captcha-assets/bindata/tiles/tile_2"
	tile3 "github.com/wenlng/go-captcha-assets/bindata/tiles/tile_3"
	tile4 "github.com/wenlng/go-captcha-assets/bindata/tiles/tile_4"
	xdraw "golang.org/x/image/draw"
)

// Side is a background's width and height, in go-captcha-assets v1.0.7.
const Side = 420

var (
	backgrounds = []func(string) ([]byte, error){image1.Asset, image2.Asset, image3.Asset, image4.Asset, image5.Asset}
	tiles       = []func(string) ([]byte, error){tile1.Asset, tile2.Asset, tile3.Asset, tile4.Asset}
)

func main() {
	out := flag.String("out", "assets", "directory to write")
	minSide := flag.Int("min", 60, "smallest piece side")
	maxSide := flag.Int("max", 70, "largest piece side")
	flag.Parse()
	if err := write(*out, *minSide, *maxSide); err != nil {
		fmt.Fprintln(os.Stderr, "assetgen:", err)
		os.Exit(1)
	}
}

func write(dir string, minSide, maxSide int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, asset := range backgrounds {
		name := fmt.Sprintf("sourcedata/images/image-%d/image.jpg", i+1)
		planes, err := background(asset, name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("background-%d.yuv", i+1)), planes, 0o644); err != nil {
			return err
		}
	}
	for i, asset := range tiles {
		var parts []image.Image
		for _, part := range []string{"tile.png", "tile-shadow.png", "tile-mask.png"} {
			name := fmt.Sprintf("sourcedata/tiles/tile-%d/%s", i+1, part)
			data, err := asset(name)
			if err == nil {
				var img image.Image
				img, err = png.Decode(bytes.NewReader(data))
				parts = append(parts, img)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		for side := minSide; side <= maxSide; side++ {
			var buf bytes.Buffer
			enc := png.Encoder{CompressionLevel: png.BestCompression}
			if err := enc.Encode(&buf, sheet(parts, side)); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("tile-%d-%d.png", i+1, side)), buf.Bytes(), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// background is the JPEG asset name as Y, Cb and Cr planes, 4:2:0.
func background(asset func(string) ([]byte, error), name string) ([]byte, error) {
	data, err := asset(name)
	if err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	src, ok := img.(*image.YCbCr)
	if !ok || src.Rect != image.Rect(0, 0, Side, Side) {
		return nil, fmt.Errorf("a %T of %v, want a YCbCr picture of %d×%d", img, img.Bounds(), Side, Side)
	}
	out := make([]byte, 0, Side*Side+2*(Side/2)*(Side/2))
	for y := 0; y < Side; y++ {
		out = append(out, src.Y[src.YOffset(0, y):src.YOffset(0, y)+Side]...)
	}
	for _, plane := range [][]byte{src.Cb, src.Cr} {
		for y := 0; y < Side; y += 2 {
			for x := 0; x < Side; x += 2 {
				sum := 0
				for _, p := range []image.Point{{x, y}, {x + 1, y}, {x, y + 1}, {x + 1, y + 1}} {
					sum += int(plane[src.COffset(p.X, p.Y)])
				}
				out = append(out, byte((sum+2)/4))
			}
		}
	}
	return out, nil
}

// sheet is the tile's parts each scaled to side×side as go-captcha scales them (bilinear,
// drawn over a transparent canvas), side by side.
func sheet(parts []image.Image, side int) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, len(parts)*side, side))
	for i, part := range parts {
		scaled := image.NewNRGBA(image.Rect(0, 0, side, side))
		xdraw.BiLinear.Scale(scaled, scaled.Rect, part, part.Bounds(), draw.Over, nil)
		draw.Draw(out, scaled.Rect.Add(image.Pt(i*side, 0)), scaled, image.Point{}, draw.Src)
	}
	return out
}
