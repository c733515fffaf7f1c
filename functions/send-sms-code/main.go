// Command send-sms-code serves POST /v1/sms-codes.
package main

import (
	"os"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	cfg := awsenv.Config()
	db := store.FromEnv(cfg)
	sms := awssns.NewSMS(cfg, awsenv.Endpoint("SNS_ENDPOINT"), os.Getenv("SMS_SENDER_ID"))
	h := &smscode.Handler{
		Captcha: &captcha.Service{Store: db, Clock: clock.System{}},
		Codes:   &smscode.Codes{Store: db, SMS: sms, Clock: clock.System{}, Pepper: smscode.PepperFromEnv()},
	}
	api.Serve(h.Handle)
}
