// Command submit-manual-review serves POST /v1/me/manual-reviews.
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
	h := &review.Applicant{Auth: &auth.Authenticator{Store: db, Clock: clock.System{}}, Store: db, Clock: clock.System{}, Calendar: clock.China()}
	api.Serve(h.Submit)
}
