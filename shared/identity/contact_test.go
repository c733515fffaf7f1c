package identity

import (
	"strings"
	"testing"
)

type normCase struct {
	name    string
	in      string
	want    string
	wantErr string
}

func runNorm(t *testing.T, f func(string) (string, error), cases []normCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := f(c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("f(%q) = %q, %v; want error containing %q", c.in, got, err, c.wantErr)
				}
				if _, ok := err.(*RuleError); !ok {
					t.Fatalf("error is %T, want *RuleError", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("f(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	runNorm(t, NormalizeName, []normCase{
		{"two han", "张三", "张三", ""},
		{"middle dot", "阿依古丽·买买提", "阿依古丽·买买提", ""},
		{"katakana dot becomes U+00B7", "阿依古丽・买买提", "阿依古丽·买买提", ""},
		{"bullet becomes U+00B7", "阿依古丽•买买提", "阿依古丽·买买提", ""},
		{"latin with spaces", "CHAN Tai Man", "CHAN Tai Man", ""},
		{"rare han from extension B", "𠮷野家", "𠮷野家", ""},
		{"trimmed", "  李四 ", "李四", ""},
		{"empty", "", "", "请输入姓名"},
		{"one char", "张", "", "2至50"},
		{"51 chars", strings.Repeat("张", 51), "", "2至50"},
		{"50 chars ok", strings.Repeat("张", 50), strings.Repeat("张", 50), ""},
		{"digit", "张3", "", "只能包含"},
		{"punctuation", "张三!", "", "只能包含"},
		{"leading dot", "·张三", "", "间隔号"},
		{"trailing dot", "张三·", "", "间隔号"},
		{"double dot", "张··三", "", "间隔号"},
		{"double space", "CHAN  Tai", "", "连续的空格"},
		{"full-width latin", "ＣＨＡＮ", "", "半角"},
		{"full-width full stop as dot", "阿依古丽．买买提", "", "半角"},
		{"compatibility ideograph U+F900 is its unified form", "张\uF900", "张\u8C48", ""},
		{"Kangxi radical U+2F08 is 人", "\u2F08民", "人民", ""},
		// Han, but no character of a name: each looks like one that is.
		{"radical U+2EE2 that looks as 马", "王\u2EE2", "", "只能包含"},
		{"radical U+2E8C", "\u2E8C小", "", "只能包含"},
		{"iteration mark 々", "佐々木", "", "只能包含"},
		{"Hangzhou numeral 〢", "王〢", "", "只能包含"},
		{"old Chinese iteration mark U+16FE3", "王\U00016FE3", "", "只能包含"},
		{"ideographic zero 〇 stays", "王〇", "王〇", ""},
		{"compatibility ideograph U+FA0E, unified", "\uFA0E田", "\uFA0E田", ""},
		{"extension G", "\U00030000田", "\U00030000田", ""},
	})
}

func TestCheckPassword(t *testing.T) {
	cases := []struct {
		name    string
		pw      string
		wantErr string
	}{
		{"ok", "Abcdef1#", ""},
		{"every special allowed", "a1#%*-_!@$&", ""},
		{"32 chars ok", "Aa1#" + strings.Repeat("x", 28), ""},
		{"empty", "", "请输入密码"},
		{"7 chars", "Abcde1#", "长度"},
		{"33 chars", "Aa1#" + strings.Repeat("x", 29), "长度"},
		{"no digit", "Abcdefg#", "同时包含"},
		{"no letter", "1234567#", "同时包含"},
		{"no special", "Abcdefg1", "同时包含"},
		{"space", "Abc def1#", "不允许的字符"},
		{"caret", "Abcdef1^", "不允许的字符"},
		{"plus", "Abcdef1+", "不允许的字符"},
		{"dot", "Abcdef1.", "不允许的字符"},
		{"chinese char", "Abcdef1#中", "不允许的字符"},
		{"full-width hash", "Abcdef1＃", "半角"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckPassword(c.pw)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
			if c.pw != "" && strings.Contains(err.Error(), c.pw) {
				t.Fatal("the message echoes the password")
			}
			if c.name != "empty" && !strings.Contains(err.Error(), "# % * - _ ! @ $ &") {
				t.Fatal("the message does not name the special set")
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	runNorm(t, NormalizeEmail, []normCase{
		{"ok", "zhang.san@example.com", "zhang.san@example.com", ""},
		{"domain lower-cased", "Zhang@Example.COM", "Zhang@example.com", ""},
		{"qq digits", "123456789@qq.com", "123456789@qq.com", ""},
		{"qq upper-case domain", "123456789@QQ.COM", "123456789@qq.com", ""},
		{"qq alias", "zhangsan@qq.com", "", "纯数字"},
		{"qq mixed", "12345a@qq.com", "", "纯数字"},
		{"foxmail alias ok", "zhangsan@foxmail.com", "zhangsan@foxmail.com", ""},
		{"ideographic full stop", "123456@qq。com", "", "句号"},
		{"full-width full stop", "zhang@example．com", "", "句号"},
		{"half-width ideographic stop", "zhang@example｡com", "", "句号"},
		{"full-width at", "zhang＠example.com", "", "半角"},
		{"no at", "zhang.example.com", "", "有效的电子邮箱"},
		{"two ats", "a@b@example.com", "", "有效的电子邮箱"},
		{"no domain dot", "zhang@localhost", "", "有效的电子邮箱"},
		{"empty local", "@example.com", "", "有效的电子邮箱"},
		{"double dot", "zhang..san@example.com", "", "有效的电子邮箱"},
		{"space inside", "zhang san@example.com", "", "有效的电子邮箱"},
		{"numeric tld", "a@example.123", "", "有效的电子邮箱"},
		{"empty", "", "", "请输入电子邮箱"},
	})
}

func TestNormalizePhone(t *testing.T) {
	runNorm(t, NormalizePhone, []normCase{
		// The mainland, exactly as before.
		{"ok", "13800138000", "+8613800138000", ""},
		{"19x ok", "19912345678", "+8619912345678", ""},
		{"with +86", "+8613800138000", "+8613800138000", ""},
		{"trimmed", " 13800138000\u3000", "+8613800138000", ""},
		{"second digit 2", "12800138000", "", "11位"},
		{"10 digits", "1380013800", "", "11位"},
		{"12 digits", "138001380001", "", "11位"},
		{"dashes", "138-0013-8000", "", "11位"},
		{"+86 and a space", "+86 13800138000", "", "11位"},
		{"86 without its +", "8613800138000", "", "11位"},
		{"landline", "01012345678", "", "11位"},
		{"full-width", "１３８００１３８０００", "", "半角"},
		{"letter O for zero", "1380013800O", "", "11位"},
		{"letter l for one", "l3800138000", "", "11位"},
		{"Arabic-Indic digits", "١٣٨٠٠١٣٨٠٠٠", "", "11位"},
		{"empty", " ", "", "请输入手机号码"},

		// Hong Kong: +852 and 8 digits beginning 4–9.
		{"hk", "+85291234567", "+85291234567", ""},
		{"hk with spaces", "+852 9123 4567", "+85291234567", ""},
		{"hk without + and a hyphen", "852-91234567", "+85291234567", ""},
		{"hk 5", "+852 5123 4567", "+85251234567", ""},
		{"hk 4 (since 2018)", "+852 4612 3456", "+85246123456", ""},
		{"hk 7", "+852 7012 3456", "+85270123456", ""},
		{"hk 8", "+852 8412 3456", "+85284123456", ""},
		{"hk 7 digits", "+852 9123 456", "", "香港手机号码"},
		{"hk 9 digits", "+852 9123 45678", "", "香港手机号码"},
		{"hk fixed line 2", "+852 2123 4567", "", "以4至9开头"},
		{"hk fixed line 3", "+852 3123 4567", "", "以4至9开头"},
		{"hk service 1", "+852 1123 4567", "", "以4至9开头"},
		{"hk full-width digits", "+852 ９１２３ ４５６７", "", "半角"},
		{"hk full-width plus", "＋85291234567", "", "半角"},
		{"hk letter O", "+852 9123 45O7", "", "香港手机号码"},
		{"hk en dash", "+852 9123–4567", "", "香港手机号码"},
		{"hk dot", "+852 9123.4567", "", "香港手机号码"},

		// Macau: +853 and 8 digits beginning 6.
		{"macau", "+85366123456", "+85366123456", ""},
		{"macau written", "+853 6612 3456", "+85366123456", ""},
		{"macau without +", "853 66123456", "+85366123456", ""},
		{"macau 7 digits", "+853 6612 345", "", "澳门手机号码"},
		{"macau 9 digits", "+853 6612 34567", "", "澳门手机号码"},
		{"macau fixed line 28", "+853 2812 3456", "", "以6开头"},
		{"macau 9", "+853 9612 3456", "", "以6开头"},
		{"macau full-width", "+８５３ 6612 3456", "", "半角"},
		{"macau letter I for one", "+853 66I2 3456", "", "澳门手机号码"},

		// Taiwan: +886 and 9 digits beginning 9, or 09 and 8 more locally.
		{"taiwan", "+886912345678", "+886912345678", ""},
		{"taiwan written", "+886 912-345-678", "+886912345678", ""},
		{"taiwan local", "0912345678", "+886912345678", ""},
		{"taiwan local written", "0912-345-678", "+886912345678", ""},
		{"taiwan trunk 0 kept", "+886 0912 345 678", "+886912345678", ""},
		{"taiwan without +", "886912345678", "+886912345678", ""},
		{"taiwan 8 digits", "+886 912 345 67", "", "台湾手机号码"},
		{"taiwan 10 digits", "+886 912 345 6789", "", "台湾手机号码"},
		{"taiwan local 9 digits", "091234567", "", "台湾手机号码"},
		{"taiwan local 11 digits", "09123456789", "", "台湾手机号码"},
		{"taiwan fixed line", "+886 2 2345 6789", "", "以9开头"},
		{"taiwan local fixed line", "0223456789", "", "11位"},
		{"taiwan full-width", "０９１２３４５６７８", "", "半角"},
		{"taiwan letter O", "O912345678", "", "11位"},

		// Elsewhere.
		{"other country", "+1 415 555 0100", "", "仅支持"},
		{"plus alone", "+", "", "仅支持"},
		{"hk number without its code", "91234567", "", "11位"},
	})
}

func TestCheckPhoneForDocument(t *testing.T) {
	for _, c := range []struct {
		t    IDType
		e164 string
		ok   bool
	}{
		{ResidentID, "+8613800138000", true},
		{ResidentID, "+85291234567", false},
		{ResidentID, "+85366123456", false},
		{ResidentID, "+886912345678", false},
		{HKMacauPermit, "+8613800138000", true},
		{HKMacauPermit, "+85291234567", true},
		{HKMacauPermit, "+886912345678", true},
		{TaiwanPermit, "+886912345678", true},
		{TaiwanPermit, "+85366123456", true},
		{HMTResidencePermit, "+85291234567", true},
		{HMTResidencePermit, "+8613800138000", true},
	} {
		err := CheckPhoneForDocument(c.t, c.e164)
		if c.ok != (err == nil) {
			t.Errorf("%s with %s: %v", c.t, c.e164, err)
		}
		if err != nil && !strings.Contains(err.Error(), "居民身份证") {
			t.Errorf("the refusal does not say why: %v", err)
		}
	}
}

func TestMasks(t *testing.T) {
	for e164, want := range map[string]string{
		"+8613800138000": "138****8000",
		"+85291234567":   "+852 ****4567",
		"+85366123456":   "+853 ****3456",
		"+886912345678":  "+886 *****5678",
		"":               "****",
	} {
		if got := MaskPhone(e164); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", e164, got, want)
		}
	}
	for e164, want := range map[string]string{
		"+8613800138000": "13800138000",
		"+85291234567":   "91234567",
		"+85366123456":   "66123456",
		"+886912345678":  "912345678",
	} {
		if got := NationalNumber(e164); got != want {
			t.Errorf("NationalNumber(%q) = %q, want %q", e164, got, want)
		}
	}
	if got := MaskEmail("123456789@qq.com"); got != "12****@qq.com" {
		t.Fatalf("MaskEmail = %s", got)
	}
	if got := MaskEmail("ab@example.com"); got != "a****@example.com" {
		t.Fatalf("MaskEmail = %s", got)
	}
}

func TestLookupEthnicity(t *testing.T) {
	if len(Ethnicities) != 58 {
		t.Fatalf("%d ethnicities, want 56 groups + 2", len(Ethnicities))
	}
	seen := map[string]bool{}
	for _, e := range Ethnicities {
		if seen[e.Code] || seen[e.Name] {
			t.Fatalf("duplicate %v", e)
		}
		seen[e.Code], seen[e.Name] = true, true
	}
	runNorm(t, func(s string) (string, error) {
		e, err := LookupEthnicity(s)
		return e.Code + e.Name, err
	}, []normCase{
		{"by name", "汉族", "01汉族", ""},
		{"by code", "01", "01汉族", ""},
		{"other", "其他", "97其他", ""},
		{"foreign origin", "98", "98外国血统中国籍人士", ""},
		{"without 族", "汉", "", "GB/T 3304"},
		{"code 57", "57", "", "GB/T 3304"},
		{"empty", "", "", "请选择民族"},
	})
}

func TestNormalizeLocalCard(t *testing.T) {
	cases := []struct {
		name    string
		region  Region
		in      string
		want    string
		wantErr string
	}{
		{"hk with parens", RegionHongKong, "A123456(3)", "A1234563", ""},
		{"hk without parens", RegionHongKong, "a1234563", "A1234563", ""},
		{"hk two letters", RegionHongKong, "AB987654(" + hongKongCheck("AB", "987654") + ")", "AB987654" + hongKongCheck("AB", "987654"), ""},
		{"hk check A", RegionHongKong, "G123456(A)", "G123456A", ""},
		{"hk wrong check", RegionHongKong, "A123456(4)", "", "校验码不正确"},
		{"hk three letters", RegionHongKong, "ABC123456(7)", "", "1至2个英文字母"},
		{"hk five digits", RegionHongKong, "A12345(6)", "", "1至2个英文字母"},
		{"hk bad parens", RegionHongKong, "A123456(33)", "", "1至2个英文字母"},
		{"macau with parens", RegionMacau, "1234567(8)", "12345678", ""},
		{"macau without parens", RegionMacau, "52345678", "52345678", ""},
		{"macau first digit 2", RegionMacau, "2234567(8)", "", "首位为1、5或7"},
		{"macau short", RegionMacau, "123456(7)", "", "首位为1、5或7"},
		{"taiwan ok", RegionTaiwan, "A123456789", "A123456789", ""},
		{"taiwan lower-case", RegionTaiwan, "a123456789", "A123456789", ""},
		{"taiwan wrong check", RegionTaiwan, "A123456788", "", "校验码不正确"},
		{"taiwan gender digit 3", RegionTaiwan, "A323456789", "", "第二位为1或2"},
		{"taiwan short", RegionTaiwan, "A12345678", "", "第二位为1或2"},
		{"no region", RegionNone, "A123456789", "", "无需填写"},
		{"full-width", RegionTaiwan, "Ａ123456789", "", "半角"},
		{"empty", RegionTaiwan, "", "", "请输入"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeLocalCard(c.region, c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %q, %v; want error %q", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
