package notify

import (
	"context"
	"fmt"
	"html"
	"log/slog"

	"github.com/jszg/applicant-accounts/shared/casework"
)

// The signature 【…】 is required on SMS sent to mainland numbers.
const smsSignature = "【中国教师资格网】"

// RegisterCodeSMS is the registration code text. The code is its only 6-digit number, which
// is what applicants (and local scripts) look for.
func RegisterCodeSMS(code string, minutes int) string {
	return fmt.Sprintf("%s您正在注册中国教师资格网账号，验证码为%s，%d分钟内有效。如非本人操作，请忽略本短信，切勿将验证码告诉他人。",
		smsSignature, code, minutes)
}

// ContactCodeSMS is the text of a code that proves a new mobile for an account.
func ContactCodeSMS(code string, minutes int) string {
	return fmt.Sprintf("%s您正在将本手机号码设为中国教师资格网账号的手机号码，验证码为%s，%d分钟内有效。如非本人操作，请忽略本短信，切勿将验证码告诉他人。",
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

// requestName is what the applicant calls a review of each kind.
func requestName(kind string) string {
	switch kind {
	case casework.KindNameChange:
		return "姓名变更申请"
	case casework.KindContact:
		return "联系方式更正申请"
	case casework.KindOwnership:
		return "证件号码账号申诉"
	}
	return "人工审核"
}

// decisionText is what a decision of kind means for the applicant.
func decisionText(kind, name string, approved, nameChanged bool, reason string) string {
	what := requestName(kind)
	switch {
	case !approved && (kind == casework.KindContact || kind == casework.KindOwnership):
		return "您提交的" + what + "未通过，原因：" + reason + "。如需再次申请，请按原因准备材料后重新提交。"
	case !approved:
		return "您提交的" + what + "未通过，原因：" + reason + "。请登录中国教师资格网，按“不通过原因”修改后重新提交。"
	case kind == casework.KindContact:
		return "您提交的" + what + "已通过，账号的手机号码和电子邮箱已更新为本次申请填写的号码和邮箱，原有登录已全部退出。请用原密码登录；如忘记密码，可通过“忘记密码”重置。"
	case kind == casework.KindOwnership:
		return "您提交的" + what + "已通过，该证件号码的账号已交由您使用，手机号码和电子邮箱已更新为本次申请填写的号码和邮箱。请先通过“忘记密码”设置登录密码，登录后完善个人信息。"
	case nameChanged:
		return "您提交的" + what + "已通过，账号姓名已更新为“" + name + "”。如您此前已进行认定报名，请登录后重新提交报名信息（点击修改后直接提交即可），以更新报名数据。"
	}
	return "您提交的" + what + "已通过，可登录中国教师资格网继续办理业务。"
}

// ReviewDecisionSMS tells the applicant the outcome of a review of kind.
func ReviewDecisionSMS(kind string, approved bool, reason string) string {
	return smsSignature + decisionText(kind, "", approved, false, reason)
}

// ReviewDecisionMail tells the applicant the outcome of a review of kind, with the reason of
// a rejection and, when an approval changed the name, what must be submitted again.
func ReviewDecisionMail(kind, to, name string, approved, nameChanged bool, reason string) Mail {
	return Letter(to, name, "中国教师资格网："+requestName(kind)+"结果通知", decisionText(kind, name, approved, nameChanged, reason))
}

// replacedText tells the holder of contacts an approved correction replaced what happened.
func replacedText(kind string) string {
	if kind == casework.KindOwnership {
		return "经人工审核确认，您此前使用的中国教师资格网账号所登记的证件号码属于他人，该账号已交由证件持有人使用，本手机号码和邮箱不再与该账号关联。如有疑问，请联系所在地教师资格认定机构。"
	}
	return "您的中国教师资格网账号已根据经人工审核通过的联系方式更正申请更换了手机号码和电子邮箱，本手机号码和邮箱不再与该账号关联，原有登录已全部退出。如非本人申请，请立即联系所在地教师资格认定机构。"
}

// ContactsReplacedSMS goes to the mobile an approved correction replaced.
func ContactsReplacedSMS(kind string) string { return smsSignature + replacedText(kind) }

// ContactsReplacedMail goes to the address an approved correction replaced.
func ContactsReplacedMail(kind, to string) Mail {
	return Letter(to, "用户", "中国教师资格网：账号联系方式已更换", replacedText(kind))
}

// Letter is a plain notice mail: greeting, one paragraph, signature, as text and HTML.
func Letter(to, name, subject, text string) Mail {
	body := name + "，您好：\n\n" + text + "\n\n中国教师资格网"
	page := `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>` + html.EscapeString(subject) + `</title></head><body><p>` +
		html.EscapeString(name) + `，您好：</p><p>` + html.EscapeString(text) + `</p><p>中国教师资格网</p></body></html>`
	return Mail{To: to, Subject: subject, Text: body, HTML: page}
}

// Signed is an SMS text with the signature mainland SMS need.
func Signed(text string) string { return smsSignature + text }

const ifNotYou = "如非本人操作，请立即通过“忘记密码”重置密码，或联系所在地教师资格认定机构。"

// PasswordChangedText tells the account's contacts that its password was changed.
func PasswordChangedText() string {
	return "您的中国教师资格网账号密码已修改，其他设备上的登录已退出。" + ifNotYou
}

// PasswordResetByWechatText tells the account's contacts that its password was reset with a
// code asked in WeChat.
func PasswordResetByWechatText() string {
	return "您的中国教师资格网账号密码已通过微信验证码重置，其他设备上的登录已退出。如非本人操作，请立即通过“忘记密码”用短信或邮件重置密码（将同时解除微信绑定），或联系所在地教师资格认定机构。"
}

// PhoneChangedText tells the old mobile and the e-mail that the account's mobile is now masked.
func PhoneChangedText(masked string) string {
	return "您的中国教师资格网账号的手机号码已更换为" + masked + "，本手机号码不再接收该账号的验证码和通知，其他设备上的登录已退出。" + ifNotYou
}

// EmailChangedText tells the old address and the mobile that the account's e-mail is now masked.
func EmailChangedText(masked string) string {
	return "您的中国教师资格网账号的电子邮箱已更换为" + masked + "，原邮箱不再接收该账号的找回密码邮件和通知，其他设备上的登录已退出。" + ifNotYou
}

// EmailCodeMail carries the code that proves a new address for an account.
func EmailCodeMail(to, name, code string, minutes int) Mail {
	return Letter(to, name, "中国教师资格网：邮箱验证码",
		fmt.Sprintf("您正在将本邮箱设为中国教师资格网账号的电子邮箱，验证码为%s，%d分钟内有效，只能使用一次。如非本人操作，请忽略本邮件，切勿将验证码告诉他人。", code, minutes))
}

// CorrectionFiledText tells an account's present contacts that a correction or a claim on it
// was filed with a reviewer.
func CorrectionFiledText(kind string) string {
	return "有人提交了本中国教师资格网账号的" + requestName(kind) + "，申请更换账号的手机号码和电子邮箱，将由审核人员核对证件后决定。如非本人申请，请立即联系所在地教师资格认定机构。"
}

// tell sends an account-security text to a mobile (if any) and an address (if any): a
// change or a request about an account, told to its holder (TellHolder). What it tells
// stands whether or not it could be told, so a failure is logged (without the address) and
// not returned.
func tell(ctx context.Context, sms SMS, mail Mailer, phone, email, name, text string) {
	bg := context.WithoutCancel(ctx)
	if phone != "" {
		if err := sms.SendSMS(bg, phone, Signed(text)); err != nil {
			slog.ErrorContext(ctx, "could not text an account-security notice", slog.String("err", err.Error()))
		}
	}
	if email != "" {
		if err := mail.SendMail(bg, Letter(email, name, "中国教师资格网：账号安全提醒", text)); err != nil {
			slog.ErrorContext(ctx, "could not mail an account-security notice", slog.String("err", err.Error()))
		}
	}
}

// WechatBindingText tells an account's contacts that a WeChat binding was asked for (a code
// issued, which binds whoever sends it) or removed.
func WechatBindingText(bind bool) string {
	if bind {
		return "您的中国教师资格网账号刚刚获取了微信绑定码，绑定后可在微信中找回密码。" + ifNotYou + "通过短信或邮件重置密码会同时解除微信绑定。"
	}
	return "您的中国教师资格网账号已解除微信绑定。" + ifNotYou
}
