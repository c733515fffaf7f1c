// Package awsses sends mail through Amazon SES (API v2).
package awsses

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
)

// Mailer sends mail through Amazon SES (API v2).
type Mailer struct {
	client *sesv2.Client
	from   string
}

// NewMailer builds the SES client; endpoint, when set, replaces AWS's (aws-ses-v2-local).
// from is a verified SES identity.
func NewMailer(cfg aws.Config, endpoint *string, from string) *Mailer {
	client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		if endpoint != nil {
			o.BaseEndpoint = endpoint
		}
	})
	return &Mailer{client: client, from: from}
}

// SendMail sends m with a text and an HTML part, both UTF-8.
func (s *Mailer) SendMail(ctx context.Context, m notify.Mail) error {
	utf8 := aws.String("UTF-8")
	_, err := s.client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(m.Text), Charset: utf8},
				Html: &types.Content{Data: aws.String(m.HTML), Charset: utf8},
			},
		}},
	})
	if err != nil {
		metrics.CountBy(ctx, metrics.ProviderFailures, metrics.Provider, "ses")
		return fmt.Errorf("ses send: %s", notify.FailureCode(err))
	}
	return nil
}
