package session

import (
	"sync/atomic"
	"testing"
)

// CountCompares counts the passwords compared until the test ends: a limit counted before the
// compare is proven by how many compares a burst gets, not by the answers alone.
func CountCompares(t testing.TB) *atomic.Int64 {
	var n atomic.Int64
	orig := compare
	compare = func(pw, hash string) (bool, error) {
		n.Add(1)
		return orig(pw, hash)
	}
	t.Cleanup(func() { compare = orig })
	return &n
}
