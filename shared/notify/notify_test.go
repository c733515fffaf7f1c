package notify

import (
	"context"
	"regexp"
	"testing"
	"time"
)

func TestRegisterCodeSMSHasOneSixDigitNumber(t *testing.T) {
	body := RegisterCodeSMS("004321", 5)
	got := regexp.MustCompile(`\d+`).FindAllString(body, -1)
	six := 0
	for _, g := range got {
		if len(g) == 6 {
			six++
			if g != "004321" {
				t.Fatalf("six-digit number %q is not the code", g)
			}
		}
	}
	if six != 1 {
		t.Fatalf("%d six-digit numbers in %q", six, body)
	}
}

func TestOutboxKeepsOrder(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	o := NewOutbox(func() time.Time { return now })
	_ = o.SendSMS(context.Background(), "+8613800138000", "a")
	_ = o.SendMail(context.Background(), Mail{To: "1@qq.com", Subject: "s", Text: "b", HTML: "<p>b</p>"})
	m := o.Messages()
	if len(m) != 2 || m[0].Channel != "sms" || m[1].Channel != "email" || m[1].Body != "b" || !m[0].SentAt.Equal(now) {
		t.Fatalf("%+v", m)
	}
}
