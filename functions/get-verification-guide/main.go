// Command get-verification-guide serves GET /v1/verification-guide.
package main

import (
	"os"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/sitetext"
)

func main() {
	// os, not awsenv: this function links no AWS SDK (it starts like a hello world).
	api.Serve(sitetext.NewVerificationGuide(sitetext.MustGuideURL(os.Getenv("CTID_GUIDE_URL"))))
}
