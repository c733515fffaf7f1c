package notify

import (
	"fmt"
	"html"
)

// The signature 【…】 is required on SMS sent to mainland numbers.
const smsSignature = "【中国教师资格网】"

// RegisterCodeSMS is the registration code text. The code is its only 6-digit number, which
// is what applicants (and local scripts) look for.
func RegisterCodeSMS(code string, minutes int) string {
	return fmt.Sprintf("%s您正在注册中国教师资格网账号，验证码为%s，%d分钟内有效。如非本人操作，请忽略本短信，切勿将验证码告诉他人。",
		smsSignature, code, minutes)
}

// ResetCodeSMS is the password-reset code text.
func ResetCodeSMS(code string, minutes int) string {
	return fmt.Sprintf("%s您正在重置中国教师资格网账号密码，验证码为%s，%d分钟内有效。如非本人操作，请忽略本短信，切勿将验证码告诉他人。",
		smsSignature, code, minutes)
}

// ResetMail is the password-reset mail with its link, valid for hours.
func ResetMail(to, name, link string, hours int) Mail {
	subject := "中国教师资格网：重置登录密码"
	text := fmt.Sprintf("%s，您好：\n\n您正在重置中国教师资格网账号的登录密码。请在%d小时内打开下面的链接设置新密码，链接只能使用一次：\n\n%s\n\n"+
		"如链接无法打开，请复制到谷歌浏览器或360浏览器极速模式的地址栏中访问。\n如非本人操作，请忽略本邮件，您的密码不会改变。\n\n中国教师资格网",
		name, hours, link)
	page := fmt.Sprintf(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>%s</title></head><body>`+
		`<p>%s，您好：</p><p>您正在重置中国教师资格网账号的登录密码。请在%d小时内点击下面的链接设置新密码，链接只能使用一次：</p>`+
		`<p><a href="%s">重置密码</a></p><p>如链接无法打开，请复制以下地址到谷歌浏览器或360浏览器极速模式的地址栏中访问：<br>%s</p>`+
		`<p>如非本人操作，请忽略本邮件，您的密码不会改变。</p><p>中国教师资格网</p></body></html>`,
		html.EscapeString(subject), html.EscapeString(name), hours, html.EscapeString(link), html.EscapeString(link))
	return Mail{To: to, Subject: subject, Text: text, HTML: page}
}

// ReviewDecisionSMS tells the applicant the manual review's outcome.
func ReviewDecisionSMS(approved bool, reason string) string {
	if approved {
		return smsSignature + "您提交的人工审核已通过，可登录中国教师资格网继续办理业务。"
	}
	return smsSignature + "您提交的人工审核未通过，原因：" + reason + "。请登录中国教师资格网按提示修改后重新提交。"
}

// ReviewDecisionMail tells the applicant the manual review's outcome, with the reason of a
// rejection and, when an approval changed the name, what must be submitted again.
func ReviewDecisionMail(to, name string, approved, nameChanged bool, reason string) Mail {
	subject := "中国教师资格网：人工审核结果通知"
	var text string
	switch {
	case approved && nameChanged:
		text = "您提交的人工审核已通过，账号姓名已更新为“" + name + "”。如您此前已进行认定报名，请登录后重新提交报名信息（点击修改后直接提交即可），以更新报名数据。"
	case approved:
		text = "您提交的人工审核已通过，可登录中国教师资格网继续办理业务。"
	default:
		text = "您提交的人工审核未通过，原因：" + reason + "。请登录中国教师资格网，按“不通过原因”修改个人信息后重新提交人工审核。"
	}
	body := name + "，您好：\n\n" + text + "\n\n中国教师资格网"
	page := `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>` + html.EscapeString(subject) + `</title></head><body><p>` +
		html.EscapeString(name) + `，您好：</p><p>` + html.EscapeString(text) + `</p><p>中国教师资格网</p></body></html>`
	return Mail{To: to, Subject: subject, Text: body, HTML: page}
}
