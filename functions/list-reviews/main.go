// Command list-reviews serves GET /v1/reviews (reviewers).
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/review"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(review.NewQueue(store.FromEnv(awsenv.Config()), clock.System{}, []byte(awsenv.MustEnv("CURSOR_SECRET"))))
}
