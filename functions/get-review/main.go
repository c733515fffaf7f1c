// Command get-review serves GET /v1/reviews/{reviewId} (reviewers).
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/auth"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/review"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	db := store.FromEnv(awsenv.Config())
	h := &review.Reviewer{Auth: &auth.Authenticator{Store: db, Clock: clock.System{}}, Store: db, Clock: clock.System{}}
	api.Serve(h.Open)
}
