// Command reset-quotas runs on the schedules of template.yaml (00:00 Asia/Shanghai daily, and
// on 1 Jan and 1 Sep for cycles) and clears the counters of ended periods.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/quotareset"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	slog.SetDefault(api.NewLogger(os.Stdout))
	lambda.Start(quotareset.NewResetter(store.FromEnv(awsenv.Config()), clock.System{}).Run)
}
