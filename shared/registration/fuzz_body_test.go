package registration

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
)

// FuzzFormBody: the strict decoding of the route's body (apitest.FuzzBody).
func FuzzFormBody(f *testing.F) {
	apitest.FuzzBody[Form](f, `{"idType":"resident_id","idNumber":"11010519491231002X","name":"张三","idValidFrom":"2020-01-01","idValidTo":"long-term","password":"Abcdef1#","passwordConfirm":"Abcdef1#","email":"1@qq.com","phone":"13800138000","smsCode":"123456","agreementAccepted":true}`)
}
