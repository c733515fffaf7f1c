package review

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
)

// FuzzFormBody: the strict decoding of the route's body (apitest.FuzzBody).
func FuzzFormBody(f *testing.F) {
	apitest.FuzzBody[Form](f, `{"name":"陈大文","idType":"hk_macau_permit","idNumber":"H12345678","idValidFrom":"2020-01-01","idValidTo":"2030-01-01","photo":"/9j/4AAQ"}`)
}

// FuzzDecisionFormBody: the strict decoding of the route's body (apitest.FuzzBody).
func FuzzDecisionFormBody(f *testing.F) {
	apitest.FuzzBody[decisionForm](f, `{"decision":"reject","reason":"照片不清晰"}`)
}

// FuzzCursor: a cursor opens only for the status it was signed for, whatever is sent.
func FuzzCursor(f *testing.F) {
	c := Cursors{Secret: []byte("fuzz-secret")}
	f.Add("pending", c.Sign("pending", `{"pk":"REVIEW#1"}`))
	f.Add("approved", c.Sign("pending", `{"pk":"REVIEW#1"}`))
	f.Add("pending", "e30.AAAA")
	f.Add("pending", "")
	f.Fuzz(func(t *testing.T, status, cursor string) {
		pos, err := c.Open(status, cursor)
		if err != nil {
			return
		}
		if pos == "" || c.Sign(status, pos) != cursor {
			t.Fatalf("%q opened for %q as %q, which is not what was signed", cursor, status, pos)
		}
	})
}
