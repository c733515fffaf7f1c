package identity

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The validators read what applicants (and attackers) type. Whatever comes in, they neither
// panic nor accept something they would change if asked again: what they return is already
// in the form they store, and checking it once more gives it back unchanged.

var fuzzToday = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func FuzzDocumentNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", " H12345678 ", "H1234567801", "12345678",
		"810000199001011234", "８１００００", "", "\x00", strings.Repeat("9", 64), "110105194912310021\u200b"} {
		for _, t := range []string{"resident_id", "hk_macau_permit", "taiwan_permit", "hmt_residence_permit", "passport"} {
			f.Add(t, s)
		}
	}
	f.Fuzz(func(t *testing.T, idType, raw string) {
		typ, number, err := CheckDocument(idType, raw, fuzzToday)
		if err != nil {
			return
		}
		if number != strings.ToUpper(number) || strings.TrimSpace(number) != number || !utf8.ValidString(number) {
			t.Fatalf("%q: accepted as %q", raw, number)
		}
		if again, err := NormalizeDocumentNumber(typ, number, fuzzToday); err != nil || again != number {
			t.Fatalf("%q: %q checks again as %q, %v", raw, number, again, err)
		}
		if !IsDocumentNumber(number, fuzzToday) {
			t.Fatalf("%q: accepted, but not a document number as a login", number)
		}
	})
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"张三", "阿依古丽·买买提", "CHAN Tai Man", "ＣＨＡＮ", "张\uF900", "\u2F08民", "·张", "张  三", "𠮷野家", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := NormalizeName(raw)
		if err != nil {
			return
		}
		if again, err := NormalizeName(name); err != nil || again != name {
			t.Fatalf("%q: %q normalises again as %q, %v", raw, name, again, err)
		}
		if n := utf8.RuneCountInString(name); n < 2 || n > 50 {
			t.Fatalf("%q: accepted %d characters", raw, n)
		}
	})
}

func FuzzPassword(f *testing.F) {
	for _, s := range []string{"Abcdef1#", "a1#%*-_!@$&", "Abc def1#", "Abcdef1^", "Ａbcdef1#", strings.Repeat("a1#", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pw string) {
		if CheckPassword(pw) != nil {
			return
		}
		if n := utf8.RuneCountInString(pw); n < 8 || n > 32 {
			t.Fatalf("%q: accepted %d characters", pw, n)
		}
		for _, r := range pw {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("#%*-_!@$&", r)) {
				t.Fatalf("%q: accepted %q", pw, r)
			}
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"123456789@qq.com", "a.b@qq.com", "x@example。com", "x@example．com", "@", "a@b", "A@Example.COM ", "a@@b.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		addr, err := NormalizeEmail(raw)
		if err != nil {
			return
		}
		if again, err := NormalizeEmail(addr); err != nil || again != addr {
			t.Fatalf("%q: %q normalises again as %q, %v", raw, addr, again, err)
		}
		if strings.Count(addr, "@") != 1 || strings.ContainsAny(addr, "。． \t\r\n") {
			t.Fatalf("%q: accepted %q", raw, addr)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"13800138000", "+8613800138000", "12800138000", "+85291234567", "+852 9123 4567", "852-91234567", "+853 6612 3456", "0912-345-678", "+886 0912 345 678", "１３８", "", "+86", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		e164, err := NormalizePhone(raw)
		if err != nil {
			return
		}
		if again, err := NormalizePhone(e164); err != nil || again != e164 {
			t.Fatalf("%q: %q normalises again as %q, %v", raw, e164, again, err)
		}
		if !strings.HasPrefix(e164, "+") || MaskPhone(e164) == e164 {
			t.Fatalf("%q: accepted %q, masked %q", raw, e164, MaskPhone(e164))
		}
	})
}

func FuzzLocalCard(f *testing.F) {
	for _, s := range []string{"A123456(3)", "A1234563", "AB987654(A)", "1234567(8)", "A123456789", "a123456789", "", "(", "A123456(3"} {
		for _, r := range []Region{RegionHongKong, RegionMacau, RegionTaiwan} {
			f.Add(string(r), s)
		}
	}
	f.Fuzz(func(t *testing.T, region, raw string) {
		r := Region(region)
		card, err := NormalizeLocalCard(r, raw)
		if err != nil {
			return
		}
		if again, err := NormalizeLocalCard(r, card); err != nil || again != card {
			t.Fatalf("%q: %q normalises again as %q, %v", raw, card, again, err)
		}
	})
}
