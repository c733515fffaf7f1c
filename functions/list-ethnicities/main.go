// Command list-ethnicities serves GET /v1/ethnicities.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/ethnicities"
)

func main() {
	api.Serve(ethnicities.Handle)
}
