package awsses_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/notify/notifytest"
)

func TestSESSendEmailAtTheWire(t *testing.T) {
	ses := notifytest.NewSES(t)
	m := notify.ResetMail("123456789@qq.com", "张<三>", "https://www.jszg.edu.cn/reset-password?token=abc_-1", 24)
	if err := ses.Mailer("noreply@jszg.edu.cn").SendMail(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	sent := ses.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d requests", len(sent))
	}
	got := sent[0]
	simple := got.Content.Simple
	if got.Path != "POST /v2/email/outbound-emails" || got.FromEmailAddress != "noreply@jszg.edu.cn" ||
		len(got.Destination.ToAddresses) != 1 || got.Destination.ToAddresses[0] != "123456789@qq.com" {
		t.Fatalf("request %+v", got)
	}
	if simple.Subject.Data != m.Subject || simple.Subject.Charset != "UTF-8" ||
		simple.Body.Text.Charset != "UTF-8" || simple.Body.Html.Charset != "UTF-8" {
		t.Fatalf("content %+v", simple)
	}
	if !strings.Contains(simple.Body.Text.Data, "https://www.jszg.edu.cn/reset-password?token=abc_-1") ||
		!strings.Contains(simple.Body.Html.Data, `href="https://www.jszg.edu.cn/reset-password?token=abc_-1"`) {
		t.Fatalf("the link is missing from a part:\n%s\n%s", simple.Body.Text.Data, simple.Body.Html.Data)
	}
	if strings.Contains(simple.Body.Html.Data, "张<三>") || !strings.Contains(simple.Body.Html.Data, "张&lt;三&gt;") {
		t.Fatal("the name is not escaped in the HTML part")
	}
}

func TestSESFailureNamesNoAddress(t *testing.T) {
	ses := notifytest.NewSES(t)
	ses.Fail(true)
	err := ses.Mailer("noreply@jszg.edu.cn").SendMail(context.Background(), notify.Mail{To: "123456789@qq.com", Subject: "s", Text: "t", HTML: "h"})
	if err == nil || !strings.Contains(err.Error(), "MessageRejected") || strings.Contains(err.Error(), "123456789") {
		t.Fatalf("err = %v", err)
	}
}
