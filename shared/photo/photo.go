// Package photo checks the ID photo of a manual review (SPEC §1: a JPEG smaller than 190 KB)
// as the untrusted file it is. A small file can declare a huge image, and decoding what it
// declares is what costs memory: so the header is read first, by hand, and a photo whose
// declared size no document photo has, or whose decoding would need more than
// MaxDecodeBytes, is refused before any decoder allocates for it. What passes is decoded
// whole (names and magic bytes prove nothing), one photo at a time per process, and what is
// kept is the file as sent only when it is one clean JPEG: anything else (metadata, a second
// document appended after the end) is re-encoded, so that reviewers' browsers are only ever
// given pixels.
package photo

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	"image/jpeg"
	"strings"

	"github.com/jszg/applicant-accounts/shared/api"
)

const (
	// MaxBytes: the photo must be smaller than 190 KB (SPEC §1).
	MaxBytes = 190 * 1024
	// MaxSide and MaxPixels bound the declared size. A 2-inch ID photo at 300 dpi is about
	// 413×579 (0.24 MP); a phone photo of a document that fits in 190 KB is at most a few
	// megapixels (JPEG needs about half a bit per pixel to stay legible); 4096 px a side and
	// 8 MP leave room for both.
	MaxSide   = 4096
	MaxPixels = 8_000_000
	// MaxDecodeBytes bounds what one decode may allocate, as estimated from the header: the
	// image (a byte per component per pixel) and, for a progressive JPEG, the coefficients
	// Go's decoder keeps for every block until the last scan (four bytes per component per
	// pixel). 48 MiB admits any baseline photo within MaxPixels and progressive ones up to
	// about 3.3 MP in colour.
	MaxDecodeBytes = 48 << 20
)

// Header is what a JPEG's frame header (SOFn) declares.
type Header struct {
	Width, Height int
	Components    int
	Progressive   bool
}

// DecodeCost estimates, in bytes, what decoding the image takes.
func (h Header) DecodeCost() int64 {
	perPixel := int64(h.Components)
	if h.Progressive {
		perPixel *= 5
	}
	return int64(h.Width) * int64(h.Height) * perPixel
}

// Errors of the header's reading; each is a refusal of the photo.
var (
	ErrNotJPEG     = errors.New("photo: not a JPEG")
	ErrUnsupported = errors.New("photo: a JPEG coding this decoder does not take (lossless, arithmetic, hierarchical)")
)

// frame markers: which SOFn Go's decoder takes, and which are progressive.
var frames = map[byte]struct{ supported, progressive bool }{
	0xC0: {true, false}, 0xC1: {true, false}, 0xC2: {true, true},
	0xC3: {}, 0xC5: {}, 0xC6: {}, 0xC7: {}, 0xC9: {}, 0xCA: {}, 0xCB: {}, 0xCD: {}, 0xCE: {}, 0xCF: {},
}

// kept are the segments a clean JPEG consists of: tables, frame, scans, restart interval,
// and the JFIF and Adobe colour markers. Any other (EXIF with its GPS position, comments,
// other applications' data) makes the file one to re-encode.
var kept = map[byte]bool{0xDB: true, 0xC4: true, 0xDD: true, 0xE0: true, 0xEE: true, 0xDA: true,
	0xC0: true, 0xC1: true, 0xC2: true}

// ReadHeader walks the file's segments: it returns the frame header, and whether the file is
// one clean JPEG, ending at its EOI with nothing after it. It allocates nothing that grows
// with what the file declares.
func ReadHeader(b []byte) (Header, bool, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return Header{}, false, ErrNotJPEG
	}
	var h Header
	framed, clean := false, true
	for i := 2; ; {
		if i >= len(b) || b[i] != 0xFF {
			return Header{}, false, ErrNotJPEG
		}
		for i < len(b) && b[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(b) {
			return Header{}, false, ErrNotJPEG
		}
		m := b[i]
		i++
		switch {
		case m == 0xD9: // EOI
			if !framed {
				return Header{}, false, ErrNotJPEG
			}
			return h, clean && i == len(b), nil
		case m == 0xD8 || m == 0x00 || m >= 0xD0 && m <= 0xD7 || m == 0x01:
			return Header{}, false, ErrNotJPEG // no segment of its own here
		}
		if i+2 > len(b) {
			return Header{}, false, ErrNotJPEG
		}
		n := int(b[i])<<8 | int(b[i+1])
		if n < 2 || i+n > len(b) {
			return Header{}, false, ErrNotJPEG
		}
		seg := b[i+2 : i+n]
		i += n
		clean = clean && kept[m]
		if f, isFrame := frames[m]; isFrame {
			if framed || !f.supported {
				return Header{}, false, ErrUnsupported
			}
			var err error
			if h, err = frame(seg, f.progressive); err != nil {
				return Header{}, false, err
			}
			framed = true
			continue
		}
		if m == 0xDA { // SOS: entropy-coded data runs to the next marker that is not a restart
			if !framed {
				return Header{}, false, ErrNotJPEG
			}
			i = skipScan(b, i)
		}
	}
}

func frame(seg []byte, progressive bool) (Header, error) {
	if len(seg) < 6 {
		return Header{}, ErrNotJPEG
	}
	h := Header{
		Height:      int(seg[1])<<8 | int(seg[2]),
		Width:       int(seg[3])<<8 | int(seg[4]),
		Components:  int(seg[5]),
		Progressive: progressive,
	}
	if seg[0] != 8 || h.Width == 0 || h.Height == 0 || len(seg) != 6+3*h.Components ||
		h.Components != 1 && h.Components != 3 && h.Components != 4 {
		return Header{}, ErrUnsupported
	}
	return h, nil
}

// skipScan returns the index of the 0xFF that starts the marker after a scan's data.
func skipScan(b []byte, i int) int {
	for i+1 < len(b) {
		if b[i] == 0xFF && b[i+1] != 0x00 && (b[i+1] < 0xD0 || b[i+1] > 0xD7) && b[i+1] != 0xFF {
			return i
		}
		i++
	}
	return len(b)
}

// decoding admits one decode at a time per process: on Lambda an instance serves one request
// anyway, and the local server, which serves many at once, then never holds more than one
// decode's MaxDecodeBytes.
var decoding = make(chan struct{}, 1)

// Check reads a photo as the contract sends it (base64, a data: URL prefix allowed) and
// returns the JPEG to keep; every refusal is a 422 at the field photo.
func Check(raw string) ([]byte, error) {
	s := strings.TrimSpace(raw)
	for _, prefix := range []string{"data:image/jpeg;base64,", "data:image/jpg;base64,"} {
		s = strings.TrimPrefix(s, prefix)
	}
	if s == "" {
		return nil, api.InvalidField("photo", "请上传照片（JPG格式，小于190KB）")
	}
	if base64.StdEncoding.DecodedLen(len(s)) > MaxBytes+3 {
		return nil, tooLarge()
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, api.InvalidField("photo", "照片应为base64编码的JPG文件")
		}
	}
	if len(b) >= MaxBytes {
		return nil, tooLarge()
	}
	h, clean, err := ReadHeader(b)
	if err != nil {
		return nil, notJPEG()
	}
	if h.Width > MaxSide || h.Height > MaxSide || h.Width*h.Height > MaxPixels || h.DecodeCost() > MaxDecodeBytes {
		return nil, api.InvalidField("photo", "照片尺寸过大（最长边不超过4096像素），请缩小后重新上传")
	}
	decoding <- struct{}{}
	defer func() { <-decoding }()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, notJPEG()
	}
	if clean {
		return b, nil
	}
	return reencode(img)
}

// reencode writes the pixels alone as a new JPEG under MaxBytes.
func reencode(img image.Image) ([]byte, error) {
	for _, q := range []int{90, 75, 60} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			return nil, err
		}
		if buf.Len() < MaxBytes {
			return buf.Bytes(), nil
		}
	}
	return nil, tooLarge()
}

func tooLarge() error {
	return api.InvalidField("photo", "照片须小于190KB（194,560字节），请压缩后重新上传")
}

func notJPEG() error {
	return api.InvalidField("photo", "照片须为JPG格式，且文件完整可打开")
}
