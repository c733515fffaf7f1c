package notify

import "fmt"

// The signature 【…】 is required on SMS sent to mainland numbers.
const smsSignature = "【中国教师资格网】"

// RegisterCodeSMS is the registration code text. The code is its only 6-digit number, which
// is what applicants (and local scripts) look for.
func RegisterCodeSMS(code string, minutes int) string {
	return fmt.Sprintf("%s您正在注册中国教师资格网账号，验证码为%s，%d分钟内有效。如非本人操作，请忽略本短信，切勿将验证码告诉他人。",
		smsSignature, code, minutes)
}
