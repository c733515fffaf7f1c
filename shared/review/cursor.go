package review

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// Cursors hands out the queue's paging position signed, so a client can neither read keys
// it should not nor forge a position: the table key inside is no business of the client's.
type Cursors struct {
	Secret []byte
}

type position struct {
	Status string `json:"s"`
	Pos    string `json:"p"`
}

var enc = base64.RawURLEncoding

// Sign makes the cursor of a page that ends at pos (the store's opaque position), for a
// listing of status.
func (c Cursors) Sign(status, pos string) string {
	payload, _ := json.Marshal(position{Status: status, Pos: pos}) // two strings always marshal
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(c.mac(payload))
}

var errBadCursor = errors.New("review: bad cursor")

// Open checks a cursor and returns its position; it must have been made for the same status.
func (c Cursors) Open(status, cursor string) (string, error) {
	body, sig, ok := strings.Cut(cursor, ".")
	if !ok || len(cursor) > 2048 {
		return "", errBadCursor
	}
	payload, err := enc.DecodeString(body)
	if err != nil {
		return "", errBadCursor
	}
	mac, err := enc.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, c.mac(payload)) {
		return "", errBadCursor
	}
	var p position
	if err := json.Unmarshal(payload, &p); err != nil || p.Status != status || p.Pos == "" {
		return "", errBadCursor
	}
	return p.Pos, nil
}

func (c Cursors) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, c.Secret)
	m.Write([]byte("review-queue-cursor\x00"))
	m.Write(payload)
	return m.Sum(nil)
}
