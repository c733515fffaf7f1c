// Command create-session serves POST /v1/sessions (login).
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(session.NewLogin(store.FromEnv(awsenv.Config()), clock.System{}))
}
