package federation

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
)

func FuzzStartBody(f *testing.F) {
	apitest.FuzzBody[startRequest](f, `{"agreementAccepted": true}`, `{"agreementAccepted": "true"}`)
}
