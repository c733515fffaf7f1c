// Package photo checks the ID photo of a manual review (SPEC §1: a JPEG smaller than 190 KB)
// as the untrusted file it is. A small file can declare a huge image, and decoding what it
// declares is what costs memory and time: so the frame header and every scan header are read
// first, by hand, and a photo whose declared size no document photo has, whose decoding
// would need more than MaxDecodeBytes, or whose scans would make the decoder visit more than
// MaxBlockVisits blocks, is refused before any decoder allocates for it. What passes is
// decoded whole (names and magic bytes prove nothing), one photo at a time per process, and
// what is kept is always its pixels encoded again here: reviewers' browsers are given only
// what this package's encoder wrote, never a segment, a byte of metadata or an appended
// document of the sender's.
package photo

import (
	"bytes"
	"context"
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
	// MaxDecodeBytes bounds what one decode may allocate, as Header.DecodeCost reckons it from
	// the header the way Go's decoder allocates. 48 MiB admits any baseline photo within
	// MaxPixels, and progressive ones up to about 6.7 MP with 4:2:0 chroma, 3.3 MP with 4:4:4.
	MaxDecodeBytes = 48 << 20
	// MaxBlockVisits bounds the decoder's time: it visits every block of a scan's components
	// in every scan, so a file of thousands of tiny progressive scans costs seconds. The
	// usual progressive script of ten scans visits about a million blocks of an 8 MP photo
	// with 4:2:0 chroma, two million with 4:4:4.
	MaxBlockVisits = 4_000_000
)

// Component is one colour component of the frame: its id and sampling factors.
type Component struct {
	ID   byte
	H, V int
}

// Header is what a JPEG's frame header (SOFn), its scan headers and its colour markers
// declare.
type Header struct {
	Width, Height int
	Components    int
	Progressive   bool
	Sampling      [4]Component // the first Components are the frame's
	// RGB: an Adobe marker says transform 0, or the components are named R, G, B; Go's
	// decoder then converts a 3-component image into RGBA.
	RGB   bool
	Scans int
	// Visits are the blocks the decoder visits over all the scans.
	Visits int64
	// Plain: nothing but tables, the frame and its scans, and nothing after the end.
	Plain bool
	// Quality is the quality (1–100, on libjpeg's scale, which Go's encoder and most phones
	// use) that the table quantizing the first component at the first scan was scaled from,
	// estimated; 0 when it does not read so.
	Quality int
	// tables are the qualities of the quantization tables as defined so far, by id; luma is
	// the table the frame's first component names.
	tables [4]int
	luma   int
}

// mcus are the MCU columns and rows, as Go's decoder counts them from the first component.
func (h Header) mcus() (mxx, myy int64) {
	h0, v0 := h.Sampling[0].H, h.Sampling[0].V
	return int64((h.Width + 8*h0 - 1) / (8 * h0)), int64((h.Height + 8*v0 - 1) / (8 * v0))
}

// componentBlocks is how many 8×8 blocks component i has in the decoder's buffers.
func (h Header) componentBlocks(i int) int64 {
	mxx, myy := h.mcus()
	return mxx * myy * int64(h.Sampling[i].H*h.Sampling[i].V)
}

// DecodeCost is, in bytes, what Go's image/jpeg allocates for the image: the planes (whole
// MCUs, chroma at its sampling), a 4-component image's black plane, a progressive image's
// coefficients (256 bytes a block of every component, kept until the last scan), and the
// RGBA or CMYK image a 4-component or RGB image is converted into.
func (h Header) DecodeCost() int64 {
	mxx, myy := h.mcus()
	var cost int64
	if h.Components == 1 {
		cost = 64 * mxx * myy
	} else {
		y := h.Sampling[0]
		yw, yh := 8*int64(y.H)*mxx, 8*int64(y.V)*myy
		hr, vr := int64(y.H/h.Sampling[1].H), int64(y.V/h.Sampling[1].V)
		cost = yw*yh + 2*((yw+hr-1)/hr)*((yh+vr-1)/vr)
		if h.Components == 4 {
			cost += 64 * h.componentBlocks(3)
		}
	}
	if h.Progressive {
		for i := 0; i < h.Components; i++ {
			cost += 256 * h.componentBlocks(i)
		}
	}
	if h.Components == 4 || h.Components == 3 && h.RGB {
		cost += 4 * int64(h.Width) * int64(h.Height)
	}
	return cost
}

// Errors of the header's reading; each is a refusal of the photo.
var (
	ErrNotJPEG     = errors.New("photo: not a JPEG")
	ErrUnsupported = errors.New("photo: a JPEG coding this decoder does not take (lossless, arithmetic, hierarchical, 12-bit, odd sampling)")
)

// frame markers: which SOFn Go's decoder takes, and which are progressive.
var frames = map[byte]struct{ supported, progressive bool }{
	0xC0: {true, false}, 0xC1: {true, false}, 0xC2: {true, true},
	0xC3: {}, 0xC5: {}, 0xC6: {}, 0xC7: {}, 0xC9: {}, 0xCA: {}, 0xCB: {}, 0xCD: {}, 0xCE: {}, 0xCF: {},
}

// plain are the segments that carry nothing but the image: tables, frame, scans, restart
// interval.
var plain = map[byte]bool{0xDB: true, 0xC4: true, 0xDD: true, 0xDA: true, 0xC0: true, 0xC1: true, 0xC2: true}

// ReadHeader walks the file's segments and returns what its frame and scans declare. It
// refuses what Go's decoder would refuse there, so that DecodeCost reckons only with layouts
// that decoder takes; it stops at the first scan that takes the visits past MaxBlockVisits.
// It allocates nothing that grows with what the file declares.
func ReadHeader(b []byte) (Header, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return Header{}, ErrNotJPEG
	}
	var h Header
	framed, plainSoFar := false, true
	for i := 2; ; {
		if i >= len(b) || b[i] != 0xFF {
			return Header{}, ErrNotJPEG
		}
		for i < len(b) && b[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(b) {
			return Header{}, ErrNotJPEG
		}
		m := b[i]
		i++
		switch {
		case m == 0xD9: // EOI
			if !framed || h.Scans == 0 {
				return Header{}, ErrNotJPEG
			}
			h.Plain = plainSoFar && i == len(b)
			return h, nil
		case m == 0xD8 || m == 0x00 || m >= 0xD0 && m <= 0xD7 || m == 0x01:
			return Header{}, ErrNotJPEG // no segment of its own here
		}
		if i+2 > len(b) {
			return Header{}, ErrNotJPEG
		}
		n := int(b[i])<<8 | int(b[i+1])
		if n < 2 || i+n > len(b) {
			return Header{}, ErrNotJPEG
		}
		seg := b[i+2 : i+n]
		i += n
		plainSoFar = plainSoFar && plain[m]
		switch f, isFrame := frames[m]; {
		case isFrame:
			if framed || !f.supported {
				return Header{}, ErrUnsupported
			}
			if err := h.frame(seg, f.progressive); err != nil {
				return Header{}, err
			}
			framed = true
		case m == 0xDB: // DQT: tables are defined, or defined again, before the scan that uses them
			h.quantization(seg)
		case m == 0xEE: // APP14, read as Go's decoder reads it
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" && seg[11] == 0 {
				h.RGB = true
			}
		case m == 0xDA: // SOS: its entropy-coded data runs to the next marker that is not a restart
			if !framed {
				return Header{}, ErrNotJPEG
			}
			if h.Scans == 0 {
				h.Quality = h.tables[h.luma]
			}
			if err := h.scan(seg); err != nil {
				return Header{}, err
			}
			if h.Visits > MaxBlockVisits {
				return h, nil // refused for its cost: the rest need not be read
			}
			i = skipScan(b, i)
		}
	}
}

// baseLuminance is the luminance table of the JPEG standard (Annex K), in zig-zag order,
// which libjpeg and Go's encoder scale by quality.
var baseLuminance = [64]int{
	16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40,
	26, 24, 22, 22, 24, 49, 35, 37, 29, 40, 58, 51, 61, 60, 57, 51,
	56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87,
	95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
}

// quantization notes the quality of each table a DQT segment defines (one or more, each an
// id and 64 entries, 8 or 16 bits).
func (h *Header) quantization(seg []byte) {
	for len(seg) > 0 {
		size := 1 + 64
		if seg[0]>>4 != 0 {
			size = 1 + 128
		}
		if len(seg) < size {
			return
		}
		if id := seg[0] & 0x0F; id < 4 {
			h.tables[id] = 0 // a 16-bit table is not on a quality scale
			if seg[0]>>4 == 0 {
				h.tables[id] = quality(seg[1:size])
			}
		}
		seg = seg[size:]
	}
}

// quality estimates the quality an 8-bit table (64 entries, zig-zag order) was scaled from:
// the mean of its entries over the standard's, as a percentage, turned back into a quality
// the way libjpeg turns a quality into that scale. Entries clamped at 255 (qualities below
// about 20) read it a little high; the steps below the estimate make up for that (qualities).
func quality(table []byte) int {
	sum := 0
	for i, q := range table {
		sum += int(q) * 100 * 64 / baseLuminance[i] // ×64: the mean below keeps two more digits
	}
	scale := (sum/64 + 32) / 64
	switch {
	case scale <= 0:
		return 0
	case scale <= 100:
		return min(100, max(1, (200-scale+1)/2))
	default:
		return max(1, (5000+scale/2)/scale)
	}
}

// frame reads SOFn: the size, the components and their sampling factors, refusing what Go's
// decoder refuses.
func (h *Header) frame(seg []byte, progressive bool) error {
	if len(seg) < 6 {
		return ErrNotJPEG
	}
	h.Height = int(seg[1])<<8 | int(seg[2])
	h.Width = int(seg[3])<<8 | int(seg[4])
	h.Components = int(seg[5])
	h.Progressive = progressive
	if seg[0] != 8 || h.Width == 0 || h.Height == 0 || len(seg) != 6+3*h.Components ||
		h.Components != 1 && h.Components != 3 && h.Components != 4 {
		return ErrUnsupported
	}
	h.luma = int(seg[8] & 0x03) // the first component's table (ids 0–3)
	for i := 0; i < h.Components; i++ {
		c := Component{ID: seg[6+3*i], H: int(seg[7+3*i] >> 4), V: int(seg[7+3*i] & 0x0F)}
		for j := 0; j < i; j++ {
			if h.Sampling[j].ID == c.ID {
				return ErrNotJPEG
			}
		}
		if c.H < 1 || c.H > 4 || c.V < 1 || c.V > 4 || c.H == 3 || c.V == 3 {
			return ErrUnsupported
		}
		y := h.Sampling[0]
		switch {
		case h.Components == 1:
			c.H, c.V = 1, 1 // one component is never interleaved: its MCU is one block
		case h.Components == 3 && i == 0 && c.V == 4,
			h.Components == 3 && i == 1 && (y.H%c.H != 0 || y.V%c.V != 0),
			h.Components == 3 && i == 2 && (c.H != h.Sampling[1].H || c.V != h.Sampling[1].V),
			h.Components == 4 && i == 0 && c.H != c.V,
			h.Components == 4 && i == 0 && c.H > 2,
			h.Components == 4 && (i == 1 || i == 2) && (c.H != 1 || c.V != 1),
			h.Components == 4 && i == 3 && (c.H != y.H || c.V != y.V):
			return ErrUnsupported
		}
		h.Sampling[i] = c
	}
	if h.Components == 3 && h.Sampling[0].ID == 'R' && h.Sampling[1].ID == 'G' && h.Sampling[2].ID == 'B' {
		h.RGB = true
	}
	return nil
}

// scan reads an SOS header and adds the blocks the decoder visits for it.
func (h *Header) scan(seg []byte) error {
	if len(seg) < 1 {
		return ErrNotJPEG
	}
	ns := int(seg[0])
	if ns < 1 || ns > h.Components || len(seg) != 4+2*ns {
		return ErrNotJPEG
	}
	for k := 0; k < ns; k++ {
		i := h.component(seg[1+2*k])
		if i < 0 {
			return ErrNotJPEG
		}
		h.Visits += h.componentBlocks(i)
	}
	h.Scans++
	return nil
}

// component is the index of the frame's component with id, or -1.
func (h *Header) component(id byte) int {
	for i := 0; i < h.Components; i++ {
		if h.Sampling[i].ID == id {
			return i
		}
	}
	return -1
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

var lineBreaks = strings.NewReplacer("\r", "", "\n", "")

// Bytes is the file a photo field carries: its base64 (standard, padded or not, in lines or
// not), after an optional data: URL prefix; a refusal in the contract's words otherwise.
func Bytes(raw string) ([]byte, error) {
	s := strings.TrimSpace(raw)
	for _, prefix := range []string{"data:image/jpeg;base64,", "data:image/jpg;base64,"} {
		s = strings.TrimPrefix(s, prefix)
	}
	if s == "" {
		return nil, api.InvalidField("photo", "请上传照片（JPG格式，小于190KB）")
	}
	// base64 wrapped in lines (MIME's 76 columns, what `base64` prints) is the same photo:
	// the decoder skips the line breaks, so the size is judged without them.
	if strings.ContainsAny(s, "\r\n") {
		s = lineBreaks.Replace(s)
	}
	if base64.StdEncoding.DecodedLen(len(s)) > MaxBytes+3 {
		return nil, tooLarge()
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, api.InvalidField("photo", "照片文件无法读取，请重新选择JPG格式的照片上传")
		}
	}
	if len(b) >= MaxBytes {
		return nil, tooLarge()
	}
	return b, nil
}

// Check reads a photo as the contract sends it (base64, a data: URL prefix allowed) and
// returns the JPEG to keep, encoded here from its pixels; every refusal is a 422 at the field
// photo. A request that ends while it waits for its turn to decode gets ctx's error.
//
// admit, when not nil, is asked right before the decode, once every cheap check has passed:
// it counts the decode against the caller's limit, and its error ends the check. A form with
// a mistake a glance finds is then never counted; a file that needs the decoder always is.
func Check(ctx context.Context, raw string, admit func(context.Context) error) ([]byte, error) {
	b, err := Bytes(raw)
	if err != nil {
		return nil, err
	}
	return CheckBytes(ctx, b, admit)
}

// CheckBytes is Check of a file already read from its field (Bytes).
func CheckBytes(ctx context.Context, b []byte, admit func(context.Context) error) ([]byte, error) {
	h, err := ReadHeader(b)
	if err != nil {
		return nil, notJPEG()
	}
	if h.Width > MaxSide || h.Height > MaxSide || h.Width*h.Height > MaxPixels || h.DecodeCost() > MaxDecodeBytes {
		return nil, api.InvalidField("photo", "照片尺寸过大（最长边不超过4096像素），请缩小后重新上传")
	}
	if h.Visits > MaxBlockVisits {
		return nil, api.InvalidField("photo", "照片的编码方式无法处理，请用手机或电脑将其另存为普通JPG后重新上传")
	}
	if admit != nil {
		if err := admit(ctx); err != nil {
			return nil, err
		}
	}
	select {
	case decoding <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-decoding }()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, notJPEG()
	}
	return reencode(img, qualities(h.Quality))
}

// qualities are the encoder's qualities tried in turn, best first, for an upload of
// quality from (0: unknown). Encoding pixels above the quality they were saved at adds bytes
// and no detail, and an upload under MaxBytes made at a low quality (a phone's page shrinks
// its photo down to 55; other tools go lower) grows past it when encoded at a higher one: so
// the upload's own quality comes first (its pixels come out about its own size), then the
// steps below it. Only an upload saved at the very lowest qualities, a few bytes under the
// limit, can grow past it at its own: overCompressed says so.
func qualities(from int) []int {
	steps := []int{90, 75, 60, 45, 30, 20, 10, 6, 3, 1}
	if from <= 0 || from >= steps[0] {
		return steps
	}
	for i, q := range steps {
		if q < from {
			return append([]int{from}, steps[i:]...)
		}
	}
	return []int{from}
}

// reencode writes the pixels alone, as a new JPEG under MaxBytes, at the best quality of
// ladder that fits.
func reencode(img image.Image, ladder []int) ([]byte, error) {
	for _, q := range ladder {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			return nil, err
		}
		if buf.Len() < MaxBytes {
			return buf.Bytes(), nil
		}
	}
	// The upload itself is under the limit (checked before the decode): its pixels do not
	// fit again at any quality, which only a file made to encode them its own way does.
	return nil, notReencodable()
}

func notReencodable() error {
	return api.InvalidField("photo", "照片的编码方式无法处理：请用手机相机重新拍摄，或用手机、电脑将其另存为普通JPG后重新上传")
}

func tooLarge() error {
	return api.InvalidField("photo", "照片须小于190KB（194,560字节），请压缩后重新上传")
}

func notJPEG() error {
	return api.InvalidField("photo", "照片须为JPG格式，且文件完整可打开")
}
