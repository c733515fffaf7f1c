package password

import (
	"fmt"
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	h, err := Hash("Smoke#2026ok")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry the OWASP parameters", h)
	}
	if strings.Contains(h, "Smoke#2026ok") {
		t.Fatal("hash contains the password")
	}
	if ok, err := Verify("Smoke#2026ok", h); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, err := Verify("Smoke#2026oK", h); ok || err != nil {
		t.Fatalf("wrong password: %v %v", ok, err)
	}
	h2, _ := Hash("Smoke#2026ok")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

func TestVerifyReadsItsOwnParameters(t *testing.T) {
	cheap := Params{MemoryKiB: 64, Time: 1, Threads: 1}
	h, err := HashWith("Abcdef1#", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Verify("Abcdef1#", h); !ok || err != nil {
		t.Fatalf("a hash with other parameters did not verify: %v %v", ok, err)
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	for _, bad := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=x,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$",
	} {
		if ok, err := Verify("x", bad); ok || err == nil {
			t.Errorf("%q: %v %v", bad, ok, err)
		}
	}
}

func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("Smoke#2026ok"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDummyCostsWhatARealHashCosts(t *testing.T) {
	prefix := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", Default.MemoryKiB, Default.Time, Default.Threads)
	if !strings.HasPrefix(Dummy, prefix) {
		t.Fatalf("Dummy %q does not carry Default's parameters %s: make it again with Hash", Dummy, prefix)
	}
	if ok, err := Verify("Smoke#2026ok", Dummy); ok || err != nil {
		t.Fatalf("Dummy: %v %v", ok, err)
	}
}
