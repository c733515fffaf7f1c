// Command send-reset-sms serves POST /v1/password-resets/{resetId}/sms.
package main

import (
	"os"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/recovery"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	cfg := awsenv.Config()
	db := store.FromEnv(cfg)
	sms := awssns.NewSMS(cfg, awsenv.Endpoint("SNS_ENDPOINT"), os.Getenv("SMS_SENDER_ID"))
	h := &recovery.Service{Store: db, Codes: &smscode.Codes{Store: db, SMS: sms, Clock: clock.System{}, Pepper: smscode.PepperFromEnv()}, Clock: clock.System{}}
	api.Serve(h.SMS)
}
