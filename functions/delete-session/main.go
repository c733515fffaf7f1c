// Command delete-session serves DELETE /v1/sessions/current (logout).
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/auth"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	db := store.FromEnv(awsenv.Config())
	h := &session.Logout{Auth: &auth.Authenticator{Store: db, Clock: clock.System{}}, Store: db}
	api.Serve(h.Handle)
}
