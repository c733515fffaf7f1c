package awssns

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jszg/applicant-accounts/shared/notify"
)

// snsWire stands in for SNS at the HTTP level: it decodes the form the SDK really sends and
// answers the XML PublishResponse.
type snsWire struct {
	mu    sync.Mutex
	forms []url.Values
	fail  bool
}

func (w *snsWire) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(rw, err.Error(), 400)
		return
	}
	w.mu.Lock()
	w.forms = append(w.forms, r.PostForm)
	fail := w.fail
	w.mu.Unlock()
	rw.Header().Set("Content-Type", "text/xml")
	if fail {
		rw.WriteHeader(400)
		_, _ = rw.Write([]byte(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`))
		return
	}
	_, _ = rw.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`))
}

func testConfig() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1}
}

func TestSNSPublishAtTheWire(t *testing.T) {
	wire := &snsWire{}
	srv := httptest.NewServer(wire)
	defer srv.Close()
	s := NewSMS(testConfig(), aws.String(srv.URL), "JSZG")
	body := notify.RegisterCodeSMS("012345", 5)
	if err := s.SendSMS(context.Background(), "+8613800138000", body); err != nil {
		t.Fatal(err)
	}
	if len(wire.forms) != 1 {
		t.Fatalf("%d requests", len(wire.forms))
	}
	f := wire.forms[0]
	want := map[string]string{
		"Action":      "Publish",
		"PhoneNumber": "+8613800138000",
		"Message":     body,
	}
	for k, v := range want {
		if f.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, f.Get(k), v)
		}
	}
	attrs := map[string]string{}
	for i := 1; f.Get("MessageAttributes.entry."+strconv.Itoa(i)+".Name") != ""; i++ {
		p := "MessageAttributes.entry." + strconv.Itoa(i)
		if f.Get(p+".Value.DataType") != "String" {
			t.Errorf("%s has DataType %q", f.Get(p+".Name"), f.Get(p+".Value.DataType"))
		}
		attrs[f.Get(p+".Name")] = f.Get(p + ".Value.StringValue")
	}
	if attrs["AWS.SNS.SMS.SMSType"] != "Transactional" || attrs["AWS.SNS.SMS.SenderID"] != "JSZG" {
		t.Fatalf("attributes %v (form %v)", attrs, f)
	}
}

func TestSNSFailureIsAnError(t *testing.T) {
	wire := &snsWire{fail: true}
	srv := httptest.NewServer(wire)
	defer srv.Close()
	err := NewSMS(testConfig(), aws.String(srv.URL), "").SendSMS(context.Background(), "+8613800138000", "x")
	if err == nil || !strings.Contains(err.Error(), "InvalidParameter") || strings.Contains(err.Error(), "PhoneNumber") {
		t.Fatalf("err = %v", err)
	}
	if _, has := wire.forms[0]["MessageAttributes.entry.2.Name"]; has {
		t.Fatal("an empty sender id was sent")
	}
}

func TestTopicPublishAtTheWire(t *testing.T) {
	wire := &snsWire{}
	srv := httptest.NewServer(wire)
	defer srv.Close()
	topic := NewTopic(testConfig(), aws.String(srv.URL), "arn:aws:sns:cn-north-1:123456789012:operators")
	if err := topic.Publish(context.Background(), "人工审核超时", `{"overdue":1}`); err != nil {
		t.Fatal(err)
	}
	f := wire.forms[0]
	if f.Get("Action") != "Publish" || f.Get("TopicArn") != "arn:aws:sns:cn-north-1:123456789012:operators" ||
		f.Get("Subject") != "人工审核超时" || f.Get("Message") != `{"overdue":1}` || f.Get("PhoneNumber") != "" {
		t.Fatalf("form %v", f)
	}
}
