// Command resend-decision-notices runs every ten minutes (template.yaml) and sends the review
// decision notices (SMS, e-mail) that did not go out when the decision was made.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notice"
	"github.com/jszg/applicant-accounts/shared/notify/awsses"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	slog.SetDefault(api.NewLogger(os.Stdout))
	cfg := awsenv.Config()
	s := notice.NewSender(store.FromEnv(cfg),
		awssns.NewSMS(cfg, awsenv.Endpoint("SNS_ENDPOINT"), os.Getenv("SMS_SENDER_ID")),
		awsses.NewMailer(cfg, awsenv.Endpoint("SES_ENDPOINT"), awsenv.MustEnv("SES_SENDER")),
		clock.System{})
	lambda.Start(s.Run)
}
