// Package token makes the random secrets the system hands out (SMS codes, ids, bearer and link
// tokens) and the hashes they are stored as. Secrets come only from crypto/rand.
package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"math/big"
)

// New is a URL-safe random string of nbytes of entropy (16 bytes = 128 bits).
func New(nbytes int) string {
	b := make([]byte, nbytes)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on Linux; if it did, handing out a weak secret is worse.
		panic("token: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Digits is a uniformly random string of n decimal digits, leading zeros included.
func Digits(n int) string {
	out := make([]byte, n)
	ten := big.NewInt(10)
	for i := range out {
		d, err := rand.Int(rand.Reader, ten)
		if err != nil {
			panic("token: crypto/rand failed: " + err.Error())
		}
		out[i] = byte('0' + d.Int64())
	}
	return string(out)
}

// Hash is SHA-256 over its parts, each length-prefixed so that ("ab","c") ≠ ("a","bc"). A
// context part (what the secret is for, whom it was sent to) binds a hash to its use. It
// suits secrets too long to guess (128 bits and up); a short one needs Keyed.
func Hash(parts ...string) []byte { return sum(sha256.New(), parts) }

// Keyed is HMAC-SHA256 under key over the parts, framed as Hash frames them. A 6-digit code
// has a million values: its plain hash, read from a copy of the table, gives the code back
// within its five minutes; without the key it gives nothing.
func Keyed(key []byte, parts ...string) []byte { return sum(hmac.New(sha256.New, key), parts) }

func sum(h hash.Hash, parts []string) []byte {
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return h.Sum(nil)
}

// Equal compares two hashes in constant time.
func Equal(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}

// Encode writes a hash as it appears in keys: unpadded base64url.
func Encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
