// Command exchange-federated-login serves POST /v1/federated-logins/exchange: a federated
// login's one-time code becomes a session.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/logincode"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(logincode.NewExchange(store.FromEnv(awsenv.Config()), clock.System{}))
}
