package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"strings"

	"github.com/jszg/applicant-accounts/shared/token"
)

// A session token is found in one round trip when it names its account: the token is 256
// random bits, a dot, and the login sealed under the functions' seal key (AES-256-GCM, the
// random part its nonce and associated data), with the password epoch the session began in.
// The seal hides the document number from whoever holds the token; it grants nothing, since
// the session item, keyed by the token's SHA-256, is still what makes a token good. The epoch
// lets a write made alongside the session's read hold only while the account is still in
// it (AdmitLoginInSession). A token without the dot is of the kind issued before the seal,
// found by reading its session first; a seal of the login alone, of the kind issued before
// seals carried the epoch, names its account but no epoch.

// sealedRandomBytes is the random part of a session token: 256 bits.
const sealedRandomBytes = 32

// flowSealLabel derives the key of 教育部 login states from the seal key.
const flowSealLabel = "federated flow seal"

// WithSealKey is the store with the deployment's seal key, from which it derives one key
// for each thing sealed: the login into session tokens, sliders' answers into their ids
// (captcha.go), what a reset's SMS needs into its id (reset.go), a 教育部 login's flow into
// its state (federation.go). Any secret string will do: each key is a hash of it.
func (st *Store) WithSealKey(secret []byte) *Store {
	cp := *st
	cp.seal = sealer(secret, "session seal")
	cp.captchaSeal = sealer(secret, "captcha seal")
	cp.resetSeal = sealer(secret, "reset seal")
	cp.flowSeal = sealer(secret, flowSealLabel)
	return &cp
}

// decodeOnly decodes s only when it is the one spelling sealID and NewSessionToken write of
// its bytes. Each id is the key of what spends it (CAPTCHA#, RESET#, FEDSTATE#), so a second
// spelling of one id would be a second, unspent item: a lenient decoder ignores the unused
// low bits of the last character (16 spellings), and even Strict skips CR and LF anywhere.
// Encoding the bytes again and comparing refuses both, and whatever else a decoder forgives.
func decodeOnly(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}

// sealID is plain sealed under aead as an id: a random nonce, then the box, in base64url.
func sealID(aead cipher.AEAD, plain []byte) string {
	if aead == nil {
		panic("store: no seal key (WithSealKey)")
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("store: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, nil))
}

// openID is what an id of sealID carries; false for an id that is not one of ours.
func openID(aead cipher.AEAD, id string) ([]byte, bool) {
	if aead == nil {
		panic("store: no seal key (WithSealKey)")
	}
	box, ok := decodeOnly(id)
	n := aead.NonceSize()
	if !ok || len(box) < n {
		return nil, false
	}
	plain, err := aead.Open(nil, box[:n], box[n:], nil)
	return plain, err == nil
}

func sealer(secret []byte, purpose string) cipher.AEAD {
	block, err := aes.NewCipher(token.Hash(purpose, string(secret)))
	if err != nil {
		panic("store: seal key: " + err.Error()) // a 32-byte key never fails
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("store: seal key: " + err.Error())
	}
	return aead
}

// sealWithEpoch begins a token's sealed text that carries an epoch: 8 bytes of it (big-endian)
// follow, then the login. No login begins with a NUL, so a seal of the login alone is told
// apart by its first byte.
const sealWithEpoch = 0x00

// NewSessionToken is a fresh bearer token naming login and the password epoch its session
// begins in.
func (st *Store) NewSessionToken(login string, epoch int64) string {
	if st.seal == nil {
		panic("store: no seal key (WithSealKey)")
	}
	random := make([]byte, sealedRandomBytes)
	if _, err := rand.Read(random); err != nil {
		panic("store: crypto/rand failed: " + err.Error())
	}
	plain := make([]byte, 9, 9+len(login))
	plain[0] = sealWithEpoch
	binary.BigEndian.PutUint64(plain[1:], uint64(epoch))
	plain = append(plain, login...)
	sealed := st.seal.Seal(nil, random[:st.seal.NonceSize()], plain, random)
	return token.Encode(random) + "." + token.Encode(sealed)
}

// tokenSeal is what a token's seal says.
type tokenSeal struct {
	login    string
	epoch    int64
	hasEpoch bool
}

// loginOf opens a sealed token; sealed is false for a token issued before the seal. A token
// that has a seal which does not open is ErrNotFound: forged or damaged, it names no session.
func (st *Store) loginOf(tok string) (login string, sealed bool, err error) {
	s, sealed, err := st.openToken(tok)
	return s.login, sealed, err
}

func (st *Store) openToken(tok string) (_ tokenSeal, sealed bool, err error) {
	randomPart, sealedPart, found := strings.Cut(tok, ".")
	if !found {
		return tokenSeal{}, false, nil
	}
	if st.seal == nil {
		panic("store: no seal key (WithSealKey)")
	}
	random, ok1 := decodeOnly(randomPart)
	box, ok2 := decodeOnly(sealedPart)
	if !ok1 || !ok2 || len(random) != sealedRandomBytes {
		return tokenSeal{}, true, ErrNotFound
	}
	plain, err := st.seal.Open(nil, random[:st.seal.NonceSize()], box, random)
	switch {
	case err != nil || len(plain) == 0:
		return tokenSeal{}, true, ErrNotFound
	case plain[0] != sealWithEpoch:
		return tokenSeal{login: string(plain)}, true, nil
	case len(plain) <= 9:
		return tokenSeal{}, true, ErrNotFound
	}
	return tokenSeal{login: string(plain[9:]), epoch: int64(binary.BigEndian.Uint64(plain[1:9])), hasEpoch: true}, true, nil
}

// TokenLogin is the login a token names: "" for a token issued before the seal, ErrNotFound
// for a seal that does not open. No I/O.
func (st *Store) TokenLogin(tok string) (string, error) {
	login, _, err := st.loginOf(tok)
	return login, err
}

// TokenEpoch is the password epoch a token's seal says its session began in; false for a
// token whose seal carries none (issued before the seal, or before seals carried the epoch)
// or that is not one of ours. No I/O.
func (st *Store) TokenEpoch(tok string) (int64, bool) {
	s, _, err := st.openToken(tok)
	return s.epoch, err == nil && s.hasEpoch
}
