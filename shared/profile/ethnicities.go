// Package profile is the first-login profile (完善个人信息, SPEC §1) and its reference data.
package profile

import (
	"context"
	"net/http"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/identity"
)

type ethnicityList struct {
	Items []identity.Ethnicity `json:"items"`
}

// Ethnicities answers GET /v1/ethnicities. No I/O: the list is GB/T 3304 itself.
func Ethnicities(_ context.Context, r *api.Request) (*api.Response, error) {
	if err := r.NoBody(); err != nil {
		return nil, err
	}
	return api.JSON(http.StatusOK, ethnicityList{Items: identity.Ethnicities}), nil
}
