// Command start-password-reset serves POST /v1/password-resets (recovery step 1).
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/recovery"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(recovery.NewStart(store.FromEnv(awsenv.Config()), clock.System{}))
}
