// Command create-session serves POST /v1/sessions (login).
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	cfg := awsenv.Config()
	operators := awssns.NewTopic(cfg, awsenv.Endpoint("SNS_ENDPOINT"), awsenv.MustEnv("OPERATORS_TOPIC_ARN"))
	api.Serve(session.NewLogin(store.FromEnv(cfg), operators, clock.System{}))
}
