// Command decide-review serves POST /v1/reviews/{reviewId}/decision (reviewers).
package main

import (
	"os"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/auth"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notice"
	"github.com/jszg/applicant-accounts/shared/notify/awsses"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/review"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	cfg := awsenv.Config()
	db := store.FromEnv(cfg)
	h := &review.Reviewer{
		Auth:  &auth.Authenticator{Store: db, Clock: clock.System{}},
		Store: db,
		Clock: clock.System{},
		Notices: &notice.Sender{
			Store: db,
			SMS:   awssns.NewSMS(cfg, awsenv.Endpoint("SNS_ENDPOINT"), os.Getenv("SMS_SENDER_ID")),
			Mail:  awsses.NewMailer(cfg, awsenv.Endpoint("SES_ENDPOINT"), awsenv.MustEnv("SES_SENDER")),
			Clock: clock.System{},
		},
	}
	api.Serve(h.Decide)
}
