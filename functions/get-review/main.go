// Command get-review serves GET /v1/reviews/{reviewId} (reviewers).
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/review"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(review.NewOpen(store.FromEnv(awsenv.Config()), clock.System{}))
}
