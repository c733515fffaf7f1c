// Command wechat-bind-code serves POST /v1/me/wechat-binding.
package main

import (
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/wxservice"
)

func main() {
	api.Serve(wxservice.NewBindCode(store.FromEnv(awsenv.Config()), clock.System{}, smscode.PepperFromEnv()))
}
