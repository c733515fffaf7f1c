package ethnicities_test

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/ethnicities"
)

func TestEthnicitiesRoute(t *testing.T) {
	res := apitest.Call(t, ethnicities.Handle, apitest.Request{Method: "GET", Path: "/v1/ethnicities"})
	items, _ := res.Body["items"].([]any)
	first, _ := items[0].(map[string]any)
	if res.Status != 200 || len(items) != 58 || first["code"] != "01" || first["name"] != "汉族" {
		t.Fatalf("%d %v", res.Status, res.Body)
	}
}
