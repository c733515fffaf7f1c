package profile

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
)

// FuzzFormBody: the strict decoding of the route's body (apitest.FuzzBody).
func FuzzFormBody(f *testing.F) {
	apitest.FuzzBody[Form](f, `{"ethnicity":"汉族","gender":"male","birthDate":"1990-01-01","localIdNumber":"A123456(3)","permitNumber":"H12345678"}`)
}
