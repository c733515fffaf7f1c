// Command verify-identity serves POST /v1/me/verifications.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/idv"
	"github.com/jszg/applicant-accounts/shared/sitetext"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/verification"
)

func main() {
	db := store.FromEnv(awsenv.Config())
	provider, err := idv.NewHTTPS(awsenv.MustEnv("IDV_ENDPOINT"), awsenv.MustEnv("IDV_API_KEY"), nil)
	if err != nil {
		panic(err)
	}
	api.Serve(verification.NewVerify(db, provider, clock.System{}, sitetext.MustGuideURL(awsenv.MustEnv("CTID_GUIDE_URL"))))
}
