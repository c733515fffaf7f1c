// Command federated-login-callback serves GET /v1/federated-logins/callback, where the
// 教育部 unified login sends the browser back.
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
	types, err := federation.ParseTypeValues(os.Getenv("FEDERATION_TYPE_VALUES"))
	if err != nil {
		panic(err)
	}
	provider, err := federation.NewProvider(federation.Config{
		Issuer:       awsenv.MustEnv("FEDERATION_ISSUER"),
		ClientID:     awsenv.MustEnv("FEDERATION_CLIENT_ID"),
		ClientSecret: awsenv.MustEnv("FEDERATION_CLIENT_SECRET"),
		CallbackURL:  awsenv.MustEnv("FEDERATION_CALLBACK_URL"),
		ReturnURL:    awsenv.MustEnv("FEDERATION_RETURN_URL"),
		Scopes:       federation.ParseScopes(os.Getenv("FEDERATION_SCOPES")),
		Claims: federation.Claims{
			Number: awsenv.MustEnv("FEDERATION_NUMBER_CLAIM"),
			Type:   awsenv.MustEnv("FEDERATION_TYPE_CLAIM"),
			Name:   awsenv.MustEnv("FEDERATION_NAME_CLAIM"),
		},
		TypeValues: types,
	}, nil, clock.System{})
	if err != nil {
		panic(err)
	}
	api.Serve(federation.NewCallback(store.FromEnv(awsenv.Config()), provider, clock.System{}))
}
