// Package awssns sends SMS and operators' reports through Amazon SNS.
package awssns

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/notify"
)

// SMS publishes SMS straight to a phone number through Amazon SNS.
type SMS struct {
	client   *sns.Client
	senderID string
}

// NewSMS builds the SNS client; endpoint, when set, replaces AWS's. senderID is the
// alphanumeric sender id where the destination supports one; empty leaves it out.
func NewSMS(cfg aws.Config, endpoint *string, senderID string) *SMS {
	client := sns.NewFromConfig(cfg, func(o *sns.Options) {
		if endpoint != nil {
			o.BaseEndpoint = endpoint
		}
	})
	return &SMS{client: client, senderID: senderID}
}

// SendSMS publishes body to the E.164 number as a Transactional message, which SNS delivers
// with priority over Promotional ones and to numbers that opted out of marketing.
func (s *SMS) SendSMS(ctx context.Context, to, body string) error {
	attrs := map[string]types.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
	}
	if s.senderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s.senderID)}
	}
	_, err := s.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(to),
		Message:           aws.String(body),
		MessageAttributes: attrs,
	})
	if err != nil {
		metrics.CountBy(ctx, metrics.ProviderFailures, metrics.Provider, "sns")
		return fmt.Errorf("sns publish: %s", notify.FailureCode(err))
	}
	metrics.Count(ctx, metrics.SMSSent)
	return nil
}

// Topic is the operators' topic at arn, published through the same client as the SMS: a
// function that sends both builds one SNS client.
func (s *SMS) Topic(arn string) *Topic { return &Topic{client: s.client, arn: arn} }

// Topic publishes operators' reports to an SNS topic.
type Topic struct {
	client *sns.Client
	arn    string
}

// NewTopic builds the SNS client for the topic arn; endpoint, when set, replaces AWS's.
func NewTopic(cfg aws.Config, endpoint *string, arn string) *Topic {
	return &Topic{client: sns.NewFromConfig(cfg, func(o *sns.Options) {
		if endpoint != nil {
			o.BaseEndpoint = endpoint
		}
	}), arn: arn}
}

// Publish sends one message with a subject.
func (t *Topic) Publish(ctx context.Context, subject, message string) error {
	_, err := t.client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(t.arn), Subject: aws.String(subject), Message: aws.String(message)})
	if err != nil {
		return fmt.Errorf("sns publish to topic: %s", notify.FailureCode(err))
	}
	return nil
}
