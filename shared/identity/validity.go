package identity

import "time"

// LongTerm is the wire value of a validity period without an end (长期), and how it is stored.
const LongTerm = "long-term"

// LongTermWord is 长期 as printed on the document and typed by applicants: read as LongTerm.
const LongTermWord = "长期"

// DateLayout is the contract's date format.
const DateLayout = "2006-01-02"

// Validity is a document's validity period; To is empty for LongTerm.
type Validity struct {
	From string
	To   string // a date, or LongTerm
}

// CheckValidity reads a validity period whose end is a date or long-term, written as the
// wire's long-term or as 长期 and stored as LongTerm. It refuses an already expired document
// and one whose validity starts after today (both in CST): SPEC §1. A document is usable
// through its last day. Errors are *FieldError at idValidFrom or idValidTo.
func CheckValidity(fromRaw, toRaw string, today time.Time) (Validity, error) {
	from, err := ParseDate(fromRaw, "证件有效期开始日期")
	if err != nil {
		return Validity{}, &FieldError{Field: "idValidFrom", Err: err}
	}
	day := dateOnly(today)
	if from.After(day) {
		return Validity{}, &FieldError{Field: "idValidFrom", Err: broken("证件有效期开始日期晚于今天，该证件尚未生效")}
	}
	v := Validity{From: from.Format(DateLayout)}
	to := trim(toRaw)
	if to == LongTerm || to == LongTermWord {
		v.To = LongTerm
		return v, nil
	}
	end, err := ParseDate(to, "证件有效期结束日期")
	if err != nil {
		return Validity{}, &FieldError{Field: "idValidTo", Err: broken(err.Error() + "；长期有效的证件请填写“长期”")}
	}
	if !end.After(from) {
		return Validity{}, &FieldError{Field: "idValidTo", Err: broken("证件有效期结束日期应晚于开始日期")}
	}
	if end.Before(day) {
		return Validity{}, &FieldError{Field: "idValidTo", Err: broken("证件已过有效期，请使用有效证件")}
	}
	v.To = end.Format(DateLayout)
	return v, nil
}

// ParseDate reads a YYYY-MM-DD calendar date, refusing impossible ones such as 02-30.
func ParseDate(raw, what string) (time.Time, error) {
	s := trim(raw)
	if s == "" {
		return time.Time{}, broken("请填写" + what)
	}
	if hasFullWidth(s) {
		return time.Time{}, broken(msgHalfWidth)
	}
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, broken(what + "应为有效日期，按“年-月-日”填写，如2020-01-31")
	}
	return d, nil
}

// dateOnly drops the clock time of t, keeping its calendar day in t's own location, and
// returns that day as midnight UTC so it compares with dates parsed from the wire.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CheckBirthDate reads a date of birth: a real date, not after today (CST), not before 1900.
func CheckBirthDate(raw string, today time.Time) (string, error) {
	d, err := ParseDate(raw, "出生日期")
	if err != nil {
		return "", err
	}
	if d.Year() < 1900 || d.After(dateOnly(today)) {
		return "", broken("出生日期应在1900年之后且不晚于今天")
	}
	return d.Format(DateLayout), nil
}

// ParseGender accepts the contract's two values.
func ParseGender(raw string) (Gender, error) {
	switch g := Gender(trim(raw)); g {
	case Male, Female:
		return g, nil
	case "":
		return "", broken("请选择性别")
	default:
		return "", broken("性别只能选择“男”或“女”")
	}
}
