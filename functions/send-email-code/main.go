// Command send-email-code serves POST /v1/me/email-codes.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/awsses"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/upkeep"
)

func main() {
	cfg := awsenv.Config()
	api.Serve(upkeep.NewSendEmailCode(store.FromEnv(cfg),
		awsses.NewMailer(cfg, awsenv.Endpoint("SES_ENDPOINT"), awsenv.MustEnv("SES_SENDER")), clock.System{}, smscode.PepperFromEnv()))
}
