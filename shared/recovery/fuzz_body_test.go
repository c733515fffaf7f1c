package recovery

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
)

// FuzzStartRequestBody: the strict decoding of the route's body (apitest.FuzzBody).
func FuzzStartRequestBody(f *testing.F) {
	apitest.FuzzBody[startRequest](f, `{"idType":"resident_id","idNumber":"1","name":"张三","captcha":{"id":"a","x":1,"y":null}}`)
}

// FuzzCompleteRequestBody: the strict decoding of the route's body (apitest.FuzzBody).
func FuzzCompleteRequestBody(f *testing.F) {
	apitest.FuzzBody[completeRequest](f, `{"resetId":"r","smsCode":"123456","newPassword":"Abcdef1#","newPasswordConfirm":"Abcdef1#"}`)
}
