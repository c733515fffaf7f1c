package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/jszg/applicant-accounts/shared/token"
)

// A session token is found in one round trip when it names its account: the token is 256
// random bits, a dot, and the login sealed under the functions' seal key (AES-256-GCM, the
// random part its nonce and associated data). The seal hides the document number from
// whoever holds the token; it grants nothing, since the session item, keyed by the token's
// SHA-256, is still what makes a token good. A token without the dot is of the kind issued
// before the seal, found by reading its session first.

// sealedRandomBytes is the random part of a session token: 256 bits.
const sealedRandomBytes = 32

// WithSealKey is the store with the deployment's seal key, from which it derives one key
// for each thing sealed: the login into session tokens, sliders' answers into their ids
// (captcha.go), what a reset's SMS needs into its id (reset.go), a 教育部 login's flow into
// its state (federation.go). Any secret string will do: each key is a hash of it.
func (st *Store) WithSealKey(secret []byte) *Store {
	cp := *st
	cp.seal = sealer(secret, "session seal")
	cp.captchaSeal = sealer(secret, "captcha seal")
	cp.resetSeal = sealer(secret, "reset seal")
	cp.flowSeal = sealer(secret, "federated flow seal")
	return &cp
}

// strict decodes only the one spelling sealID and NewSessionToken write: a lenient decoder
// ignores the unused low bits of the last character, so one id would have up to 16
// spellings, each its own CAPTCHA# or RESET# item, and a spent slider could be spent again.
var strict = base64.RawURLEncoding.Strict()

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
	box, err := strict.DecodeString(id)
	n := aead.NonceSize()
	if err != nil || len(box) < n {
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

// NewSessionToken is a fresh bearer token naming login.
func (st *Store) NewSessionToken(login string) string {
	if st.seal == nil {
		panic("store: no seal key (WithSealKey)")
	}
	random := make([]byte, sealedRandomBytes)
	if _, err := rand.Read(random); err != nil {
		panic("store: crypto/rand failed: " + err.Error())
	}
	sealed := st.seal.Seal(nil, random[:st.seal.NonceSize()], []byte(login), random)
	return token.Encode(random) + "." + token.Encode(sealed)
}

// loginOf opens a sealed token; ok is false for a token issued before the seal. A token that
// has a seal which does not open is ErrNotFound: forged or damaged, it names no session.
func (st *Store) loginOf(tok string) (login string, sealed bool, err error) {
	randomPart, sealedPart, found := strings.Cut(tok, ".")
	if !found {
		return "", false, nil
	}
	if st.seal == nil {
		panic("store: no seal key (WithSealKey)")
	}
	random, err1 := strict.DecodeString(randomPart)
	box, err2 := strict.DecodeString(sealedPart)
	if err1 != nil || err2 != nil || len(random) != sealedRandomBytes {
		return "", true, ErrNotFound
	}
	plain, err := st.seal.Open(nil, random[:st.seal.NonceSize()], box, random)
	if err != nil || len(plain) == 0 {
		return "", true, ErrNotFound
	}
	return string(plain), true, nil
}

// TokenLogin is the login a token names: "" for a token issued before the seal, ErrNotFound
// for a seal that does not open. No I/O.
func (st *Store) TokenLogin(tok string) (string, error) {
	login, _, err := st.loginOf(tok)
	return login, err
}
