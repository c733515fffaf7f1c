// Command create-session serves POST /v1/sessions (login).
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	db := store.FromEnv(awsenv.Config())
	h := &session.Login{Store: db, Captcha: &captcha.Service{Store: db, Clock: clock.System{}}, Clock: clock.System{}}
	api.Serve(h.Handle)
}
