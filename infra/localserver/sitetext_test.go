package localserver_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jszg/applicant-accounts/infra/localserver"
	"github.com/jszg/applicant-accounts/shared/sitetext"
)

// The agreement's version has one source, the file beside its text: no parameter or
// variable of the template can name another, and the CTID guide's default address is the
// code's.
func TestTheTemplateTakesTheAgreementsVersionFromItsText(t *testing.T) {
	var tpl struct {
		Parameters map[string]struct {
			Default string `yaml:"Default"`
		} `yaml:"Parameters"`
	}
	readTemplate(t, &tpl)
	if _, ok := tpl.Parameters["AgreementVersion"]; ok {
		t.Error("template.yaml has an AgreementVersion parameter: the version comes with the text (shared/sitetext/agreement.txt)")
	}
	if got := tpl.Parameters["CtidGuideUrl"].Default; got != sitetext.DefaultGuideURL {
		t.Errorf("CtidGuideUrl defaults to %q, the code to %q", got, sitetext.DefaultGuideURL)
	}
	for _, fn := range functions(t) {
		if slices.Contains(fn.Env, "AGREEMENT_VERSION") {
			t.Errorf("%s is given AGREEMENT_VERSION", fn.LogicalID)
		}
		if (fn.Name() == "verify-identity" || fn.Name() == "get-verification-guide") && !slices.Contains(fn.Env, "CTID_GUIDE_URL") {
			t.Errorf("%s is not given CTID_GUIDE_URL", fn.LogicalID)
		}
	}
}

// Over HTTP: the version GET /v1/agreement shows is the one a registration records, and the
// guide's address the deployment sets is the one the instructions and a failed
// verification give.
func TestTheAgreementShownIsTheOneRecordedAndTheGuideIsTheConfiguredOne(t *testing.T) {
	const guide = "https://guide.example.cn/ctid.pdf"
	srv := start(t, nil, func(c *localserver.Config) { c.GuideURL = guide })
	st, agreement := do(t, "GET", srv.URL+"/v1/agreement", nil)
	if st != 200 || agreement["version"] != sitetext.AgreementVersion() || agreement["text"] == "" {
		t.Fatalf("agreement: %d %v", st, agreement)
	}
	doc := register(t, srv.URL)
	a, err := srv.Deps.Store.GetAccount(context.Background(), doc)
	if err != nil || a.AgreementVersion != agreement["version"] {
		t.Fatalf("recorded %q, shown %v (%v)", a.AgreementVersion, agreement["version"], err)
	}
	st, m := do(t, "GET", srv.URL+"/v1/verification-guide", nil)
	if st != 200 || m["guideUrl"] != guide || m["guideTitle"] != sitetext.GuideTitle {
		t.Fatalf("verification guide: %d %v", st, m)
	}
	if _, err := localserver.Start(context.Background(), localserver.Config{GuideURL: "http://not-https.example.cn/g"}); err == nil {
		t.Fatal("a guide address that is not https was accepted at start")
	}
}
