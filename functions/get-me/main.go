// Command get-me serves GET /v1/me.
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
	h := &profile.Me{Auth: &auth.Authenticator{Store: db, Clock: clock.System{}}, Usage: db, Clock: clock.System{}}
	api.Serve(h.Handle)
}
