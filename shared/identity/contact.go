package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

const middleDot = '·' // U+00B7, the separator in transliterated names on Chinese documents

// nameDotLookalikes are what input methods type for the middle dot; the document has U+00B7.
var nameDotLookalikes = strings.NewReplacer("•", "·", "・", "·", "‧", "·", "●", "·")

// NormalizeName checks a name as printed on the document: Chinese characters, Latin letters
// with single inner spaces (names on Hong Kong, Macau and foreign documents) and the middle
// dot between parts; 2 to 50 characters.
func NormalizeName(raw string) (string, error) {
	s := nameDotLookalikes.Replace(trim(raw))
	if s == "" {
		return "", broken("请输入姓名")
	}
	if hasFullWidth(s) {
		return "", broken("姓名中的字母请使用半角字符；间隔号请使用“·”")
	}
	// One name, one spelling: a compatibility ideograph (U+F900…) or a Kangxi radical
	// (U+2F08 ⼈) becomes the character it stands for (人), as recovery will type it.
	s = norm.NFKC.String(s)
	if n := utf8.RuneCountInString(s); n < 2 || n > 50 {
		return "", broken("姓名应为2至50个字符，请按证件上的姓名填写")
	}
	var prev rune
	for i, r := range s {
		switch {
		case unicode.Is(unicode.Han, r), isASCIILetter(r):
		case r == middleDot:
			if i == 0 || prev == middleDot || prev == ' ' {
				return "", broken("姓名中的间隔号“·”只能用在两个字之间")
			}
		case r == ' ':
			if prev == ' ' || prev == middleDot {
				return "", broken("姓名中不能有连续的空格")
			}
		default:
			return "", broken("姓名只能包含汉字、英文字母、间隔号“·”和空格，请按证件上的姓名填写")
		}
		prev = r
	}
	if prev == middleDot {
		return "", broken("姓名中的间隔号“·”只能用在两个字之间")
	}
	return s, nil
}

// PasswordSpecials is exactly the set the manual allows.
const PasswordSpecials = "#%*-_!@$&"

const msgPasswordPolicy = "密码应为8至32位，且同时包含数字、字母和特殊字符；特殊字符只能从 # % * - _ ! @ $ & 中选取"

// CheckPassword applies the password policy of SPEC §1. It never echoes the password.
func CheckPassword(pw string) error {
	if pw == "" {
		return broken("请输入密码")
	}
	if hasFullWidth(pw) {
		return broken("密码请使用半角字符；" + msgPasswordPolicy)
	}
	var digit, letter, special bool
	for _, r := range pw {
		switch {
		case isASCIIDigit(r):
			digit = true
		case isASCIILetter(r):
			letter = true
		case strings.ContainsRune(PasswordSpecials, r):
			special = true
		default:
			return broken("密码含有不允许的字符（如空格或其他符号）；" + msgPasswordPolicy)
		}
	}
	if n := len(pw); n < 8 || n > 32 {
		return broken("密码长度不符合要求；" + msgPasswordPolicy)
	}
	if !digit || !letter || !special {
		return broken("密码须同时包含数字、字母和特殊字符；" + msgPasswordPolicy)
	}
	return nil
}

// NormalizeEmail checks an address for password-reset mail; the domain is lower-cased.
func NormalizeEmail(raw string) (string, error) {
	s := trim(raw)
	if s == "" {
		return "", broken("请输入电子邮箱")
	}
	if strings.ContainsAny(s, "。．｡") {
		return "", broken("邮箱中的点请使用英文半角“.”，不要用句号“。”代替")
	}
	if hasFullWidth(s) {
		return "", broken("邮箱请使用半角字符（英文输入法）")
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 || len(s) > 254 {
		return "", broken("请输入有效的电子邮箱地址，例如 name@example.com")
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if !validLocalPart(local) || !validDomain(domain) {
		return "", broken("请输入有效的电子邮箱地址，例如 name@example.com")
	}
	if domain == "qq.com" && !allDigits(local) {
		return "", broken("QQ邮箱@前请使用纯数字的QQ号，不要使用自行设置的别名")
	}
	return local + "@" + domain, nil
}

func validLocalPart(s string) bool {
	if len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(isASCIIDigit(r) || isASCIILetter(r) || strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r)) {
			return false
		}
	}
	return true
}

func validDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(isASCIIDigit(r) || (r >= 'a' && r <= 'z') || r == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && !allDigits(tld)
}

// NormalizePhone checks a mainland mobile number (1[3-9] + 9 digits, a leading +86 allowed)
// and returns it in E.164.
func NormalizePhone(raw string) (string, error) {
	s := trim(raw)
	if s == "" {
		return "", broken("请输入手机号码")
	}
	if hasFullWidth(s) {
		return "", broken("手机号码请使用半角数字")
	}
	s = strings.TrimPrefix(s, "+86")
	if len(s) != 11 || !allDigits(s) || s[0] != '1' || s[1] < '3' {
		return "", broken("请输入11位中国大陆手机号码（1开头，第二位为3至9）")
	}
	return "+86" + s, nil
}

// NationalNumber is the 11-digit form of an E.164 mainland mobile.
func NationalNumber(e164 string) string {
	return strings.TrimPrefix(e164, "+86")
}

// MaskPhone shows the first 3 and last 4 digits of the national number: 138****8000.
func MaskPhone(e164 string) string {
	n := NationalNumber(e164)
	if len(n) != 11 {
		return "***********"
	}
	return n[:3] + "****" + n[7:]
}

// MaskEmail keeps the first character of the local part and the whole domain.
func MaskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return "***"
	}
	local := addr[:at]
	keep := 1
	if len(local) > 4 {
		keep = 2
	}
	return local[:keep] + "****" + addr[at:]
}
