package smscode

import (
	"context"
	"net/http"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/store"
)

// The purposes POST /v1/sms-codes serves: a registration's mobile, and a new mobile for an
// account (a logged-in change, or a correction filed without logging in). Reset codes go
// out under the resetId of recovery step 1.
const (
	PurposeRegister = store.CodeForRegistration
	PurposeContact  = store.CodeForContact
)

// RegisterKey is where a registration code for phone is kept.
func RegisterKey(phone string) store.CodeKey {
	return store.CodeKey{Purpose: PurposeRegister, Subject: phone}
}

// WechatRegisterKey is where a registration code asked in the WeChat service account for a
// document number (login) is kept. The keys of the codes the service account issues live
// here, beside the others, so that registration and recovery, which check them, link none
// of the WeChat protocol.
func WechatRegisterKey(login string) store.CodeKey {
	return store.CodeKey{Purpose: store.CodeForWechat, Subject: login}
}

// WechatResetKey is where a reset code asked in WeChat for an account is kept.
func WechatResetKey(login string) store.CodeKey {
	return store.CodeKey{Purpose: store.CodeForWechatReset, Subject: login}
}

// ContactKey is where a code proving phone for an account's new mobile is kept.
func ContactKey(phone string) store.CodeKey {
	return store.CodeKey{Purpose: PurposeContact, Subject: phone}
}

// SendStore keeps sliders, codes and the daily counters.
type SendStore interface {
	captcha.Store
	IssueStore
}

type sendRequest struct {
	Phone   string          `json:"phone"`
	Purpose string          `json:"purpose"`
	Captcha *captcha.Answer `json:"captcha"`
}

// Sent is the answer to a code request.
type Sent struct {
	ExpiresIn      int `json:"expiresIn"`
	RemainingToday int `json:"remainingToday"`
}

// SentAnswer is the 202 of a sent code.
func SentAnswer(remaining int) *api.Response {
	return api.JSON(http.StatusAccepted, Sent{ExpiresIn: int(TTL.Seconds()), RemainingToday: remaining})
}

// NewSend answers POST /v1/sms-codes: it checks the form, spends the slider, then sends.
// Two round trips: the slider's spending with the counters, then the code.
func NewSend(db SendStore, sms notify.SMS, operators notify.Publisher, limits Limits, clk clock.Clock, pepper []byte) api.HandlerFunc {
	sliders := captcha.NewChecker(db, clk)
	codes := NewIssuer(db, sms, operators, limits, clk, pepper)
	return func(ctx context.Context, r *api.Request) (_ *api.Response, err error) {
		var in sendRequest
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		phone, err := identity.NormalizePhone(in.Phone)
		if err != nil {
			return nil, api.Invalid("phone", err)
		}
		key, text := RegisterKey(phone), notify.RegisterCodeSMS
		if in.Purpose == PurposeContact {
			key, text = ContactKey(phone), notify.ContactCodeSMS
		} else if in.Purpose != PurposeRegister {
			return nil, api.InvalidField("purpose", "验证码用途无效：此处只发送注册账号和更换手机号码的验证码；找回密码的验证码请在找回密码页面获取")
		}
		judged, err := sliders.Judge(in.Captcha)
		if err != nil {
			return nil, err
		}
		if !judged.Right() {
			_, err := judged.Spend(ctx) // a wrong answer is spent all the same: one slider, one try
			return nil, err
		}
		// The slider is spent with the counts: a slider used already gives them back.
		var solved *captcha.Solved
		defer func() { solved.GiveBackIfBusy(ctx, err) }()
		spend := func(ctx context.Context) (err error) {
			solved, err = judged.Spend(ctx)
			return err
		}
		remaining, err := codes.Send(ctx, key, phone, r.Source(), text, Owner{}, spend)
		if err != nil {
			return nil, err
		}
		return SentAnswer(remaining), nil
	}
}
