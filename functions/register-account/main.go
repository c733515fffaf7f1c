// Command register-account serves POST /v1/accounts.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/registration"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	db := store.FromEnv(awsenv.Config())
	api.Serve(registration.NewRegister(db, clock.System{}, smscode.PepperFromEnv()))
}
