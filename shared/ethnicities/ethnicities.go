// Package ethnicities serves the GB/T 3304 list the profile form offers. It is its own package
// so that its function links no store or AWS client: it answers from compiled-in data.
package ethnicities

import (
	"context"
	"net/http"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/identity"
)

type ethnicityList struct {
	Items []identity.Ethnicity `json:"items"`
}

// Handle answers GET /v1/ethnicities. No I/O: the list is GB/T 3304 itself.
func Handle(_ context.Context, r *api.Request) (*api.Response, error) {
	if err := r.NoBody(); err != nil {
		return nil, err
	}
	return api.JSON(http.StatusOK, ethnicityList{Items: identity.Ethnicities}).SharedFor(api.TextsKeptFor), nil
}
