// Command wechat-bind-code serves POST /v1/me/wechat-binding.
package main

import (
	"cmp"
	"os"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/notify/awsses"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/wechat"
	"github.com/jszg/applicant-accounts/shared/wxservice"
)

func main() {
	cfg := awsenv.Config()
	db := store.FromEnv(cfg)
	// With the account's AppSecret the answer also carries a QR code; without it ("none"),
	// the code alone.
	var tokens *wxservice.Tokens
	if secret := os.Getenv("WECHAT_APP_SECRET"); secret != "" && secret != "none" {
		tokens = wxservice.NewTokens(db, wechat.API{Base: cmp.Or(os.Getenv("WECHAT_API_BASE"), wechat.DefaultAPIBase),
			AppID: awsenv.MustEnv("WECHAT_APP_ID"), AppSecret: secret}, clock.System{})
	}
	api.Serve(wxservice.NewBindCode(db, tokens,
		awssns.NewSMS(cfg, awsenv.Endpoint("SNS_ENDPOINT"), os.Getenv("SMS_SENDER_ID")),
		awsses.NewMailer(cfg, awsenv.Endpoint("SES_ENDPOINT"), awsenv.MustEnv("SES_SENDER")),
		clock.System{}, smscode.PepperFromEnv()))
}
