// Command get-me serves GET /v1/me.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(profile.NewMe(store.FromEnv(awsenv.Config()), clock.System{}))
}
