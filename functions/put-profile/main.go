// Command put-profile serves PUT /v1/me/profile.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/auth"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	db := store.FromEnv(awsenv.Config())
	h := &profile.Editor{Auth: &auth.Authenticator{Store: db, Clock: clock.System{}}, Store: db, Clock: clock.System{}}
	api.Serve(h.Handle)
}
