// Package awssns sends SMS and operators' reports through Amazon SNS.
package awssns

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/notify/internal/awscall"
)

// service is SNS as the SDK names it.
var service = awscall.Service{ID: "SNS", SigningName: "sns", EndpointPrefix: "sns"}

// SMS publishes SMS straight to a phone number through Amazon SNS.
type SMS struct {
	sns      *awscall.Client
	senderID string
}

// NewSMS publishes through SNS as configured by cfg; endpoint, when set, replaces AWS's.
// senderID is the alphanumeric sender id where the destination supports one; empty leaves it
// out. It sends Publish as the SDK's sns client does (shared/notify/internal/awscall) without
// linking it.
func NewSMS(cfg aws.Config, endpoint *string, senderID string) *SMS {
	return &SMS{sns: awscall.New(cfg, service, endpoint), senderID: senderID}
}

// SendSMS publishes body to the E.164 number as a Transactional message, which SNS delivers
// with priority over Promotional ones and to numbers that opted out of marketing.
func (s *SMS) SendSMS(ctx context.Context, to, body string) error {
	// Message attributes go as the SDK lists a map: entries numbered in the order of their names.
	form := url.Values{
		"PhoneNumber":                    {to},
		"Message":                        {body},
		"MessageAttributes.entry.1.Name": {"AWS.SNS.SMS.SMSType"},
		"MessageAttributes.entry.1.Value.DataType":    {"String"},
		"MessageAttributes.entry.1.Value.StringValue": {"Transactional"},
	}
	if s.senderID != "" {
		form.Set("MessageAttributes.entry.2.Name", "AWS.SNS.SMS.SenderID")
		form.Set("MessageAttributes.entry.2.Value.DataType", "String")
		form.Set("MessageAttributes.entry.2.Value.StringValue", s.senderID)
	}
	if err := publish(ctx, s.sns, form); err != nil {
		metrics.CountBy(ctx, metrics.ProviderFailures, metrics.Provider, "sns")
		return fmt.Errorf("sns publish: %s", notify.FailureCode(err))
	}
	metrics.Count(ctx, metrics.SMSSent)
	return nil
}

// Topic is the operators' topic at arn, published through the same client as the SMS.
func (s *SMS) Topic(arn string) *Topic { return &Topic{sns: s.sns, arn: arn} }

// Topic publishes operators' reports to an SNS topic.
type Topic struct {
	sns *awscall.Client
	arn string
}

// NewTopic publishes to the topic arn through SNS as configured by cfg; endpoint, when set,
// replaces AWS's.
func NewTopic(cfg aws.Config, endpoint *string, arn string) *Topic {
	return &Topic{sns: awscall.New(cfg, service, endpoint), arn: arn}
}

// Publish sends one message with a subject.
func (t *Topic) Publish(ctx context.Context, subject, message string) error {
	form := url.Values{"TopicArn": {t.arn}, "Subject": {subject}, "Message": {message}}
	if err := publish(ctx, t.sns, form); err != nil {
		return fmt.Errorf("sns publish to topic: %s", notify.FailureCode(err))
	}
	return nil
}

// publish is one Publish call in the AWS query protocol: the form, with the action and the
// API version, keys in order, as the SDK encodes it.
func publish(ctx context.Context, sns *awscall.Client, form url.Values) error {
	form.Set("Action", "Publish")
	form.Set("Version", "2010-03-31")
	_, err := sns.Do(ctx, "Publish", http.MethodPost, "/", "application/x-www-form-urlencoded", []byte(form.Encode()), queryError)
	return err
}

// queryError reads an error answer of the AWS query protocol:
// <ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>….
func queryError(_ http.Header, body []byte) (code, message string) {
	return element(body, "Code"), element(body, "Message")
}

// element is the text of the first <name> element in an XML document, or "".
func element(doc []byte, name string) string {
	s := string(doc)
	_, rest, ok := strings.Cut(s, "<"+name+">")
	if !ok {
		return ""
	}
	text, _, ok := strings.Cut(rest, "</"+name+">")
	if !ok {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(text))
}
