// Package password hashes passwords with Argon2id in the PHC string format, so that each hash
// carries its own parameters and they can be raised later without breaking old hashes.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are Argon2id costs. Default is OWASP's minimum: 19 MiB, 2 passes, 1 lane.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// Default is what new hashes use.
var Default = Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Dummy is a hash of no one's password, with Default's parameters, to verify against when
// there is no account: an unknown login then costs what a known one does, from the first
// request of an instance on (a hash made lazily would cost that first request twice).
const Dummy = "$argon2id$v=19$m=19456,t=2,p=1$8dXBNVxI0ddE6YAh3NGxCQ$KLI2ovXzuhdiFdO4sA/TSJrxA29PjL7AfMMGrqOpOs8"

const (
	saltLen = 16
	keyLen  = 32
)

var b64 = base64.RawStdEncoding

// slots bounds the hashes one process computes at once. Each holds MemoryKiB for its run and
// more than one per core only waits for a core: a burst of 200 logins to one local server (or
// to a Lambda given concurrency by a future runtime) would otherwise hold 200 × 19 MiB. A
// request waits its turn instead, which costs it no more than the core it waits for.
var slots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// derive is argon2.IDKey; tests watch how many run at once.
var derive = argon2.IDKey

func key(pw string, salt []byte, p Params, n uint32) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return derive([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, n)
}

// Hash derives a PHC string: $argon2id$v=19$m=19456,t=2,p=1$salt$key.
func Hash(pw string) (string, error) {
	return HashWith(pw, Default)
}

// HashWith hashes with p; tests and benchmarks use cheaper or dearer costs.
func HashWith(pw string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	k := key(pw, salt, p, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(k)), nil
}

// ErrMalformed is a stored hash this package cannot read.
var ErrMalformed = errors.New("password: malformed hash")

// Verify reports whether pw matches the encoded hash, comparing in constant time.
func Verify(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformed
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, ErrMalformed
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformed
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformed
	}
	got := key(pw, salt, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
