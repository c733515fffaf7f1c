package correction

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
)

// FuzzFormBody: the strict decoding of the route's body (apitest.FuzzBody).
func FuzzFormBody(f *testing.F) {
	apitest.FuzzBody[Form](f, `{"kind":"contact","idType":"resident_id","idNumber":"11010519491231002X","name":"张三","idValidFrom":"2020-01-01","idValidTo":"long-term","phone":"13800138000","smsCode":"123456","email":"1@qq.com","photo":"/9j/","captcha":{"id":"a","x":1,"y":2}}`)
}
