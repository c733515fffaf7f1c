// Command file-account-correction serves POST /v1/account-corrections.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/correction"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(correction.NewFile(store.FromEnv(awsenv.Config()), clock.System{}, clock.China(), smscode.PepperFromEnv()))
}
