package sitetext_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/sitetext"
)

// released pins each version of the agreement to the SHA-256 of its text: registrations
// record only the version, so a text changed under an old version would make every record of
// it say the applicant accepted words they never saw. Changing agreement.txt's text fails
// here until its version is raised and the new version's hash added.
var released = map[string]string{
	"2026.01": "a30646243c46b196fd5fd30a262095d688e001f866058e48fa4ba92bb52e1161",
}

func TestEachVersionOfTheAgreementIsPinnedToItsText(t *testing.T) {
	a := sitetext.CurrentAgreement()
	sum := sha256.Sum256([]byte(a.Text))
	got := hex.EncodeToString(sum[:])
	want, ok := released[a.Version]
	switch {
	case !ok:
		t.Fatalf("agreement version %s is not in released: add %q: %q", a.Version, a.Version, got)
	case got != want:
		t.Fatalf("the text of agreement version %s changed (SHA-256 %s): raise its version in agreement.txt and add the new one to released", a.Version, got)
	}
}

func TestTheAgreementRoute(t *testing.T) {
	res := apitest.Call(t, sitetext.HandleAgreement, apitest.Request{Method: "GET", Path: "/v1/agreement"})
	text := res.Str("text")
	if res.Status != 200 || res.Str("version") != sitetext.AgreementVersion() || res.Str("title") != "中国教师资格网用户账号注册协议" {
		t.Fatalf("%d %v", res.Status, res.Body)
	}
	for _, part := range []string{"实名注册", "个人信息保护法", "敏感个人信息", "本网站的责任"} {
		if !strings.Contains(text, part) {
			t.Errorf("the text has no %s", part)
		}
	}
	if strings.Contains(text, "#") || strings.Contains(text, "OPERATORS") || strings.Contains(text, "version:") {
		t.Errorf("the file's header is served: %.200s", text)
	}
}

func TestParseAgreement(t *testing.T) {
	a, err := sitetext.ParseAgreement("# a note\nversion: 1.0\ntitle: 协议\n\n第一条\n\n第二条\n")
	if err != nil || a.Version != "1.0" || a.Title != "协议" || a.Text != "第一条\n\n第二条" {
		t.Fatalf("%+v, %v", a, err)
	}
	for _, bad := range []string{
		"",
		"title: 协议\n\n正文",           // no version
		"version: 1.0\n\n正文",        // no title
		"version: 1.0\ntitle: 协议\n", // no text
		"version: 1.0\n第一条\n\n正文",   // the blank line forgotten
	} {
		if _, err := sitetext.ParseAgreement(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Before the first try an applicant can read what verification is and where the CTID guide
// is, at the address the deployment configures.
func TestTheVerificationGuideRoute(t *testing.T) {
	h := sitetext.NewVerificationGuide("https://guide.example.cn/ctid.pdf")
	res := apitest.Call(t, h, apitest.Request{Method: "GET", Path: "/v1/verification-guide"})
	if res.Status != 200 || res.Str("guideUrl") != "https://guide.example.cn/ctid.pdf" || res.Str("guideTitle") != sitetext.GuideTitle {
		t.Fatalf("%d %v", res.Status, res.Body)
	}
	for _, part := range []string{"每天最多可进行3次", "《居民身份证网上功能凭证开通指南》", "人工审核", "190KB", "7个工作日"} {
		if !strings.Contains(res.Str("instructions"), part) {
			t.Errorf("the instructions do not say %s", part)
		}
	}
}

func TestTheGuidesAddressIsAnHTTPSURL(t *testing.T) {
	if err := sitetext.CheckGuideURL(sitetext.DefaultGuideURL); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "http://www.jszg.edu.cn/ctid-guide", "www.jszg.edu.cn/ctid-guide", "https://", "https://user:pw@example.cn/g", "javascript:alert(1)"} {
		if sitetext.CheckGuideURL(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
