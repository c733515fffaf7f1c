package awssns

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jszg/applicant-accounts/shared/notify"
)

// What the SDK's sns client (v1.48.0) sent for this SMS and this report, byte for byte.
const (
	sdkPublishSMS   = "Action=Publish&Message=%E3%80%90%E4%B8%AD%E5%9B%BD%E6%95%99%E5%B8%88%E8%B5%84%E6%A0%BC%E7%BD%91%E3%80%91%E6%82%A8%E6%AD%A3%E5%9C%A8%E6%B3%A8%E5%86%8C%E4%B8%AD%E5%9B%BD%E6%95%99%E5%B8%88%E8%B5%84%E6%A0%BC%E7%BD%91%E8%B4%A6%E5%8F%B7%EF%BC%8C%E9%AA%8C%E8%AF%81%E7%A0%81%E4%B8%BA012345%EF%BC%8C5%E5%88%86%E9%92%9F%E5%86%85%E6%9C%89%E6%95%88%E3%80%82%E5%A6%82%E9%9D%9E%E6%9C%AC%E4%BA%BA%E6%93%8D%E4%BD%9C%EF%BC%8C%E8%AF%B7%E5%BF%BD%E7%95%A5%E6%9C%AC%E7%9F%AD%E4%BF%A1%EF%BC%8C%E5%88%87%E5%8B%BF%E5%B0%86%E9%AA%8C%E8%AF%81%E7%A0%81%E5%91%8A%E8%AF%89%E4%BB%96%E4%BA%BA%E3%80%82&MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=Transactional&MessageAttributes.entry.2.Name=AWS.SNS.SMS.SenderID&MessageAttributes.entry.2.Value.DataType=String&MessageAttributes.entry.2.Value.StringValue=JSZG&PhoneNumber=%2B8613800138000&Version=2010-03-31"
	sdkPublishTopic = "Action=Publish&Message=msg+%3C1%3E&Subject=%E4%B8%BB%E9%A2%98+%26&TopicArn=arn%3Aaws%3Asns%3Acn-north-1%3A1%3Aops&Version=2010-03-31"
)

type sessionCreds struct{}

func (sessionCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"}, nil
}

// SMS and reports go as the SDK's client sent them, signed for SNS in the configured region.
func TestPublishIsTheSDKsRequest(t *testing.T) {
	var reqs []*http.Request
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs, bodies = append(reqs, r), append(bodies, string(b))
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`))
	}))
	defer srv.Close()
	cfg := aws.Config{Region: "cn-north-1", Credentials: aws.NewCredentialsCache(sessionCreds{})}
	sms := NewSMS(cfg, aws.String(srv.URL), "JSZG")
	if err := sms.SendSMS(context.Background(), "+8613800138000", notify.RegisterCodeSMS("012345", 5)); err != nil {
		t.Fatal(err)
	}
	if err := NewTopic(cfg, aws.String(srv.URL), "arn:aws:sns:cn-north-1:1:ops").Publish(context.Background(), "主题 &", "msg <1>"); err != nil {
		t.Fatal(err)
	}
	if bodies[0] != sdkPublishSMS || bodies[1] != sdkPublishTopic {
		t.Fatalf("bodies\n%s\n%s\nthe SDK's\n%s\n%s", bodies[0], bodies[1], sdkPublishSMS, sdkPublishTopic)
	}
	for _, r := range reqs {
		auth := r.Header.Get("Authorization")
		if r.Method != "POST" || r.URL.Path != "/" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
			!strings.Contains(auth, "/cn-north-1/sns/aws4_request, SignedHeaders=") || r.Header.Get("X-Amz-Security-Token") != "TOKEN" {
			t.Fatalf("%s %s %v", r.Method, r.URL, r.Header)
		}
	}
}
