// Package sitetext holds what the site serves as written, compiled in from files beside this
// one: the user agreement (GET /v1/agreement), whose version is the one every registration
// records, and the real-name verification instructions with the link to the CTID guide
// (GET /v1/verification-guide). It is its own package so that those functions link no store
// or AWS client, like shared/ethnicities.
package sitetext

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/jszg/applicant-accounts/shared/api"
)

// agreementFile is the agreement: comment lines (#), then `version:` and `title:`, a blank
// line, and the text. Operators replace the text with the official one (see the file).
//
//go:embed agreement.txt
var agreementFile string

//go:embed verification.txt
var verificationInstructions string

// Agreement is a version of the user agreement.
type Agreement struct {
	Version string `json:"version"`
	Title   string `json:"title"`
	Text    string `json:"text"`
}

// ParseAgreement reads a file in the shape of agreement.txt.
func ParseAgreement(file string) (Agreement, error) {
	var a Agreement
	sc := bufio.NewScanner(strings.NewReader(file))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case line == "":
			var text strings.Builder
			for sc.Scan() {
				text.WriteString(sc.Text())
				text.WriteByte('\n')
			}
			a.Text = strings.TrimSpace(text.String())
		case strings.HasPrefix(line, "version:"):
			a.Version = strings.TrimSpace(strings.TrimPrefix(line, "version:"))
		case strings.HasPrefix(line, "title:"):
			a.Title = strings.TrimSpace(strings.TrimPrefix(line, "title:"))
		default:
			return Agreement{}, fmt.Errorf("agreement: %q comes before the blank line that starts the text, where only the version and the title go", line)
		}
	}
	if a.Version == "" || a.Title == "" || a.Text == "" {
		return Agreement{}, fmt.Errorf("agreement: the file needs version:, title: and, after a blank line, the text")
	}
	return a, nil
}

// CurrentAgreement is the agreement compiled in: the one GET /v1/agreement shows and every
// registration accepts. A malformed file stops the function at its start, and the tests
// before that.
var CurrentAgreement = sync.OnceValue(func() Agreement {
	a, err := ParseAgreement(agreementFile)
	if err != nil {
		panic(err)
	}
	return a
})

// AgreementVersion is the version of CurrentAgreement, which registrations record.
func AgreementVersion() string { return CurrentAgreement().Version }

// HandleAgreement answers GET /v1/agreement. No I/O.
func HandleAgreement(_ context.Context, r *api.Request) (*api.Response, error) {
	if err := r.NoBody(); err != nil {
		return nil, err
	}
	return api.JSON(http.StatusOK, CurrentAgreement()).SharedFor(api.TextsKeptFor), nil
}

// GuideTitle is the CTID guide the seed links to (a blue link beside the verification form,
// and on the page a failed verification shows).
const GuideTitle = "居民身份证网上功能凭证开通指南"

// DefaultGuideURL is where the guide is when the deployment says nothing else: template.yaml's
// CtidGuideUrl default and make run's CTID_GUIDE_URL default are this value.
const DefaultGuideURL = "https://www.jszg.edu.cn/ctid-guide"

// CheckGuideURL accepts an absolute https URL, which is what an applicant's browser is sent to.
func CheckGuideURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return fmt.Errorf("the CTID guide's address %q is not an https URL", s)
	}
	return nil
}

// MustGuideURL is the CTID_GUIDE_URL setting of a function: a wrong one stops it at start,
// not on an applicant's page.
func MustGuideURL(s string) string {
	if err := CheckGuideURL(s); err != nil {
		panic(err)
	}
	return s
}

// VerificationGuide is what an applicant reads before the first verification.
type VerificationGuide struct {
	Instructions string `json:"instructions"`
	GuideTitle   string `json:"guideTitle"`
	GuideURL     string `json:"guideUrl"`
}

// NewVerificationGuide answers GET /v1/verification-guide: the instructions beside the
// verification form and the link to the CTID guide at guideURL. No I/O.
func NewVerificationGuide(guideURL string) api.HandlerFunc {
	guide := VerificationGuide{Instructions: strings.TrimSpace(verificationInstructions), GuideTitle: GuideTitle, GuideURL: guideURL}
	return func(_ context.Context, r *api.Request) (*api.Response, error) {
		if err := r.NoBody(); err != nil {
			return nil, err
		}
		return api.JSON(http.StatusOK, guide).SharedFor(api.TextsKeptFor), nil
	}
}
