package identity

import (
	"strings"
	"testing"
	"time"
)

var today = time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// withCheck completes a 17-digit body with its MOD 11-2 check character.
func withCheck(body string) string { return body + string(CheckChar(body)) }

func TestCheckCharKnownNumbers(t *testing.T) {
	// 11010519491231002X is the example number of GB 11643.
	if got := CheckChar("11010519491231002"); got != 'X' {
		t.Fatalf("CheckChar = %c, want X", got)
	}
	if got := CheckChar("44052418800101001"); got != '4' {
		t.Fatalf("CheckChar = %c, want 4", got)
	}
}

func TestNormalizeDocumentNumber(t *testing.T) {
	rid := withCheck("11010519900307123")
	ridX := "11010519491231002X"
	hk := withCheck("81000019900101123")
	tw := withCheck("83000019851231456")
	bad := func(s string) string { // same body, wrong check character
		c := s[17]
		if c == '0' {
			return s[:17] + "1"
		}
		return s[:17] + "0"
	}
	cases := []struct {
		name    string
		typ     IDType
		in      string
		want    string
		wantErr string
	}{
		{"resident ok", ResidentID, rid, rid, ""},
		{"resident lower-case x upper-cased", ResidentID, strings.ToLower(ridX), ridX, ""},
		{"resident trimmed", ResidentID, "  " + rid + "\u3000", rid, ""},
		{"resident empty", ResidentID, "   ", "", "请输入证件号码"},
		{"resident full-width digits", ResidentID, "１１０１０５１９９０" + rid[10:], "", "半角"},
		{"resident 17 chars", ResidentID, rid[:17], "", "应为18位"},
		{"resident 19 chars", ResidentID, rid + "1", "", "应为18位"},
		{"resident letter inside", ResidentID, rid[:5] + "A" + rid[6:], "", "应为18位"},
		{"resident wrong checksum", ResidentID, bad(rid), "", "校验码不正确"},
		{"resident unknown province 99", ResidentID, withCheck("99010519900307123"), "", "省级行政区划"},
		{"resident province 00", ResidentID, withCheck("00010519900307123"), "", "省级行政区划"},
		{"resident impossible date 0230", ResidentID, withCheck("11010519900230123"), "", "出生日期"},
		{"resident month 13", ResidentID, withCheck("11010519901301123"), "", "出生日期"},
		{"resident born in the future", ResidentID, withCheck("11010520301201123"), "", "出生日期"},
		{"resident born before 1900", ResidentID, withCheck("11010518991201123"), "", "出生日期"},
		{"resident given a residence permit", ResidentID, hk, "", "港澳台居民居住证"},

		{"hmt hong kong ok", HMTResidencePermit, hk, hk, ""},
		{"hmt taiwan ok", HMTResidencePermit, tw, tw, ""},
		{"hmt resident id refused", HMTResidencePermit, rid, "", "810000"},
		{"hmt wrong checksum", HMTResidencePermit, bad(hk), "", "校验码不正确"},
		{"hmt 840000 refused", HMTResidencePermit, withCheck("84000019900101123"), "", "810000"},
		{"hmt bad birth date", HMTResidencePermit, withCheck("82000019900231123"), "", "出生日期"},

		{"hk permit H ok", HKMacauPermit, "H12345678", "H12345678", ""},
		{"hk permit m lower-case", HKMacauPermit, "m12345678", "M12345678", ""},
		{"hk permit with 2 renewal digits", HKMacauPermit, "H1234567801", "", "换证次数"},
		{"hk permit with 1 renewal digit", HKMacauPermit, "H123456780", "", "换证次数"},
		{"hk permit 8 chars", HKMacauPermit, "H1234567", "", "应为9位"},
		{"hk permit wrong letter", HKMacauPermit, "C12345678", "", "应为9位"},
		{"hk permit letter in digits", HKMacauPermit, "H1234A678", "", "应为9位"},
		{"hk permit full-width H", HKMacauPermit, "Ｈ12345678", "", "半角"},

		{"taiwan permit ok", TaiwanPermit, "12345678", "12345678", ""},
		{"taiwan permit with renewal digits", TaiwanPermit, "1234567801", "", "换证次数"},
		{"taiwan permit with renewal in parens", TaiwanPermit, "12345678(01)", "", "换证次数"},
		{"taiwan permit 7 digits", TaiwanPermit, "1234567", "", "应为8位数字"},
		{"taiwan permit letter", TaiwanPermit, "T1234567", "", "应为8位数字"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeDocumentNumber(c.typ, c.in, today)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestParseIDType(t *testing.T) {
	for _, ok := range []string{"resident_id", "hk_macau_permit", "taiwan_permit", "hmt_residence_permit"} {
		if _, err := ParseIDType(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "passport", "RESIDENT_ID", " resident_id"} {
		if _, err := ParseIDType(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestPermitRegion(t *testing.T) {
	cases := []struct {
		typ  IDType
		num  string
		want Region
	}{
		{HKMacauPermit, "H12345678", RegionHongKong},
		{HKMacauPermit, "M12345678", RegionMacau},
		{TaiwanPermit, "12345678", RegionTaiwan},
		{HMTResidencePermit, "810000199001011234", RegionHongKong},
		{HMTResidencePermit, "820000199001011234", RegionMacau},
		{HMTResidencePermit, "830000199001011234", RegionTaiwan},
		{ResidentID, "110105199003071234", RegionNone},
	}
	for _, c := range cases {
		if got := PermitRegion(c.typ, c.num); got != c.want {
			t.Errorf("PermitRegion(%s, %s) = %q, want %q", c.typ, c.num, got, c.want)
		}
	}
}

func TestEmbeddedBirthAndGender(t *testing.T) {
	birth, g, ok := EmbeddedBirthAndGender(withCheck("11010519900307123"))
	if !ok || birth.Format(DateLayout) != "1990-03-07" || g != Male {
		t.Fatalf("got %v %v %v", birth, g, ok)
	}
	_, g, _ = EmbeddedBirthAndGender(withCheck("11010519900307124"))
	if g != Female {
		t.Fatalf("even 17th digit gave %v", g)
	}
	if _, _, ok := EmbeddedBirthAndGender("H12345678"); ok {
		t.Fatal("a permit number has no embedded birth date")
	}
}

func TestMaskDocumentNumber(t *testing.T) {
	if got := MaskDocumentNumber("110105199003071234"); got != "1101**********1234" {
		t.Fatalf("got %s", got)
	}
	// A Taiwan permit's 8 digits would show whole with 4 kept at each end: 2 are.
	if got := MaskDocumentNumber("12345678"); got != "12****78" {
		t.Fatalf("a Taiwan permit: %s", got)
	}
	if got := MaskDocumentNumber("1234"); got != "****" {
		t.Fatalf("4 characters: %s", got)
	}
	if got := MaskDocumentNumber("H12345678"); got != "H123*5678" {
		t.Fatalf("got %s", got)
	}
}

func TestCheckValidity(t *testing.T) {
	cases := []struct {
		name      string
		from, to  string
		wantTo    string
		wantErr   string
		fromFault bool
	}{
		{"dated ok", "2020-01-01", "2040-01-01", "2040-01-01", "", false},
		{"long-term ok", "2010-05-01", "long-term", LongTerm, "", false},
		{"ends today is still valid", "2016-11-27", "2026-11-27", "2026-11-27", "", false},
		{"starts today is valid", "2026-11-27", "2046-11-27", "2046-11-27", "", false},
		{"expired yesterday", "2006-11-26", "2026-11-26", "", "已过有效期", false},
		{"starts tomorrow", "2026-11-28", "2046-11-28", "", "尚未生效", true},
		{"end before start", "2020-01-01", "2019-01-01", "", "应晚于开始日期", false},
		{"impossible from date", "2020-02-30", "2040-01-01", "", "有效日期", true},
		{"slashes", "2020/01/01", "2040-01-01", "", "年-月-日", true},
		{"empty from", "", "2040-01-01", "", "请填写", true},
		{"empty to", "2020-01-01", "", "", "请填写", false},
		{"长期 as printed on the document", "2010-05-01", "长期", LongTerm, "", false},
		{"长期 with spaces", "2010-05-01", " 长期 ", LongTerm, "", false},
		{"neither a date nor long-term", "2020-01-01", "永久", "", "请填写“长期”", false},
		{"full-width date", "２０２０-01-01", "2040-01-01", "", "半角", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := CheckValidity(c.from, c.to, today)
			if c.wantErr != "" {
				fe, ok := err.(*FieldError)
				if !ok || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				if want := map[bool]string{true: "idValidFrom", false: "idValidTo"}[c.fromFault]; fe.Field != want {
					t.Fatalf("field %s, want %s", fe.Field, want)
				}
				return
			}
			if err != nil || v.To != c.wantTo {
				t.Fatalf("got %+v, %v", v, err)
			}
		})
	}
}

func TestCheckValidityUsesTheCSTDay(t *testing.T) {
	// 2026-11-26 20:00 UTC is already 2026-11-27 in China: a document ending on the 26th is
	// expired there, and one starting on the 27th has started.
	lateUTC := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC).In(time.FixedZone("CST", 8*3600))
	if _, err := CheckValidity("2016-11-26", "2026-11-26", lateUTC); err == nil {
		t.Fatal("expired document accepted on the CST day after its end")
	}
	if _, err := CheckValidity("2026-11-27", "2036-11-27", lateUTC); err != nil {
		t.Fatalf("document starting on the CST day refused: %v", err)
	}
}

func TestCheckDocumentNamesTheField(t *testing.T) {
	if _, _, err := CheckDocument("passport", "X", today); err == nil || err.(*FieldError).Field != "idType" {
		t.Fatalf("bad type: %v", err)
	}
	if _, _, err := CheckDocument("taiwan_permit", "1234567", today); err == nil || err.(*FieldError).Field != "idNumber" {
		t.Fatalf("bad number: %v", err)
	}
	typ, n, err := CheckDocument("hk_macau_permit", " h12345678 ", today)
	if err != nil || typ != HKMacauPermit || n != "H12345678" {
		t.Fatalf("got %s %s %v", typ, n, err)
	}
}
