package photo_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/photo"
)

var ctx = context.Background()

// layout is the shape of a JPEG that flat writes: any size, components and sampling Go's
// decoder takes, baseline or progressive, with as many AC scans per component as asked.
type layout struct {
	w, h        int
	comps       []photo.Component
	progressive bool
	acScans     int // progressive: AC scans of each component (one in a real file)
	adobe       int // the Adobe marker's transform, or -1 for no marker
	app0        []byte
	cut         int // when > 0, each scan's data is cut to this many bytes: a bomb's header is what counts
}

var (
	gray  = []photo.Component{{ID: 1, H: 1, V: 1}}
	yuv   = func(h, v int) []photo.Component { return []photo.Component{{1, h, v}, {2, 1, 1}, {3, 1, 1}} }
	rgb   = []photo.Component{{'R', 1, 1}, {'G', 1, 1}, {'B', 1, 1}}
	cmyk  = []photo.Component{{1, 1, 1}, {2, 1, 1}, {3, 1, 1}, {4, 1, 1}}
	ycck  = []photo.Component{{1, 2, 2}, {2, 1, 1}, {3, 1, 1}, {4, 2, 2}}
	plain = -1
)

// bitWriter writes entropy-coded data, stuffing a 0 after every 0xFF.
type bitWriter struct {
	out  []byte
	acc  uint32
	nacc int
}

func (w *bitWriter) put(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | (v>>uint(i))&1
		if w.nacc++; w.nacc == 8 {
			w.out = append(w.out, byte(w.acc))
			if byte(w.acc) == 0xFF {
				w.out = append(w.out, 0)
			}
			w.acc, w.nacc = 0, 0
		}
	}
}

func (w *bitWriter) bytes() []byte {
	for w.nacc != 0 {
		w.put(1, 1)
	}
	return w.out
}

func segment(b *bytes.Buffer, marker byte, body []byte) {
	n := len(body) + 2
	b.Write([]byte{0xFF, marker, byte(n >> 8), byte(n)})
	b.Write(body)
}

// flat writes a valid JPEG of l's shape whose every block is flat: a DC difference of 0 (a
// one-bit code) and no AC coefficients (an end of band, or a run of them in progressive
// scans), so that a photo of megapixels takes a few kilobytes. The AC table has 15 codes of
// four bits, code r for the symbol r<<4: an end-of-band run of 2^r plus r extra bits.
func flat(l layout) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xD8})
	if l.app0 != nil {
		segment(&b, 0xE0, l.app0)
	}
	if l.adobe >= 0 {
		segment(&b, 0xEE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, byte(l.adobe)})
	}
	segment(&b, 0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))
	sof := []byte{8, byte(l.h >> 8), byte(l.h), byte(l.w >> 8), byte(l.w), byte(len(l.comps))}
	for _, c := range l.comps {
		sof = append(sof, c.ID, byte(c.H<<4|c.V), 0)
	}
	marker := byte(0xC0)
	if l.progressive {
		marker = 0xC2
	}
	segment(&b, marker, sof)
	dht := append([]byte{0x00, 1}, make([]byte, 15)...)
	dht = append(dht, 0)
	ac := []byte{0x10, 0, 0, 0, 15}
	ac = append(ac, make([]byte, 12)...)
	for r := 0; r < 15; r++ {
		ac = append(ac, byte(r<<4))
	}
	segment(&b, 0xC4, append(dht, ac...))

	h0, v0 := l.comps[0].H, l.comps[0].V
	if len(l.comps) == 1 {
		h0, v0 = 1, 1
	}
	mxx, myy := (l.w+8*h0-1)/(8*h0), (l.h+8*v0-1)/(8*v0)
	interleaved := 0 // blocks of a scan of every component, MCU by MCU
	for _, c := range l.comps {
		interleaved += mxx * myy * c.H * c.V
	}
	alone := func(c photo.Component) int { // blocks of a scan of c alone, as the decoder reads them
		if len(l.comps) == 1 {
			c.H, c.V = 1, 1
		}
		return min(mxx*c.H, (l.w+7)/8) * min(myy*c.V, (l.h+7)/8)
	}
	if len(l.comps) == 1 {
		interleaved = alone(l.comps[0])
	}
	scan := func(ids []byte, ss, se byte, data []byte) {
		body := []byte{byte(len(ids))}
		for _, id := range ids {
			body = append(body, id, 0x00)
		}
		segment(&b, 0xDA, append(body, ss, se, 0))
		if l.cut > 0 && len(data) > l.cut {
			data = data[:l.cut]
		}
		b.Write(data)
	}
	var all []byte
	for _, c := range l.comps {
		all = append(all, c.ID)
	}
	enough := func(w *bitWriter) bool { return l.cut > 0 && len(w.out) >= l.cut }
	if !l.progressive {
		var w bitWriter
		for i := 0; i < interleaved && !enough(&w); i++ {
			w.put(0, 1) // DC: no difference
			w.put(0, 4) // AC: end of block
		}
		scan(all, 0, 63, w.bytes())
	} else {
		var dc bitWriter
		for i := 0; i < interleaved && !enough(&dc); i++ {
			dc.put(0, 1)
		}
		scan(all, 0, 0, dc.bytes())
		for _, c := range l.comps {
			var w bitWriter
			for left := alone(c); left > 0; {
				run := min(left, 1<<15-1)
				r := bits.Len(uint(run)) - 1
				w.put(uint32(r), 4)
				w.put(uint32(run-1<<r), r)
				left -= run
			}
			data := w.bytes()
			for range max(l.acScans, 1) {
				scan([]byte{c.ID}, 1, 63, data)
			}
		}
	}
	b.Write([]byte{0xFF, 0xD9})
	return b.Bytes()
}

// allocated is what f allocated, in bytes.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func check(b []byte) ([]byte, error) {
	return photo.Check(ctx, base64.StdEncoding.EncodeToString(b), nil)
}

// A photo that is not base64 is a client's fault the applicant can only mend by choosing the
// file again: the message says so, without the encoding's name.
func TestAPhotoThatIsNotBase64IsRefusedInPlainWords(t *testing.T) {
	_, err := photo.Check(ctx, "这不是照片!", nil)
	var e *api.Error
	if !errors.As(err, &e) || e.Status != 422 || e.Field != "photo" || strings.Contains(strings.ToLower(e.Message), "base64") || !strings.Contains(e.Message, "重新选择") {
		t.Fatalf("got %v", err)
	}
}

func refusedAtPhoto(err error) bool {
	var e *api.Error
	return errors.As(err, &e) && e.Status == 422 && e.Field == "photo"
}

// DecodeCost is what Go's decoder allocates, for every layout it takes: never less (else
// MaxDecodeBytes bounds nothing), and not much more (else it refuses photos it need not).
// A flat picture of 1200×900 makes each per-pixel term hundreds of kilobytes, far above the
// decoder's own few kilobytes.
func TestTheCostIsWhatTheDecoderAllocates(t *testing.T) {
	for name, l := range map[string]layout{
		"gray":                     {comps: gray, adobe: plain},
		"gray progressive":         {comps: gray, adobe: plain, progressive: true},
		"4:2:0":                    {comps: yuv(2, 2), adobe: plain},
		"4:2:0 progressive":        {comps: yuv(2, 2), adobe: plain, progressive: true},
		"4:4:4 progressive":        {comps: yuv(1, 1), adobe: plain, progressive: true},
		"4:2:2":                    {comps: yuv(2, 1), adobe: plain},
		"4:1:1":                    {comps: yuv(4, 1), adobe: plain},
		"4:4:0 progressive":        {comps: yuv(1, 2), adobe: plain, progressive: true},
		"RGB by name":              {comps: rgb, adobe: plain},
		"RGB by name, progressive": {comps: rgb, adobe: plain, progressive: true},
		"RGB by Adobe's transform": {comps: yuv(1, 1), adobe: 0},
		"CMYK":                     {comps: cmyk, adobe: 0},
		"CMYK progressive":         {comps: cmyk, adobe: 0, progressive: true},
		"YCCK":                     {comps: ycck, adobe: 2},
		"YCCK progressive":         {comps: ycck, adobe: 2, progressive: true},
	} {
		l.w, l.h = 1201, 899 // not whole MCUs: the padding counts
		b := flat(l)
		h, err := photo.ReadHeader(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var img image.Image
		used := int64(allocated(func() { img, err = jpeg.Decode(bytes.NewReader(b)) }))
		if err != nil || img.Bounds().Dx() != l.w || img.Bounds().Dy() != l.h {
			t.Fatalf("%s: the decoder refused the test's own JPEG: %v", name, err)
		}
		cost := h.DecodeCost()
		if used > cost+64<<10 || used < cost-cost/20 {
			t.Errorf("%s: the decoder allocated %d bytes, the header's cost is %d", name, used, cost)
		}
	}
}

// A few hundred bytes that declare tens of megapixels — baseline and progressive, one, three
// and four components, whole and cut short — are refused before any decoder allocates for
// what they declare. (Decoded, the progressive 6320×6320 of the attack took 570 MB.)
func TestBombsAreRefusedWithBoundedMemory(t *testing.T) {
	for _, progressive := range []bool{false, true} {
		for _, comps := range [][]photo.Component{gray, yuv(1, 1), cmyk} {
			for _, whole := range []bool{true, false} {
				for _, size := range [][2]int{{6320, 6320}, {4096, 4096}, {65535, 65535}, {20000, 300}} {
					name := fmt.Sprintf("progressive=%v %d components %dx%d whole=%v", progressive, len(comps), size[0], size[1], whole)
					bomb := flat(layout{w: size[0], h: size[1], comps: comps, progressive: progressive, adobe: 0, cut: 32})
					if !whole {
						bomb = bomb[:len(bomb)/2]
					}
					if len(bomb) > 400 {
						t.Fatalf("%s: the bomb has %d bytes", name, len(bomb))
					}
					var err error
					used := allocated(func() { _, err = check(bomb) })
					if !refusedAtPhoto(err) || used > 1<<20 {
						t.Errorf("%s: %v, %d bytes allocated", name, err, used)
					}
				}
			}
		}
	}
}

// The decoder visits every block of a scan in every scan, even a scan that says only "the
// rest is empty": 9,200 such scans of a 4096×1953 grey picture in 189 KB took 25 s of CPU.
// Visits are counted from the scan headers and the file is refused before it is decoded.
func TestManyScansAreRefusedBeforeTheDecode(t *testing.T) {
	l := layout{w: 4096, h: 1953, comps: gray, progressive: true, acScans: 7000, adobe: plain}
	bomb := flat(l)
	if len(bomb) >= photo.MaxBytes {
		t.Fatalf("the bomb has %d bytes", len(bomb))
	}
	h, err := photo.ReadHeader(bomb)
	if err != nil || h.Visits <= photo.MaxBlockVisits || h.DecodeCost() > photo.MaxDecodeBytes {
		t.Fatalf("header %+v cost %d, %v", h, h.DecodeCost(), err)
	}
	used := allocated(func() { _, err = check(bomb) })
	if !refusedAtPhoto(err) || used > 1<<20 {
		t.Fatalf("%v, %d bytes allocated", err, used)
	}
	// A real progressive script (a DC scan and ten AC scans) of the same picture passes.
	l.acScans = 10
	if _, err := check(flat(l)); err != nil {
		t.Fatalf("ten scans: %v", err)
	}
}

// The header walk refuses what Go's decoder does not take, and reads what a frame declares.
func TestReadHeader(t *testing.T) {
	h, err := photo.ReadHeader(flat(layout{w: 640, h: 480, comps: yuv(2, 2), progressive: true, adobe: plain}))
	if err != nil || h.Width != 640 || h.Height != 480 || h.Components != 3 || !h.Progressive || h.Scans != 4 || !h.Plain || h.RGB {
		t.Fatalf("progressive: %+v %v", h, err)
	}
	// 40×30 MCUs of 4 luma and 2 chroma blocks: planes 640×480 + 2×320×240, coefficients
	// 256 bytes a block; visits: the DC scan's 7,200 blocks, then each AC scan's.
	if h.DecodeCost() != 640*480+2*320*240+256*40*30*6 || h.Visits != 7200+4800+1200+1200 {
		t.Fatalf("cost %d, visits %d", h.DecodeCost(), h.Visits)
	}
	sof := func(m byte) []byte {
		b := flat(layout{w: 64, h: 64, comps: yuv(1, 1), adobe: plain})
		b[bytes.Index(b, []byte{0xFF, 0xC0})+1] = m
		return b
	}
	for name, b := range map[string][]byte{
		"arithmetic coding":        sof(0xC9),
		"lossless":                 sof(0xC3),
		"two components":           flat(layout{w: 64, h: 64, comps: yuv(1, 1)[:2], adobe: plain}),
		"no height":                flat(layout{w: 64, h: 0, comps: gray, adobe: plain}),
		"a sampling factor of 3":   flat(layout{w: 64, h: 64, comps: yuv(3, 1), adobe: plain}),
		"chroma above luma":        flat(layout{w: 64, h: 64, comps: []photo.Component{{1, 1, 1}, {2, 2, 2}, {3, 2, 2}}, adobe: plain}),
		"a repeated component id":  flat(layout{w: 64, h: 64, comps: []photo.Component{{1, 1, 1}, {1, 1, 1}, {3, 1, 1}}, adobe: plain}),
		"CMYK sampled 2:1":         flat(layout{w: 64, h: 64, comps: []photo.Component{{1, 2, 1}, {2, 1, 1}, {3, 1, 1}, {4, 2, 1}}, adobe: 0}),
		"empty":                    {},
		"PNG":                      {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A},
		"SOI only":                 {0xFF, 0xD8},
		"EOI before frame":         {0xFF, 0xD8, 0xFF, 0xD9},
		"a length past the end":    {0xFF, 0xD8, 0xFF, 0xDB, 0xFF, 0xFF, 0x00},
		"a scan of no component":   bytes.Replace(flat(layout{w: 8, h: 8, comps: gray, adobe: plain}), []byte{0xFF, 0xDA, 0, 8, 1, 1}, []byte{0xFF, 0xDA, 0, 8, 1, 9}, 1),
		"a frame and no scan":      noScan(),
		"12-bit":                   bytes.Replace(flat(layout{w: 8, h: 8, comps: gray, adobe: plain}), []byte{0xFF, 0xC0, 0, 11, 8}, []byte{0xFF, 0xC0, 0, 11, 12}, 1),
		"a second frame after one": append(sof(0xC0)[:len(sof(0xC0))-2], sof(0xC1)[2:]...),
	} {
		if _, err := photo.ReadHeader(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// noScan is a JPEG's tables and frame, then its end.
func noScan() []byte {
	b := flat(layout{w: 8, h: 8, comps: gray, adobe: plain})
	return append(b[:bytes.Index(b, []byte{0xFF, 0xDA})], 0xFF, 0xD9)
}

func encoded(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// What reviewers' browsers are given is only what this package's encoder wrote: the pixels
// of the photo, never a byte of the sender's segments — not a document appended after the
// end, not metadata (EXIF carries a phone's GPS position), not a script in a JFIF marker.
func TestWhatIsKeptIsThePixelsEncodedHere(t *testing.T) {
	clean := encoded(t, 120, 90)
	gps := []byte("Exif\x00\x00GPS-31.2N")
	exif := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, byte(2 + len(gps))}, gps...)
	exif = append(exif, clean[2:]...)
	for name, b := range map[string][]byte{
		"a clean JPEG":       clean,
		"html after the end": append(append([]byte{}, clean...), []byte("<html><script>alert(1)</script></html>")...),
		"EXIF":               exif,
		"html in APP0":       flat(layout{w: 64, h: 64, comps: yuv(2, 2), adobe: plain, app0: []byte("JFIF\x00<html><script>alert(1)</script>")}),
		"CMYK":               flat(layout{w: 64, h: 64, comps: cmyk, adobe: 0}),
	} {
		got, err := check(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bytes.Contains(got, []byte("<html")) || bytes.Contains(got, []byte("GPS")) || bytes.Equal(got, b) {
			t.Fatalf("%s: kept the sender's bytes", name)
		}
		h, err := photo.ReadHeader(got)
		if err != nil || !h.Plain || h.Progressive {
			t.Fatalf("%s: what is kept is not a plain baseline JPEG: %+v %v", name, h, err)
		}
		src, _ := jpeg.DecodeConfig(bytes.NewReader(b))
		if h.Width != src.Width || h.Height != src.Height {
			t.Fatalf("%s: kept %d×%d of %d×%d", name, h.Width, h.Height, src.Width, src.Height)
		}
	}
}

// A phone photo of a document saved at a low quality fits under the limit, and its pixels
// encoded again at the encoder's usual qualities do not: the check must still find a
// quality at which they fit, never call a photo that meets SPEC §1 too large (found by an
// attack on make run: 2100×1330 at quality 40, 185,650 bytes, was refused as over 190 KB).
func TestAPhotoUnderTheLimitAtALowQualityIsKept(t *testing.T) {
	img := noisyDocument()
	tried := 0
	for _, q := range []int{40, 30, 20} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		if buf.Len() >= photo.MaxBytes {
			continue
		}
		tried++
		got, err := check(buf.Bytes())
		if err != nil {
			t.Fatalf("quality %d, %d bytes: %v", q, buf.Len(), err)
		}
		if len(got) >= photo.MaxBytes {
			t.Fatalf("quality %d: kept %d bytes", q, len(got))
		}
	}
	if tried == 0 {
		t.Fatal("no upload under the limit: the picture no longer tests the case")
	}
}

// The quality a JPEG was saved at is read from its luminance table, and what is kept is
// encoded at no higher quality: more would add bytes (each a DynamoDB write unit's share)
// and no detail. Below it, the ladder's steps.
func TestWhatIsKeptIsAtMostTheUploadsQuality(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for i := range img.Pix {
		img.Pix[i] = byte(i*31 + i/977)
	}
	for _, q := range []int{10, 25, 40, 50, 55, 70, 80, 92, 100} { // below 10 the table clamps at 255
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		h, err := photo.ReadHeader(buf.Bytes())
		if err != nil || h.Quality < q-2 || h.Quality > q+2 {
			t.Fatalf("saved at %d, read as %d (%v)", q, h.Quality, err)
		}
		kept, err := check(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if k, _ := photo.ReadHeader(kept); k.Quality > max(h.Quality, 10)+2 {
			t.Fatalf("saved at %d, kept at %d", q, k.Quality)
		}
	}
	for from, want := range map[int][]int{
		0: {90, 75, 60, 45, 30, 20, 10, 6, 3, 1}, 95: {90, 75, 60, 45, 30, 20, 10, 6, 3, 1}, 80: {80, 75, 60, 45, 30, 20, 10, 6, 3, 1},
		40: {40, 30, 20, 10, 6, 3, 1}, 10: {10, 6, 3, 1}, 7: {7, 6, 3, 1}, 1: {1},
	} {
		if got := photo.Qualities(from); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("from %d: %v, want %v", from, got, want)
		}
	}
}

// A large upload saved at the very lowest qualities, a few bytes under the limit, is kept:
// its table's entries clamp at 255 and read its quality a little high, and the ladder goes
// on below the estimate down to 1 (found by a review and an attack: an 8 MP photo saved by
// Go's own encoder at quality 1, 192,617 bytes, and 3264×2448 ones at 5 and 6, were refused).
func TestAnUploadSavedAtTheLowestQualitiesIsKept(t *testing.T) {
	const w, h, amp = 4000, 2000, 80.0
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(3, 3))
	for y := range h {
		for x := range w {
			base := 128 + amp*math.Sin(float64(x)/2.1)*math.Cos(float64(y)/2.9)
			v := uint8(max(0, min(255, base+r.NormFloat64()*amp/2)))
			img.SetRGBA(x, y, color.RGBA{v, v / 2, 255 - v, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 1}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() >= photo.MaxBytes {
		t.Fatalf("the sample has %d bytes: it no longer tests the case", buf.Len())
	}
	if kept, err := check(buf.Bytes()); err != nil || len(kept) >= photo.MaxBytes {
		t.Fatalf("an upload of %d bytes at quality 1: kept %d bytes, %v", buf.Len(), len(kept), err)
	}
}

// The quality is read from the table the frame's first component is quantized with, as it
// stands at the first scan: not from a table defined first and never used, nor from one
// defined again before the scan (found by an attack on make run: a DQT of 1s put first made
// a quality-90 photo read as 99, one of 255s made it be kept at quality 7).
func TestTheQualityIsReadFromTheTableTheImageUses(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, encodedImage(), &jpeg.Options{Quality: 40}); err != nil {
		t.Fatal(err)
	}
	table := func(id byte, entry byte) []byte {
		seg := []byte{0xFF, 0xDB, 0, 67, id}
		return append(seg, bytes.Repeat([]byte{entry}, 64)...)
	}
	after := func(segments ...[]byte) []byte { // SOI, the segments, then the encoder's own
		out := []byte{0xFF, 0xD8}
		for _, seg := range segments {
			out = append(out, seg...)
		}
		return append(out, buf.Bytes()[2:]...)
	}
	for name, b := range map[string][]byte{
		"as encoded":                 buf.Bytes(),
		"table 3 of 1s, unused":      after(table(3, 1)),
		"table 0 of 255s, redefined": after(table(0, 255)),
		"table 0 of 1s, redefined":   after(table(0, 1)),
	} {
		h, err := photo.ReadHeader(b)
		if err != nil || h.Quality < 38 || h.Quality > 42 {
			t.Errorf("%s: read as %d (%v)", name, h.Quality, err)
		}
	}
}

func encodedImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for i := range img.Pix {
		img.Pix[i] = byte(i*31 + i/977)
	}
	return img
}

// The bounds of a document photo: 4096 px a side and 8 MP.
func TestDeclaredSizeBounds(t *testing.T) {
	for _, c := range []struct {
		w, h int
		ok   bool
	}{{4096, 16, true}, {4097, 16, false}, {16, 4097, false}, {1000, 1000, true}, {4000, 2000, true}, {4000, 2001, false}} {
		_, err := check(flat(layout{w: c.w, h: c.h, comps: yuv(2, 2), adobe: plain}))
		if (err == nil) != c.ok {
			t.Errorf("%d×%d: %v", c.w, c.h, err)
		}
	}
}

// A request that ends while another photo is being decoded gives up its turn.
func TestAWaitForTheDecoderEndsWithTheRequest(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	hold := flat(layout{w: 8, h: 8, comps: gray, adobe: plain})
	go photo.HoldDecoder(started, release)
	<-started
	ended, cancel := context.WithCancel(ctx)
	cancel()
	_, err := photo.Check(ended, base64.StdEncoding.EncodeToString(hold), nil)
	close(release)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting while the decoder is held: %v", err)
	}
	if _, err := check(hold); err != nil {
		t.Fatalf("once it is free: %v", err)
	}
}

// Whatever bytes arrive, the header walk and the check neither panic nor accept what is not a
// JPEG within the bounds; what they keep is a plain JPEG. The seeds include the bombs.
func FuzzCheck(f *testing.F) {
	for _, progressive := range []bool{false, true} {
		for _, comps := range [][]photo.Component{gray, yuv(2, 2), cmyk} {
			bomb := flat(layout{w: 6320, h: 6320, comps: comps, progressive: progressive, adobe: 0, cut: 32})
			f.Add(bomb)
			f.Add(bomb[:len(bomb)/2])
			f.Add(flat(layout{w: 33, h: 17, comps: comps, progressive: progressive, adobe: 0}))
		}
	}
	f.Add(flat(layout{w: 512, h: 512, comps: gray, progressive: true, acScans: 40, adobe: plain}))
	var small bytes.Buffer
	_ = jpeg.Encode(&small, image.NewGray(image.Rect(0, 0, 16, 16)), nil)
	f.Add(small.Bytes())
	f.Add(append(append([]byte{}, small.Bytes()...), "<html>"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := photo.ReadHeader(b)
		kept, cerr := check(b)
		if cerr != nil {
			if !refusedAtPhoto(cerr) {
				t.Fatalf("a refusal that is not a 422 at photo: %v", cerr)
			}
			return
		}
		if err != nil || h.Width > photo.MaxSide || h.Height > photo.MaxSide || h.DecodeCost() > photo.MaxDecodeBytes || h.Visits > photo.MaxBlockVisits {
			t.Fatalf("accepted a photo whose header reads %+v, %v", h, err)
		}
		if h, err := photo.ReadHeader(kept); err != nil || !h.Plain || len(kept) >= photo.MaxBytes {
			t.Fatalf("kept %d bytes that are not one plain JPEG: %v", len(kept), err)
		}
	})
}

// A phone photo of a document as applicants send it: 2000×1500, 4:2:0 (the decode, the
// encode again, and the header walk before them).
func BenchmarkCheck(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 2000, 1500))
	for y := 0; y < 1500; y++ {
		for x := 0; x < 2000; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 8), uint8(y / 6), uint8((x ^ y) & 0x3F), 255})
		}
	}
	benchmarkCheck(b, img, 80)
}

// The same for an upload saved at a low quality: a noisy 2100×1330 document at quality 40
// (185,650 bytes), which no quality above its own would fit again.
func BenchmarkCheckLowQuality(b *testing.B) {
	benchmarkCheck(b, noisyDocument(), 40)
}

// benchmarkCheck times photo.Check of img saved at quality, as the contract sends it.
func benchmarkCheck(b *testing.B, img image.Image, quality int) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		b.Fatal(err)
	}
	if buf.Len() >= photo.MaxBytes {
		b.Fatalf("the sample has %d bytes", buf.Len())
	}
	raw := base64.StdEncoding.EncodeToString(buf.Bytes())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := photo.Check(ctx, raw, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// noisyDocument is a phone photo of a printed document, 2100×1330: shading, strokes and a
// sensor's noise, which JPEG keeps at a cost (quality 40: 185,650 bytes).
func noisyDocument() *image.RGBA {
	const w, h = 2100, 1330
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(2, 2))
	for y := range h {
		for x := range w {
			base := 180 + 40*math.Sin(float64(x)/300)*math.Cos(float64(y)/200)
			if (x/7+y/11)%13 == 0 && y%40 < 20 {
				base = 40 // strokes, as of print
			}
			noise := r.NormFloat64() * 6
			v := func(off float64) uint8 { return uint8(max(0, min(255, base+off+noise))) }
			img.SetRGBA(x, y, color.RGBA{v(0), v(-10), v(-25), 255})
		}
	}
	return img
}

// padded is a JPEG of exactly size bytes: comment segments after SOI make up the rest.
func padded(t *testing.T, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 64, 64)), nil); err != nil {
		t.Fatal(err)
	}
	body := buf.Bytes()[2:]
	out := []byte{0xFF, 0xD8}
	for need := size - 2 - len(body); need > 0; {
		n := min(need, 65535+2) // a segment: marker, length (itself included), data
		if n < 4 {
			t.Fatalf("cannot pad by %d", n)
		}
		if rest := need - n; rest > 0 && rest < 4 {
			n -= 4
		}
		out = append(out, 0xFF, 0xFE, byte((n-2)>>8), byte(n-2))
		out = append(out, make([]byte, n-4)...)
		need -= n
	}
	out = append(out, body...)
	if len(out) != size {
		t.Fatalf("padded to %d bytes, want %d", len(out), size)
	}
	return out
}

// wrapped is b in base64 broken into lines of 76 with eol, as MIME and `base64` write it.
func wrapped(b []byte, eol string) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + eol)
		s = s[76:]
	}
	out.WriteString(s)
	return out.String()
}

// The size limit is the JPEG's, however its base64 is wrapped: a photo one byte under it is
// taken in one line or in lines of 76, and one at it is refused either way.
func TestTheSizeLimitIsTheFilesNotItsLines(t *testing.T) {
	under, at := padded(t, photo.MaxBytes-1), padded(t, photo.MaxBytes)
	for name, raw := range map[string]string{
		"one line": base64.StdEncoding.EncodeToString(under), "LF": wrapped(under, "\n"), "CRLF": wrapped(under, "\r\n"),
	} {
		if _, err := photo.Check(ctx, raw, nil); err != nil {
			t.Errorf("%s, one byte under the limit: %v", name, err)
		}
	}
	for name, raw := range map[string]string{
		"one line": base64.StdEncoding.EncodeToString(at), "LF": wrapped(at, "\n"), "CRLF": wrapped(at, "\r\n"),
	} {
		if _, err := photo.Check(ctx, raw, nil); err == nil || !strings.Contains(err.Error(), "190") {
			t.Errorf("%s, at the limit: %v", name, err)
		}
	}
}
