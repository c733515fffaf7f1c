// Command report-overdue-reviews runs hourly (template.yaml) and reports manual reviews past
// their 7 working days to the operators' SNS topic.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/reviewsla"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	slog.SetDefault(api.NewLogger(os.Stdout))
	cfg := awsenv.Config()
	r := reviewsla.NewReporter(store.FromEnv(cfg),
		awssns.NewTopic(cfg, awsenv.Endpoint("SNS_ENDPOINT"), awsenv.MustEnv("OPERATORS_TOPIC_ARN")),
		clock.System{}, clock.China())
	lambda.Start(r.Run)
}
