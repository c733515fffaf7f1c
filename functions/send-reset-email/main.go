// Command send-reset-email serves POST /v1/password-resets/{resetId}/email.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/awsses"
	"github.com/jszg/applicant-accounts/shared/recovery"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	cfg := awsenv.Config()
	api.Serve(recovery.NewEmail(store.FromEnv(cfg),
		awsses.NewMailer(cfg, awsenv.Endpoint("SES_ENDPOINT"), awsenv.MustEnv("SES_SENDER")),
		clock.System{}, awsenv.MustEnv("RESET_LINK_BASE_URL")))
}
