package session

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
)

// FuzzLoginRequestBody: the strict decoding of the route's body (apitest.FuzzBody).
func FuzzLoginRequestBody(f *testing.F) {
	apitest.FuzzBody[loginRequest](f, `{"account":"reviewer","password":"x","captcha":{"id":"a","x":1.5,"y":2},"otp":"123456"}`)
}
