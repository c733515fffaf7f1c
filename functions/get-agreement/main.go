// Command get-agreement serves GET /v1/agreement.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/sitetext"
)

func main() {
	sitetext.CurrentAgreement() // a malformed agreement stops the function at its start
	api.Serve(sitetext.HandleAgreement)
}
