// Command submit-manual-review serves POST /v1/me/manual-reviews.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/review"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(review.NewSubmit(store.FromEnv(awsenv.Config()), clock.System{}, clock.China()))
}
