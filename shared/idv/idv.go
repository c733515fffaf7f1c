// Package idv is the identity-verification provider (the public-security name/number check,
// 实名核验): an HTTPS JSON client in production, a simulator in local runs.
package idv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Identity is what the provider checks.
type Identity struct {
	IDType   string `json:"idType"`
	IDNumber string `json:"idNumber"`
	Name     string `json:"name"`
}

// Provider checks an identity: true when the name and number match the register.
type Provider interface {
	Verify(ctx context.Context, id Identity) (bool, error)
}

// ErrUnavailable is a provider that could not answer; the applicant's try is not spent.
var ErrUnavailable = errors.New("idv: provider unavailable")

// Simulator is the provider of local runs (SPEC §4): every name containing 核验失败 fails,
// every other passes.
type Simulator struct{}

// Verify applies the rule.
func (Simulator) Verify(_ context.Context, id Identity) (bool, error) {
	return !strings.Contains(id.Name, "核验失败"), nil
}

// HTTPS calls a verification service: POST {endpoint} with the identity as JSON and an API
// key, answered by {"result": "match"} or {"result": "mismatch"}.
type HTTPS struct {
	endpoint string
	apiKey   string
	client   *http.Client
}

// Timeout bounds a call; the function's own timeout is 10 s.
const Timeout = 5 * time.Second

// NewHTTPS checks the configuration: the endpoint must be https (an identity number never
// travels in the clear) and the key must be set. client may be nil for the default.
func NewHTTPS(endpoint, apiKey string, client *http.Client) (*HTTPS, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("idv: the endpoint must be an https URL")
	}
	if apiKey == "" {
		return nil, errors.New("idv: the API key is not set")
	}
	if client == nil {
		client = &http.Client{Timeout: Timeout}
	}
	return &HTTPS{endpoint: endpoint, apiKey: apiKey, client: client}, nil
}

type answer struct {
	Result string `json:"result"`
}

// Verify asks the service. Every failure to get a clear answer is ErrUnavailable, worded
// without the identity: these errors reach logs.
func (h *HTTPS) Verify(ctx context.Context, id Identity) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	body, err := json.Marshal(id)
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.endpoint, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("%w: building the request", ErrUnavailable)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.apiKey)
	resp, err := h.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return false, fmt.Errorf("%w: timeout", ErrUnavailable)
		}
		return false, fmt.Errorf("%w: transport error", ErrUnavailable)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("%w: status %d", ErrUnavailable, resp.StatusCode)
	}
	var a answer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&a); err != nil {
		return false, fmt.Errorf("%w: unreadable answer", ErrUnavailable)
	}
	switch a.Result {
	case "match":
		return true, nil
	case "mismatch":
		return false, nil
	default:
		return false, fmt.Errorf("%w: unknown result", ErrUnavailable)
	}
}
