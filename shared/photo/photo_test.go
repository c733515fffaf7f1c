package photo_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"runtime"
	"testing"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/photo"
)

// forge writes the bytes of a JPEG that declares w×h pixels of comps components in the
// frame marker sof (0xC0 baseline, 0xC2 progressive), with tables and, when whole, a scan
// and the end marker; its entropy data is a few bytes whatever it declares: a bomb.
func forge(sof byte, w, h, comps int, whole bool) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xD8})
	b.Write([]byte{0xFF, 0xDB, 0x00, 0x43, 0x00})
	b.Write(bytes.Repeat([]byte{1}, 64))
	b.Write([]byte{0xFF, sof, 0x00, byte(8 + 3*comps), 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(comps)})
	for i := 0; i < comps; i++ {
		b.Write([]byte{byte(i + 1), 0x11, 0x00})
	}
	// One DC and one AC table, each with a single code of length 1 for the symbol 0.
	for _, class := range []byte{0x00, 0x10} {
		b.Write([]byte{0xFF, 0xC4, 0x00, 20, class, 1})
		b.Write(make([]byte, 15))
		b.WriteByte(0)
	}
	if whole {
		se := byte(63)
		if sof == 0xC2 {
			se = 0 // a progressive DC scan
		}
		b.Write([]byte{0xFF, 0xDA, 0x00, byte(6 + 2*comps), byte(comps)})
		for i := 0; i < comps; i++ {
			b.Write([]byte{byte(i + 1), 0x00})
		}
		b.Write([]byte{0, se, 0})
		b.Write(make([]byte, 32))
		b.Write([]byte{0xFF, 0xD9})
	}
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

func refusedAtPhoto(err error) bool {
	var e *api.Error
	return errors.As(err, &e) && e.Status == 422 && e.Field == "photo"
}

// A few hundred bytes that declare tens of megapixels — baseline and progressive, one, three
// and four components, whole and cut short — are refused before any decoder allocates for
// what they declare. (Decoded, the progressive 6320×6320 of the attack took 570 MB.)
func TestBombsAreRefusedWithBoundedMemory(t *testing.T) {
	for _, sof := range []byte{0xC0, 0xC2} {
		for _, comps := range []int{1, 3, 4} {
			for _, whole := range []bool{true, false} {
				for _, size := range [][2]int{{6320, 6320}, {4096, 4096}, {65535, 65535}, {2000, 2000}} {
					name := fmt.Sprintf("SOF%X %d components %dx%d whole=%v", sof-0xC0, comps, size[0], size[1], whole)
					bomb := forge(sof, size[0], size[1], comps, whole)
					if len(bomb) > 400 {
						t.Fatalf("%s: the bomb has %d bytes", name, len(bomb))
					}
					var err error
					used := allocated(func() { _, err = photo.Check(base64.StdEncoding.EncodeToString(bomb)) })
					declared := photo.Header{Width: size[0], Height: size[1], Components: comps, Progressive: sof == 0xC2}
					limit := uint64(1 << 20)
					if whole && declared.Width <= photo.MaxSide && declared.Height <= photo.MaxSide &&
						declared.Width*declared.Height <= photo.MaxPixels && declared.DecodeCost() <= photo.MaxDecodeBytes {
						// A size a document photo may have: it is decoded (and its garbage scan
						// found out), within what its header let the estimate promise.
						limit = uint64(declared.DecodeCost()) + 4<<20
					}
					if !refusedAtPhoto(err) || used > limit {
						t.Errorf("%s: %v, %d bytes allocated", name, err, used)
					}
				}
			}
		}
	}
}

// The header walk refuses what no decoder here takes, and reads what a frame declares.
func TestReadHeader(t *testing.T) {
	h, clean, err := photo.ReadHeader(forge(0xC2, 640, 480, 3, true))
	if err != nil || !clean || h != (photo.Header{Width: 640, Height: 480, Components: 3, Progressive: true}) {
		t.Fatalf("progressive: %+v %v %v", h, clean, err)
	}
	if h.DecodeCost() != 640*480*3*5 {
		t.Fatalf("cost %d", h.DecodeCost())
	}
	for name, b := range map[string][]byte{
		"arithmetic coding":     forge(0xC9, 64, 64, 3, true),
		"lossless":              forge(0xC3, 64, 64, 3, true),
		"two components":        forge(0xC0, 64, 64, 2, true),
		"no height":             forge(0xC0, 64, 0, 3, true),
		"empty":                 {},
		"PNG":                   {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A},
		"SOI only":              {0xFF, 0xD8},
		"EOI before frame":      {0xFF, 0xD8, 0xFF, 0xD9},
		"a length past the end": {0xFF, 0xD8, 0xFF, 0xDB, 0xFF, 0xFF, 0x00},
	} {
		if _, _, err := photo.ReadHeader(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
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

// What reviewers' browsers are given is pixels: a clean JPEG is kept as sent; one with a
// document appended after its end, or metadata (EXIF carries a phone's GPS position), is
// re-encoded from its pixels alone.
func TestOnlyACleanJPEGIsKeptAsSent(t *testing.T) {
	clean := encoded(t, 120, 90)
	got, err := photo.Check(base64.StdEncoding.EncodeToString(clean))
	if err != nil || !bytes.Equal(got, clean) {
		t.Fatalf("a clean JPEG: %v, kept as sent %v", err, bytes.Equal(got, clean))
	}
	gps := []byte("Exif\x00\x00GPS-31.2N")
	exif := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, byte(2 + len(gps))}, gps...)
	exif = append(exif, clean[2:]...)
	for name, b := range map[string][]byte{
		"html after the end": append(append([]byte{}, clean...), []byte("<html><script>alert(1)</script></html>")...),
		"EXIF":               exif,
	} {
		got, err := photo.Check(base64.StdEncoding.EncodeToString(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bytes.Contains(got, []byte("<html")) || bytes.Contains(got, []byte("GPS")) || bytes.Equal(got, b) {
			t.Fatalf("%s: kept what is not pixels", name)
		}
		img, err := jpeg.Decode(bytes.NewReader(got))
		if err != nil || img.Bounds().Dx() != 120 || img.Bounds().Dy() != 90 {
			t.Fatalf("%s: the re-encoded photo: %v", name, err)
		}
		if _, clean, err := photo.ReadHeader(got); err != nil || !clean {
			t.Fatalf("%s: the re-encoded photo is not clean: %v", name, err)
		}
	}
}

// The bounds of a document photo: 4096 px a side and 8 MP.
func TestDeclaredSizeBounds(t *testing.T) {
	for _, c := range []struct {
		w, h int
		ok   bool
	}{{4096, 16, true}, {4097, 16, false}, {16, 4097, false}, {1000, 1000, true}} {
		_, err := photo.Check(base64.StdEncoding.EncodeToString(encoded(t, c.w, c.h)))
		if (err == nil) != c.ok {
			t.Errorf("%d×%d: %v", c.w, c.h, err)
		}
	}
}

// Whatever bytes arrive, the header walk and the check neither panic nor accept what is not a
// JPEG within the bounds; what they keep is a clean JPEG. The seeds include the bombs.
func FuzzCheck(f *testing.F) {
	for _, sof := range []byte{0xC0, 0xC2} {
		for _, comps := range []int{1, 3, 4} {
			f.Add(forge(sof, 6320, 6320, comps, true))
			f.Add(forge(sof, 6320, 6320, comps, false))
		}
	}
	f.Add(forge(0xC0, 64, 48, 3, true))
	var small bytes.Buffer
	_ = jpeg.Encode(&small, image.NewGray(image.Rect(0, 0, 16, 16)), nil)
	f.Add(small.Bytes())
	f.Add(append(append([]byte{}, small.Bytes()...), "<html>"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, _, err := photo.ReadHeader(b)
		kept, cerr := photo.Check(base64.StdEncoding.EncodeToString(b))
		if cerr != nil {
			if !refusedAtPhoto(cerr) {
				t.Fatalf("a refusal that is not a 422 at photo: %v", cerr)
			}
			return
		}
		if err != nil || h.Width > photo.MaxSide || h.Height > photo.MaxSide || h.DecodeCost() > photo.MaxDecodeBytes {
			t.Fatalf("accepted a photo whose header reads %+v, %v", h, err)
		}
		if _, clean, err := photo.ReadHeader(kept); err != nil || !clean || len(kept) >= photo.MaxBytes {
			t.Fatalf("kept %d bytes that are not one clean JPEG: %v", len(kept), err)
		}
	})
}
