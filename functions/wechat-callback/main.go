// Command wechat-callback serves GET and POST /v1/wechat/callback: the service account's
// message push.
package main

import (
	"os"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/wxservice"
)

func main() {
	cfg, err := wxservice.ConfigFromEnv(os.Getenv)
	if err != nil {
		panic(err.Error())
	}
	api.Serve(wxservice.NewCallback(store.FromEnv(awsenv.Config()), cfg, clock.System{}, smscode.PepperFromEnv()))
}
