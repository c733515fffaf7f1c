package identity

import (
	"strings"
	"time"
)

// IDType is one of the four document types of SPEC §1, as sent on the wire.
type IDType string

const (
	ResidentID         IDType = "resident_id"
	HKMacauPermit      IDType = "hk_macau_permit"
	TaiwanPermit       IDType = "taiwan_permit"
	HMTResidencePermit IDType = "hmt_residence_permit"
)

// ParseIDType accepts exactly the four wire names.
func ParseIDType(s string) (IDType, error) {
	switch t := IDType(s); t {
	case ResidentID, HKMacauPermit, TaiwanPermit, HMTResidencePermit:
		return t, nil
	case "":
		return "", broken("请选择证件类型")
	default:
		return "", broken("证件类型只能是居民身份证、港澳居民来往内地通行证、五年有效期台湾居民来往大陆通行证或港澳台居民居住证")
	}
}

// CheckDocument reads a document's type and number as the forms send them. Errors are
// *FieldError at idType or idNumber.
func CheckDocument(rawType, rawNumber string, today time.Time) (IDType, string, error) {
	t, err := ParseIDType(rawType)
	if err != nil {
		return "", "", &FieldError{Field: "idType", Err: err}
	}
	n, err := NormalizeDocumentNumber(t, rawNumber, today)
	if err != nil {
		return "", "", &FieldError{Field: "idNumber", Err: err}
	}
	return t, n, nil
}

// Region is where a Hong Kong, Macau or Taiwan document holder's local identity card comes from.
type Region string

const (
	RegionNone     Region = ""
	RegionHongKong Region = "HK"
	RegionMacau    Region = "MO"
	RegionTaiwan   Region = "TW"
)

const msgRenewalDigits = "请勿填写换证次数：港澳居民来往内地通行证号码为9位（H或M加8位数字），五年有效期台湾居民来往大陆通行证号码为8位数字，末尾两位换证次数无需填写"

// NormalizeDocumentNumber trims, upper-cases and checks a document number against its type.
// The result is the account name (账号 = 证件号码). today is the current CST date, against
// which the birth date inside an 18-character number is checked.
func NormalizeDocumentNumber(t IDType, raw string, today time.Time) (string, error) {
	s := trim(raw)
	if s == "" {
		return "", broken("请输入证件号码")
	}
	if hasFullWidth(s) {
		return "", broken(msgHalfWidth)
	}
	s = strings.ToUpper(s)
	switch t {
	case ResidentID:
		return s, checkResidentID(s, today)
	case HKMacauPermit:
		return s, checkHKMacauPermit(s)
	case TaiwanPermit:
		return s, checkTaiwanPermit(s)
	case HMTResidencePermit:
		return s, checkHMTResidencePermit(s, today)
	default:
		return "", broken("请选择证件类型")
	}
}

// IsDocumentNumber reports whether s, as a login name, is a document number of any of the
// four types: an applicant's account name, never a reviewer's (reviewer logins are kept
// apart from them).
func IsDocumentNumber(s string, today time.Time) bool {
	for _, t := range []IDType{ResidentID, HKMacauPermit, TaiwanPermit, HMTResidencePermit} {
		if _, err := NormalizeDocumentNumber(t, s, today); err == nil {
			return true
		}
	}
	return false
}

// provinceCodes are the first two digits of GB/T 2260 provincial divisions that issue
// resident identity cards. 81 and 82 (Hong Kong, Macau) are real divisions but their residents
// hold residence permits whose numbers begin 810000/820000: see checkResidentID.
var provinceCodes = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true,
}

func checkResidentID(s string, today time.Time) error {
	if err := checkEighteen(s, "居民身份证号码"); err != nil {
		return err
	}
	if hmtPermitRegion(s) != RegionNone {
		return broken("该号码是港澳台居民居住证号码，请将证件类型选择为“港澳台居民居住证”")
	}
	if !provinceCodes[s[:2]] {
		return broken("居民身份证号码前两位不是有效的省级行政区划代码，请核对")
	}
	return checkEmbeddedBirthDate(s, today, "居民身份证号码")
}

func checkHMTResidencePermit(s string, today time.Time) error {
	if err := checkEighteen(s, "港澳台居民居住证号码"); err != nil {
		return err
	}
	if hmtPermitRegion(s) == RegionNone {
		return broken("港澳台居民居住证号码应以810000（香港）、820000（澳门）或830000（台湾）开头")
	}
	return checkEmbeddedBirthDate(s, today, "港澳台居民居住证号码")
}

// checkEighteen holds the shape and ISO 7064 MOD 11-2 check character shared by resident
// identity cards and residence permits.
func checkEighteen(s, what string) error {
	if len(s) != 18 || !allDigits(s[:17]) || !(isASCIIDigit(rune(s[17])) || s[17] == 'X') {
		return broken(what + "应为18位：17位数字加1位校验码（数字或X）")
	}
	if CheckChar(s[:17]) != s[17] {
		return broken(what + "校验码不正确，请核对号码")
	}
	return nil
}

var mod112Weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CheckChar is the ISO 7064 MOD 11-2 check character of the first 17 digits of an
// 18-character number. It panics on anything but 17 ASCII digits: callers check the shape.
func CheckChar(body17 string) byte {
	if len(body17) != 17 || !allDigits(body17) {
		panic("identity: CheckChar needs 17 digits")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body17[i]-'0') * mod112Weights[i]
	}
	return "10X98765432"[sum%11]
}

func checkEmbeddedBirthDate(s string, today time.Time, what string) error {
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil {
		return broken(what + "第7至14位不是有效的出生日期，请核对")
	}
	if birth.Year() < 1900 || birth.After(dateOnly(today)) {
		return broken(what + "第7至14位不是有效的出生日期，请核对")
	}
	return nil
}

func hmtPermitRegion(s string) Region {
	switch {
	case strings.HasPrefix(s, "810000"):
		return RegionHongKong
	case strings.HasPrefix(s, "820000"):
		return RegionMacau
	case strings.HasPrefix(s, "830000"):
		return RegionTaiwan
	}
	return RegionNone
}

func checkHKMacauPermit(s string) error {
	lead := s[0]
	tail := s[1:]
	if (lead == 'H' || lead == 'M') && allDigits(tail) {
		switch len(s) {
		case 9:
			return nil
		case 10, 11:
			return broken(msgRenewalDigits)
		}
	}
	return broken("港澳居民来往内地通行证号码应为9位：H或M加8位数字")
}

func checkTaiwanPermit(s string) error {
	if allDigits(s) {
		switch len(s) {
		case 8:
			return nil
		case 9, 10:
			return broken(msgRenewalDigits)
		}
	}
	// Old permits print the renewal count in parentheses after the number: 12345678(01).
	if strings.IndexByte(s, '(') == 8 && allDigits(s[:8]) {
		return broken(msgRenewalDigits)
	}
	return broken("五年有效期台湾居民来往大陆通行证号码应为8位数字")
}

// PermitRegion says whose local identity card a permit holder has: H → Hong Kong,
// M → Macau, a Taiwan permit → Taiwan, and 810000/820000/830000 likewise. The number must
// already be normalized.
func PermitRegion(t IDType, number string) Region {
	switch t {
	case HKMacauPermit:
		if strings.HasPrefix(number, "H") {
			return RegionHongKong
		}
		if strings.HasPrefix(number, "M") {
			return RegionMacau
		}
	case TaiwanPermit:
		return RegionTaiwan
	case HMTResidencePermit:
		return hmtPermitRegion(number)
	}
	return RegionNone
}

// Gender is how the contract spells it.
type Gender string

const (
	Male   Gender = "male"
	Female Gender = "female"
)

// EmbeddedBirthAndGender reads the birth date (digits 7–14) and the gender digit (17th: odd
// is male) of a normalized 18-character number.
func EmbeddedBirthAndGender(number string) (time.Time, Gender, bool) {
	if len(number) != 18 || !allDigits(number[:17]) {
		return time.Time{}, "", false
	}
	birth, err := time.Parse("20060102", number[6:14])
	if err != nil {
		return time.Time{}, "", false
	}
	g := Female
	if (number[16]-'0')%2 == 1 {
		g = Male
	}
	return birth, g, true
}

// MaskDocumentNumber keeps the first and last 4 characters (SPEC §2) of a number longer than
// 8: 1101**********1234, H123*5678. Of a number of 8 or fewer, which would show whole that
// way (a Taiwan permit's 8 digits), it keeps the first and last 2 (12****78), as GET /v1/me
// masks the short local card and permit numbers; of 4 or fewer, nothing.
func MaskDocumentNumber(number string) string {
	r := []rune(number)
	keep := 4
	if len(r) <= 8 {
		keep = 2
	}
	if len(r) <= 2*keep {
		return strings.Repeat("*", len(r))
	}
	return string(r[:keep]) + strings.Repeat("*", len(r)-2*keep) + string(r[len(r)-keep:])
}
