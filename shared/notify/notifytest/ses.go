// Package notifytest stands in for SES at the HTTP level: it decodes the request the SDK
// really sends, so tests see the mail as AWS would receive it.
package notifytest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jszg/applicant-accounts/shared/notify/awsses"
)

// SentMail is one SendEmail request as SES v2 receives it.
type SentMail struct {
	Path             string
	FromEmailAddress string
	Destination      struct{ ToAddresses []string }
	Content          struct {
		Simple struct {
			Subject struct{ Data, Charset string }
			Body    struct {
				Text struct{ Data, Charset string }
				Html struct{ Data, Charset string }
			}
		}
	}
}

// SES is a fake SES endpoint.
type SES struct {
	mu   sync.Mutex
	sent []SentMail
	fail bool
	URL  string
}

// NewSES starts one for t.
func NewSES(t testing.TB) *SES {
	s := &SES{}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Fail makes every later send fail (true) or succeed (false).
func (s *SES) Fail(fail bool) {
	s.mu.Lock()
	s.fail = fail
	s.mu.Unlock()
}

// Sent is what was sent so far.
func (s *SES) Sent() []SentMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMail{}, s.sent...)
}

// Mailer is the real SES adapter pointed here.
func (s *SES) Mailer(from string) *awsses.Mailer {
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1}
	return awsses.NewMailer(cfg, aws.String(s.URL), from)
}

func (s *SES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m SentMail
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	m.Path = r.Method + " " + r.URL.Path
	s.mu.Lock()
	fail := s.fail
	if !fail {
		s.sent = append(s.sent, m)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if fail {
		w.Header().Set("X-Amzn-Errortype", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"Email address is not verified: ` + m.Destination.ToAddresses[0] + `"}`))
		return
	}
	_, _ = w.Write([]byte(`{"MessageId":"m-1"}`))
}
