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
		case IsIdeograph(r), isASCIILetter(r):
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

// IsIdeograph is a Chinese character of a name: unicode.Han without the radicals (U+2E80 to
// U+2FDF; NFKC folds the Kangxi ones but leaves ⻢ U+2EE2, which looks as 马) and the
// CJK symbols (U+3000 to U+303F: 々, the Hangzhou numerals 〡〢〣), but for 〇, which
// names do carry. A radical in a name would pass a reviewer's eye as the character it
// looks like, and miss every exact comparison (recovery, the 教育部 link).
func IsIdeograph(r rune) bool {
	switch {
	case r == '〇':
		return true
	case r >= 0x2E80 && r <= 0x303F, r >= 0x16FE0 && r <= 0x16FFF: // the old iteration and hook marks too
		return false
	}
	return unicode.Is(unicode.Han, r)
}

// The pages apply the same rule from a table of these characters written from Go's
// unicode.Han (their browser's is newer, and would take characters this refuses); a test
// holds the two together.
//
//go:generate go run ./internal/hangen -out ../../web/src/lib/hanRanges.ts

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

// Mobile numbers (SPEC §1). Every applicant may give a mainland mobile; holders of the three
// non-mainland documents may give a Hong Kong, Macau or Taiwan one instead (see
// CheckPhoneForDocument). NormalizePhone reads any of the four and returns E.164, which is
// what is stored, counted (the SMS quota is per E.164 number) and sent.
//
// How a number may be written, once surrounding white space is trimmed:
//   - mainland: exactly as before, 11 digits 1[3-9]… in one run, with or without +86
//     (13800138000, +8613800138000);
//   - Hong Kong, Macau, Taiwan: the country code 852, 853 or 886, with or without its +, then
//     the number; spaces and hyphens between the digits are dropped (+852 9123 4567,
//     852-91234567, +886 912-345-678). A Taiwan mobile may also be written in its local form,
//     09 and 8 more digits (0912345678, 0912-345-678), and the trunk 0 some people keep after
//     the country code (+886 0912 345 678) is dropped. A number without a country code is read
//     as mainland (or Taiwan's 09…): an 8-digit number alone could be Hong Kong's or Macau's.
//
// Which leading digits are mobiles:
//   - Hong Kong (+852): 8 digits beginning 4, 5, 6, 7, 8 or 9. OFCA's numbering plan gives 2
//     and 3 to fixed lines (and 1 to service codes); mobiles began 5, 6 and 9, and since 2018
//     blocks beginning 4, 7 and 8 are assigned to mobile services too (OFCA press release of
//     5 February 2018). Finer ranges (pagers among the 7s, personal numbers among 81–83) are
//     not told apart: they change as OFCA allocates, and the SMS code proves the number takes
//     SMS.
//   - Macau (+853): 8 digits beginning 6 (fixed lines begin 28).
//   - Taiwan (+886): 9 digits beginning 9 (09 locally; fixed lines have area codes 2–8).

const (
	ccMainland = "+86"
	ccHongKong = "+852"
	ccMacau    = "+853"
	ccTaiwan   = "+886"
)

const (
	msgPhoneMainland = "请输入11位中国大陆手机号码（1开头，第二位为3至9）；持港澳台证件的，也可填写带区号的香港、澳门或台湾手机号码，如+852 9123 4567"
	msgPhoneHongKong = "香港手机号码应为区号+852加8位数字，以4至9开头，如+852 9123 4567"
	msgPhoneMacau    = "澳门手机号码应为区号+853加8位数字，以6开头，如+853 6123 4567"
	msgPhoneTaiwan   = "台湾手机号码应为区号+886加9位数字（以9开头），或09开头的10位数字，如+886 912 345 678或0912345678"
	msgPhoneRegion   = "仅支持中国大陆（+86）、香港（+852）、澳门（+853）和台湾（+886）的手机号码"
)

// NormalizePhone checks a mobile number of the mainland, Hong Kong, Macau or Taiwan, written
// as described above, and returns it in E.164 (+8613800138000, +85291234567, +886912345678).
// It does not know the applicant's document: CheckPhoneForDocument says whether the number
// may be theirs.
func NormalizePhone(raw string) (string, error) {
	s := trim(raw)
	if s == "" {
		return "", broken("请输入手机号码")
	}
	if hasFullWidth(s) {
		return "", broken("手机号码请使用半角数字")
	}
	compact := strings.NewReplacer(" ", "", "-", "").Replace(s)
	digits := strings.TrimPrefix(compact, "+")
	switch {
	case strings.HasPrefix(digits, "852"):
		n := digits[3:]
		if len(n) != 8 || !allDigits(n) || n[0] < '4' {
			return "", broken(msgPhoneHongKong)
		}
		return ccHongKong + n, nil
	case strings.HasPrefix(digits, "853"):
		n := digits[3:]
		if len(n) != 8 || !allDigits(n) || n[0] != '6' {
			return "", broken(msgPhoneMacau)
		}
		return ccMacau + n, nil
	case strings.HasPrefix(digits, "886"):
		return taiwanMobile(strings.TrimPrefix(digits[3:], "0"))
	case compact == digits && strings.HasPrefix(digits, "09"):
		return taiwanMobile(digits[1:])
	case strings.HasPrefix(compact, "+") && !strings.HasPrefix(compact, ccMainland):
		return "", broken(msgPhoneRegion)
	}
	// The mainland form is read as it always was: one run of digits, +86 optional.
	n := strings.TrimPrefix(s, ccMainland)
	if len(n) != 11 || !allDigits(n) || n[0] != '1' || n[1] < '3' {
		return "", broken(msgPhoneMainland)
	}
	return ccMainland + n, nil
}

// taiwanMobile checks the 9 digits after +886 (the local form without its 0).
func taiwanMobile(n string) (string, error) {
	if len(n) != 9 || !allDigits(n) || n[0] != '9' {
		return "", broken(msgPhoneTaiwan)
	}
	return ccTaiwan + n, nil
}

// IsMainlandPhone reports whether e164, as NormalizePhone returns it, is a mainland mobile.
func IsMainlandPhone(e164 string) bool {
	return strings.HasPrefix(e164, ccMainland) && len(e164) == len(ccMainland)+11
}

// CheckPhoneForDocument says whether a holder of a document of type t may register the
// mobile e164 (as NormalizePhone returns it): a resident identity card (居民身份证) goes with a
// mainland mobile only; the three Hong Kong, Macau and Taiwan documents with a mobile of any
// of the four, whichever of the three places the holder lives in.
func CheckPhoneForDocument(t IDType, e164 string) error {
	if t == ResidentID && !IsMainlandPhone(e164) {
		return broken("使用居民身份证注册的，请填写11位中国大陆手机号码；香港、澳门、台湾手机号码仅限持港澳台证件的申请人使用")
	}
	return nil
}

// NationalNumber is the number without its country code: the 11 digits of a mainland mobile,
// the 8 of a Hong Kong or Macau one, the 9 of a Taiwan one. Anything else is returned as it is.
func NationalNumber(e164 string) string {
	for _, cc := range []string{ccHongKong, ccMacau, ccTaiwan, ccMainland} {
		if strings.HasPrefix(e164, cc) {
			return e164[len(cc):]
		}
	}
	return e164
}

// MaskPhone shows a mainland mobile's national number as its first 3 and last 4 digits around
// four stars (138****8000, SPEC §2), and any other as its country code and last 4 digits, a
// star for each digit hidden (+852 ****4567, +886 *****5678).
func MaskPhone(e164 string) string {
	if IsMainlandPhone(e164) {
		n := NationalNumber(e164)
		return n[:3] + "****" + n[7:]
	}
	n := NationalNumber(e164)
	if n == e164 || len(n) <= 4 {
		return "****"
	}
	return e164[:len(e164)-len(n)] + " " + strings.Repeat("*", len(n)-4) + n[len(n)-4:]
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
