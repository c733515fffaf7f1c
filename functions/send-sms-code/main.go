// Command send-sms-code serves POST /v1/sms-codes.
package main

import (
	"os"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	cfg := awsenv.Config()
	sms := awssns.NewSMS(cfg, awsenv.Endpoint("SNS_ENDPOINT"), os.Getenv("SMS_SENDER_ID"))
	api.Serve(smscode.NewSend(store.FromEnv(cfg), sms, sms.Topic(awsenv.MustEnv("OPERATORS_TOPIC_ARN")), smscode.LimitsFromEnv(),
		clock.System{}, smscode.PepperFromEnv()))
}
