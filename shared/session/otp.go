package session

import (
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Period is the time step of reviewers' second-factor codes (RFC 6238 TOTP, SHA-1, 6 digits).
const Period = 30 * time.Second

var totpOpts = totp.ValidateOpts{Period: uint(Period / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// checkCode checks a TOTP code against secret, allowing one step of clock drift either
// way, and returns the time step it matched, which a login records so that no code is
// accepted twice.
func checkCode(secret, code string, now time.Time) (int64, bool) {
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	for _, drift := range []time.Duration{0, -Period, Period} {
		at := now.Add(drift)
		want, err := totp.GenerateCodeCustom(secret, at, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / int64(Period/time.Second), true
		}
	}
	return 0, false
}
