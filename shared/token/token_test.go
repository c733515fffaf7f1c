package token

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestNewHasTheEntropyAsked(t *testing.T) {
	tok := New(16)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) != 16 {
		t.Fatalf("%q decodes to %d bytes, %v", tok, len(raw), err)
	}
	if New(16) == tok {
		t.Fatal("two tokens are equal")
	}
}

func TestDigitsAreUniformDigits(t *testing.T) {
	var counts [10]int
	for i := 0; i < 2000; i++ {
		d := Digits(6)
		if len(d) != 6 {
			t.Fatalf("%q is not 6 digits", d)
		}
		for _, c := range d {
			if c < '0' || c > '9' {
				t.Fatalf("%q has a non-digit", d)
			}
			counts[c-'0']++
		}
	}
	// 12,000 digits: each should be near 1,200; a broken generator (say only 0–8) is far off.
	for d, c := range counts {
		if c < 900 || c > 1500 {
			t.Fatalf("digit %d appeared %d times in 12000: %v", d, c, counts)
		}
	}
}

func TestHashSeparatesParts(t *testing.T) {
	if bytes.Equal(Hash("ab", "c"), Hash("a", "bc")) {
		t.Fatal("parts are not separated")
	}
	if !Equal(Hash("x", "123456"), Hash("x", "123456")) || Equal(Hash("x", "123456"), Hash("y", "123456")) {
		t.Fatal("Hash/Equal disagree")
	}
}

func TestKeyedDependsOnTheKey(t *testing.T) {
	a, b := []byte("pepper-one-0123456789"), []byte("pepper-two-0123456789")
	if !Equal(Keyed(a, "sms-code", "123456"), Keyed(a, "sms-code", "123456")) {
		t.Fatal("one key, one input, two hashes")
	}
	if Equal(Keyed(a, "sms-code", "123456"), Keyed(b, "sms-code", "123456")) {
		t.Fatal("the key changes nothing")
	}
	if Equal(Keyed(a, "sms-code", "123456"), Hash("sms-code", "123456")) {
		t.Fatal("keyed and plain hashes agree")
	}
	if Equal(Keyed(a, "ab", "c"), Keyed(a, "a", "bc")) {
		t.Fatal("parts are not separated")
	}
}
