// Command complete-password-reset serves POST /v1/password-resets/complete.
package main

import (
	"os"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/awsses"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/recovery"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	cfg := awsenv.Config()
	api.Serve(recovery.NewComplete(store.FromEnv(cfg),
		awssns.NewSMS(cfg, awsenv.Endpoint("SNS_ENDPOINT"), os.Getenv("SMS_SENDER_ID")),
		awsses.NewMailer(cfg, awsenv.Endpoint("SES_ENDPOINT"), awsenv.MustEnv("SES_SENDER")), clock.System{}, smscode.PepperFromEnv()))
}
