package identity

import (
	"errors"
	"regexp"
	"testing"
)

// latinWord is a run of Latin letters in a message.
var latinWord = regexp.MustCompile(`[A-Za-z]+`)

// plainLatin are the Latin letters an applicant meets on their own documents, devices and
// mail, which a message may name: the permit's H and M, the check character X, QQ, JPG,
// KB, the standard GB/T 3304 and an example address. Anything else (long-term, male,
// YYYY-MM-DD, a field's name) is the API's word, not the applicant's.
var plainLatin = map[string]bool{
	"H": true, "M": true, "X": true, "A": true, "QQ": true, "JPG": true, "KB": true, "CTID": true,
	"GB": true, "T": true, "name": true, "example": true, "com": true,
}

// Every message a rule gives an applicant is plain Chinese: it may name what is printed on
// a document or typed on a phone, never a wire value or a field of the API.
func TestMessagesToApplicantsCarryNoAPIWords(t *testing.T) {
	var errs []error
	add := func(_ any, err error) { errs = append(errs, err) }
	for _, to := range []string{"", "2040/01/01", "永久", "2019-01-01", "2020-01-01"} {
		add(CheckValidity("2020-01-01", to, today))
	}
	for _, from := range []string{"", "2020-02-30", "2030-01-01", "２０２０-01-01"} {
		add(CheckValidity(from, "长期", today))
	}
	for _, g := range []string{"", "男", "man", "MALE"} {
		add(ParseGender(g))
	}
	for _, b := range []string{"", "1800-01-01", "2030-01-01", "1990/01/01"} {
		add(CheckBirthDate(b, today))
	}
	for _, p := range []string{"", "12800138000", "+852 2123 4567", "+853 2812 3456", "+886 2 2345 6789", "+1 415 555 0100", "１３８"} {
		add(NormalizePhone(p))
	}
	add(nil, CheckPhoneForDocument(ResidentID, "+85291234567"))
	for _, e := range []string{"", "zhangsan@qq.com", "a@b。com", "no-at"} {
		add(NormalizeEmail(e))
	}
	for _, n := range []string{"", "张", "张3", "·张三", "ＣＨＡＮ"} {
		add(NormalizeName(n))
	}
	for _, pw := range []string{"", "short1#", "Abcdefgh1"} {
		errs = append(errs, CheckPassword(pw))
	}
	for _, typ := range []string{"", "passport"} {
		add(ParseIDType(typ))
	}
	for typ, n := range map[IDType]string{ResidentID: "110105199003071230", HKMacauPermit: "H1234567801", TaiwanPermit: "1234567", HMTResidencePermit: "110105199003071234"} {
		add(NormalizeDocumentNumber(typ, n, today))
	}
	add(LookupEthnicity("汉"))
	for _, err := range errs {
		var rule *RuleError // what the applicant reads; a FieldError adds the field for the API
		if !errors.As(err, &rule) {
			t.Fatalf("%v is not a broken rule", err)
		}
		for _, w := range latinWord.FindAllString(rule.Message, -1) {
			if !plainLatin[w] {
				t.Errorf("%q carries the API's word %q", rule.Message, w)
			}
		}
	}
}
