// Command complete-password-reset serves POST /v1/password-resets/complete.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/recovery"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	db := store.FromEnv(awsenv.Config())
	api.Serve(recovery.NewComplete(db, clock.System{}, smscode.PepperFromEnv()))
}
