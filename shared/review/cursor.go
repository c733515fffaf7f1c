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
	Status string            `json:"s"`
	Key    map[string]string `json:"k"`
}

var enc = base64.RawURLEncoding

// Sign makes the cursor of a page that ends at key, for a listing of status.
func (c Cursors) Sign(status string, key map[string]string) (string, error) {
	payload, err := json.Marshal(position{Status: status, Key: key})
	if err != nil {
		return "", err
	}
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(c.mac(payload)), nil
}

var errBadCursor = errors.New("review: bad cursor")

// Open checks a cursor and returns its key; it must have been made for the same status.
func (c Cursors) Open(status, cursor string) (map[string]string, error) {
	body, sig, ok := strings.Cut(cursor, ".")
	if !ok || len(cursor) > 2048 {
		return nil, errBadCursor
	}
	payload, err := enc.DecodeString(body)
	if err != nil {
		return nil, errBadCursor
	}
	mac, err := enc.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, c.mac(payload)) {
		return nil, errBadCursor
	}
	var p position
	if err := json.Unmarshal(payload, &p); err != nil || p.Status != status || len(p.Key) == 0 {
		return nil, errBadCursor
	}
	return p.Key, nil
}

func (c Cursors) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, c.Secret)
	m.Write([]byte("review-queue-cursor\x00"))
	m.Write(payload)
	return m.Sum(nil)
}
