package password

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
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

// A burst of logins holds at most slots hashes' memory at once; the rest wait their turn and
// all of them finish.
func TestABurstHashesAFewAtATime(t *testing.T) {
	const burst = 20
	var mu sync.Mutex
	running, most := 0, 0
	release := make(chan struct{})
	saved := derive
	t.Cleanup(func() { derive = saved })
	derive = func(pw, salt []byte, time, memory uint32, threads uint8, n uint32) []byte {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		<-release
		mu.Lock()
		running--
		mu.Unlock()
		return make([]byte, n)
	}
	var started, done sync.WaitGroup
	started.Add(burst)
	done.Add(burst)
	for range burst {
		go func() {
			defer done.Done()
			started.Done()
			if _, err := Hash("Smoke#2026ok"); err != nil {
				t.Error(err)
			}
		}()
	}
	started.Wait()
	// Let every goroutine reach the derivation it would enter if nothing held it back.
	for {
		mu.Lock()
		n := running
		mu.Unlock()
		if n >= cap(slots) {
			break
		}
		runtime.Gosched()
	}
	for range 1000 {
		runtime.Gosched()
	}
	close(release)
	done.Wait()
	if most > cap(slots) || cap(slots) >= burst {
		t.Fatalf("%d hashes ran at once; at most %d may", most, cap(slots))
	}
}
