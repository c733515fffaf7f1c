package logincode

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
)

func FuzzExchangeBody(f *testing.F) {
	apitest.FuzzBody[exchangeRequest](f, `{"code": "abc", "flowKey": "def"}`, `{"code": 1}`, `{"Code": "a", "code": "b"}`)
}
