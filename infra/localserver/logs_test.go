package localserver_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/shared/testkit"
)

// lastOutbox finds the newest message of a channel to an address ending in to in the local
// outbox, and returns the first match of pattern's group in its body.
func lastOutbox(t *testing.T, base, channel, to string, pattern *regexp.Regexp) string {
	t.Helper()
	_, box := do(t, "GET", base+"/local/outbox", nil)
	msgs := box["messages"].([]any)
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i].(map[string]any)
		if m["channel"] != channel || !strings.HasSuffix(m["to"].(string), to) {
			continue
		}
		if got := pattern.FindStringSubmatch(m["body"].(string)); got != nil {
			return got[1]
		}
	}
	t.Fatalf("no %s to %s in the outbox matches %s", channel, to, pattern)
	return ""
}

var (
	smsCode   = regexp.MustCompile(`(?:^|\D)(\d{6})(?:\D|$)`)
	linkToken = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)
	mailCode  = regexp.MustCompile(`验证码为(\d{6})`)
)

// SPEC §3: no secret, code, token, password or full document number in a log line — nor a
// mobile, an e-mail or a name. Every flow runs once over HTTP, failures included, and every
// value an applicant or reviewer would not want printed is looked for in what was logged.
func TestNoLogLineCarriesASecretOrPersonalData(t *testing.T) {
	logs := testkit.CaptureLogs(t)
	srv := start(t, nil)
	secrets := everyFlow(t, srv)
	got := logs.String()
	if strings.Count(got, `"status":`) < 20 {
		t.Fatalf("the request lines were not captured:\n%s", got)
	}
	for _, s := range secrets {
		if s == "" || strings.Contains(got, s) {
			t.Errorf("%q is in the logs (or was never issued)", s)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", got)
	}
}
