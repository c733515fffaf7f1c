// Command start-federated-login serves POST /v1/federated-logins (the 教育部 unified login's
// start).
package main

import (
	"os"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/federation"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	provider, err := federation.NewProvider(federation.Config{
		Issuer:      awsenv.MustEnv("FEDERATION_ISSUER"),
		ClientID:    awsenv.MustEnv("FEDERATION_CLIENT_ID"),
		CallbackURL: awsenv.MustEnv("FEDERATION_CALLBACK_URL"),
		Scopes:      federation.ParseScopes(os.Getenv("FEDERATION_SCOPES")),
	}, nil, clock.System{})
	if err != nil {
		panic(err)
	}
	api.Serve(federation.NewStart(store.FlowSealFromEnv(), provider, clock.System{}))
}
