// Command delete-session serves DELETE /v1/sessions/current (logout).
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(session.NewLogout(store.FromEnv(awsenv.Config()), clock.System{}))
}
