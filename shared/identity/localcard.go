package identity

import "strings"

// NormalizeLocalCard checks the local identity card number of a Hong Kong, Macau or Taiwan
// resident by that region's format and, where it is public, its check digit. The result drops
// the parentheses around a check digit and is upper-case.
func NormalizeLocalCard(region Region, raw string) (string, error) {
	s := trim(raw)
	if s == "" {
		return "", broken("请输入当地有效身份证件号码")
	}
	if hasFullWidth(s) {
		return "", broken(msgHalfWidth)
	}
	s = strings.ToUpper(s)
	switch region {
	case RegionHongKong:
		return normalizeHongKongCard(s)
	case RegionMacau:
		return normalizeMacauCard(s)
	case RegionTaiwan:
		return normalizeTaiwanCard(s)
	}
	return "", broken("该证件类型无需填写当地身份证件号码")
}

// dropCheckParens turns "A123456(3)" into "A123456" + "3"; a number without parentheses is
// split before its last character.
func dropCheckParens(s string) (body, check string, ok bool) {
	if strings.HasSuffix(s, ")") {
		open := strings.LastIndexByte(s, '(')
		if open < 0 || open != len(s)-3 {
			return "", "", false
		}
		return s[:open], s[open+1 : open+2], true
	}
	if len(s) < 2 {
		return "", "", false
	}
	return s[:len(s)-1], s[len(s)-1:], true
}

const msgHongKongCard = "香港身份证号码应为1至2个英文字母、6位数字和1位校验码（0至9或A），例如 A123456(3)"

func normalizeHongKongCard(s string) (string, error) {
	body, check, ok := dropCheckParens(s)
	if !ok {
		return "", broken(msgHongKongCard)
	}
	letters := strings.TrimRightFunc(body, isASCIIDigit)
	digits := body[len(letters):]
	if len(letters) < 1 || len(letters) > 2 || len(digits) != 6 || !allLetters(letters) {
		return "", broken(msgHongKongCard)
	}
	if check != hongKongCheck(letters, digits) {
		return "", broken("香港身份证号码校验码不正确，请核对")
	}
	return body + check, nil
}

// hongKongCheck weighs a space-padded two-letter prefix (space 36, A 10 … Z 35) and six digits
// by 9…2; the check makes the sum divisible by 11, with A standing for 10.
func hongKongCheck(letters, digits string) string {
	if len(letters) == 1 {
		letters = " " + letters
	}
	sum := 0
	for i, c := range letters + digits {
		var v int
		switch {
		case c == ' ':
			v = 36
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			v = int(c - '0')
		}
		sum += v * (9 - i)
	}
	switch r := (11 - sum%11) % 11; r {
	case 10:
		return "A"
	default:
		return string(rune('0' + r))
	}
}

func normalizeMacauCard(s string) (string, error) {
	body, check, ok := dropCheckParens(s)
	if !ok || len(body) != 7 || !allDigits(body) || !strings.ContainsRune("157", rune(body[0])) || !allDigits(check) {
		return "", broken("澳门身份证号码应为8位数字，首位为1、5或7，例如 1234567(8)")
	}
	return body + check, nil
}

// taiwanLetterValues follow the order in which the letters were assigned to places, not the
// alphabet (I, O, W, X, Y and Z were added later).
var taiwanLetterValues = map[byte]int{
	'A': 10, 'B': 11, 'C': 12, 'D': 13, 'E': 14, 'F': 15, 'G': 16, 'H': 17, 'I': 34,
	'J': 18, 'K': 19, 'L': 20, 'M': 21, 'N': 22, 'O': 35, 'P': 23, 'Q': 24, 'R': 25,
	'S': 26, 'T': 27, 'U': 28, 'V': 29, 'W': 32, 'X': 30, 'Y': 31, 'Z': 33,
}

func normalizeTaiwanCard(s string) (string, error) {
	if len(s) != 10 || !isASCIILetter(rune(s[0])) || (s[1] != '1' && s[1] != '2') || !allDigits(s[1:]) {
		return "", broken("台湾身份证号码应为1个英文字母加9位数字，第二位为1或2，例如 A123456789")
	}
	v := taiwanLetterValues[s[0]]
	sum := v/10 + (v%10)*9
	for i := 1; i <= 8; i++ {
		sum += int(s[i]-'0') * (9 - i)
	}
	sum += int(s[9] - '0')
	if sum%10 != 0 {
		return "", broken("台湾身份证号码校验码不正确，请核对")
	}
	return s, nil
}

func allLetters(s string) bool {
	for _, r := range s {
		if !isASCIILetter(r) {
			return false
		}
	}
	return s != ""
}
