package smscode

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
)

// FuzzSendRequestBody: the strict decoding of the route's body (apitest.FuzzBody).
func FuzzSendRequestBody(f *testing.F) {
	apitest.FuzzBody[sendRequest](f, `{"phone":"13800138000","purpose":"register","captcha":{"id":"a","x":1,"y":2}}`)
}
