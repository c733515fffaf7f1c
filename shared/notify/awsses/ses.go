// Package awsses sends mail through Amazon SES (API v2).
package awsses

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/notify/internal/awscall"
)

// Mailer sends mail through Amazon SES (API v2).
type Mailer struct {
	ses  *awscall.Client
	from string
}

// sesv2 is SES API v2 as the SDK names it.
var sesv2 = awscall.Service{ID: "SESv2", SigningName: "ses", EndpointPrefix: "email"}

// NewMailer sends through SES v2 as configured by cfg; endpoint, when set, replaces AWS's
// (aws-ses-v2-local). from is a verified SES identity. It sends SendEmail as the SDK's sesv2
// client does (shared/notify/internal/awscall) without linking it.
func NewMailer(cfg aws.Config, endpoint *string, from string) *Mailer {
	return &Mailer{ses: awscall.New(cfg, sesv2, endpoint), from: from}
}

// content is SES's Content: a text and its charset.
type content struct {
	Charset string `json:"Charset"`
	Data    string `json:"Data"`
}

// sendEmail is the SendEmail request's body, its members in the order the SDK writes them.
type sendEmail struct {
	Content struct {
		Simple struct {
			Body struct {
				HTML content `json:"Html"`
				Text content `json:"Text"`
			} `json:"Body"`
			Subject content `json:"Subject"`
		} `json:"Simple"`
	} `json:"Content"`
	Destination struct {
		ToAddresses []string `json:"ToAddresses"`
	} `json:"Destination"`
	FromEmailAddress string `json:"FromEmailAddress"`
}

// SendMail sends m with a text and an HTML part, both UTF-8.
func (s *Mailer) SendMail(ctx context.Context, m notify.Mail) error {
	var in sendEmail
	in.FromEmailAddress = s.from
	in.Destination.ToAddresses = []string{m.To}
	in.Content.Simple.Subject = content{Charset: "UTF-8", Data: m.Subject}
	in.Content.Simple.Body.Text = content{Charset: "UTF-8", Data: m.Text}
	in.Content.Simple.Body.HTML = content{Charset: "UTF-8", Data: m.HTML}
	body, err := encode(in)
	if err == nil {
		_, err = s.ses.Do(ctx, "SendEmail", http.MethodPost, "/v2/email/outbound-emails", "application/json", body, restJSONError)
	}
	if err != nil {
		metrics.CountBy(ctx, metrics.ProviderFailures, metrics.Provider, "ses")
		return fmt.Errorf("ses send: %s", notify.FailureCode(err))
	}
	return nil
}

// encode is v as the SDK's JSON: no HTML escaping, no trailing newline.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// restJSONError reads an error answer of SES v2 (AWS restJson1) as the SDK does: the code
// from the X-Amzn-ErrorType header, else the body's code or __type; the body's message.
func restJSONError(header http.Header, body []byte) (code, message string) {
	var e struct {
		Code         string `json:"code"`
		Type         string `json:"__type"`
		Message      string `json:"message"`
		MessageUpper string `json:"Message"`
	}
	_ = json.Unmarshal(body, &e)
	code, message = sanitizeCode(e.Code), e.Message
	if code == "" {
		code = sanitizeCode(e.Type)
	}
	if message == "" {
		message = e.MessageUpper
	}
	if typ := header.Get("X-Amzn-ErrorType"); typ != "" {
		code = sanitizeCode(typ)
	}
	return code, message
}

// sanitizeCode is an error code without its namespace or URL, as the SDK reads it:
// "MessageRejected:http://…" and "com.amazonaws…#MessageRejected" are MessageRejected.
func sanitizeCode(code string) string {
	code, _, _ = strings.Cut(code, ":")
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return code
}
