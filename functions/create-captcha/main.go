// Command create-captcha serves POST /v1/captchas.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/store"
)

func main() {
	api.Serve(captcha.NewCreate(store.FromEnv(awsenv.Config()), clock.System{}, awsenv.MustPositive("SLIDERS_PER_ADDRESS_MINUTE")))
}
