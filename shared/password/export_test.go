package password

import (
	"testing"
	"time"
)

// TimeDerive hands every Argon2id derivation's duration to record until t ends: the
// benchmarks of login and registration take the hash out of the server time this way.
func TimeDerive(t testing.TB, record func(time.Duration)) {
	orig := derive
	derive = func(pw, salt []byte, passes, memoryKiB uint32, threads uint8, n uint32) []byte {
		start := time.Now()
		k := orig(pw, salt, passes, memoryKiB, threads, n)
		record(time.Since(start))
		return k
	}
	t.Cleanup(func() { derive = orig })
}
