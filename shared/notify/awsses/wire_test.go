package awsses_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/notify/awsses"
)

// What the SDK's sesv2 client (v1.79.9) sent for this mail, byte for byte.
const sdkSendEmail = "{\"Content\":{\"Simple\":{\"Body\":{\"Html\":{\"Charset\":\"UTF-8\",\"Data\":\"<!DOCTYPE html><html lang=\\\"zh-CN\\\"><head><meta charset=\\\"utf-8\\\"><title>中国教师资格网：重置登录密码</title></head><body><p>张&lt;三&gt;，您好：</p><p>您正在重置中国教师资格网账号的登录密码。请在24小时内点击下面的链接设置新密码，链接只能使用一次：</p><p><a href=\\\"https://x/r?t=a&amp;b\\\">重置密码</a></p><p>如链接无法打开，请复制以下地址到谷歌浏览器或360浏览器极速模式的地址栏中访问：<br>https://x/r?t=a&amp;b</p><p>如非本人操作，请忽略本邮件，您的密码不会改变。</p><p>中国教师资格网</p></body></html>\"},\"Text\":{\"Charset\":\"UTF-8\",\"Data\":\"张<三>，您好：\\n\\n您正在重置中国教师资格网账号的登录密码。请在24小时内打开下面的链接设置新密码，链接只能使用一次：\\n\\nhttps://x/r?t=a&b\\n\\n如链接无法打开，请复制到谷歌浏览器或360浏览器极速模式的地址栏中访问。\\n如非本人操作，请忽略本邮件，您的密码不会改变。\\n\\n中国教师资格网\"}},\"Subject\":{\"Charset\":\"UTF-8\",\"Data\":\"中国教师资格网：重置登录密码\"}}},\"Destination\":{\"ToAddresses\":[\"123456789@qq.com\"]},\"FromEmailAddress\":\"noreply@jszg.edu.cn\"}"

type sessionCreds struct{}

func (sessionCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"}, nil
}

// The mailer sends what the SDK's client sent, signed for SES in the configured region.
func TestSendEmailIsTheSDKsRequest(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r, must(io.ReadAll(r.Body))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"MessageId":"m-1"}`))
	}))
	defer srv.Close()
	cfg := aws.Config{Region: "cn-north-1", Credentials: aws.NewCredentialsCache(sessionCreds{})}
	m := notify.ResetMail("123456789@qq.com", "张<三>", "https://x/r?t=a&b", 24)
	if err := awsses.NewMailer(cfg, aws.String(srv.URL), "noreply@jszg.edu.cn").SendMail(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if string(body) != sdkSendEmail {
		t.Fatalf("body\n%s\nthe SDK's\n%s", body, sdkSendEmail)
	}
	auth := got.Header.Get("Authorization")
	if got.Method != "POST" || got.URL.Path != "/v2/email/outbound-emails" || got.Header.Get("Content-Type") != "application/json" ||
		!strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/cn-north-1/ses/aws4_request, SignedHeaders=") ||
		!strings.Contains(auth, "host;x-amz-date;x-amz-security-token") || got.Header.Get("X-Amz-Security-Token") != "TOKEN" {
		t.Fatalf("%s %s %v", got.Method, got.URL, got.Header)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
