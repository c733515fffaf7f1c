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

// PurposeRegister is the only purpose POST /v1/sms-codes serves; reset codes go out under
// the resetId of recovery step 1.
const PurposeRegister = store.CodeForRegistration

// RegisterKey is where a registration code for phone is kept.
func RegisterKey(phone string) store.CodeKey {
	return store.CodeKey{Purpose: PurposeRegister, Subject: phone}
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
// Three round trips: the slider, the day's counter, the code.
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
		if in.Purpose != PurposeRegister {
			return nil, api.InvalidField("purpose", "purpose 只能是 register；找回密码的验证码请在找回密码页面获取")
		}
		solved, err := sliders.Verify(ctx, in.Captcha)
		if err != nil {
			return nil, err
		}
		defer func() { solved.GiveBackIfBusy(ctx, err) }()
		remaining, err := codes.Send(ctx, RegisterKey(phone), phone, r.Source(), notify.RegisterCodeSMS, Owner{})
		if err != nil {
			return nil, err
		}
		return SentAnswer(remaining), nil
	}
}
