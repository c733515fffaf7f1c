package localserver_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/infra/localserver"
)

// builtPages is a web/dist in miniature: the two apps' pages and one hashed asset.
func builtPages(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":           "<!doctype html><title>applicant</title>",
		"reviewer/index.html":  "<!doctype html><title>reviewer</title>",
		"assets/app-1a2b3c.js": "console.log(1)",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "secret.txt"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPagesServeTheAppsBesideTheAPI(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-From", "api")
		w.WriteHeader(http.StatusTeapot)
	})
	h, err := localserver.Pages(builtPages(t), api)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	cases := []struct {
		method, path string
		status       int
		body, from   string
	}{
		{"GET", "/", 200, "applicant", ""},
		{"GET", "/reset-password?token=abc", 200, "applicant", ""},
		{"GET", "/account/phone", 200, "applicant", ""},
		{"GET", "/reviewer/", 200, "reviewer", ""},
		{"GET", "/reviewer", 200, "reviewer", ""},
		{"GET", "/reviewer/reviews/r1", 200, "reviewer", ""},
		{"GET", "/assets/app-1a2b3c.js", 200, "console.log(1)", ""},
		{"GET", "/assets/missing.js", 404, "", ""},
		{"GET", "/../secret.txt", 404, "", ""},
		{"GET", "/%2e%2e/secret.txt", 404, "", ""},
		{"GET", "/v1/me", 418, "", "api"},
		{"GET", "/v1/unknown", 418, "", "api"},
		{"GET", "/local/outbox", 418, "", "api"},
		{"POST", "/", 418, "", "api"},
		{"POST", "/reset-password", 418, "", "api"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || !strings.Contains(string(body), c.body) || res.Header.Get("X-From") != c.from {
			t.Errorf("%s %s: %d %q from %q, want %d %q from %q", c.method, c.path, res.StatusCode, body, res.Header.Get("X-From"), c.status, c.body, c.from)
		}
		if c.from == "" && c.status == 200 {
			for k, v := range localserver.PageHeaders {
				if res.Header.Get(k) != v {
					t.Errorf("%s: %s = %q, want %q", c.path, k, res.Header.Get(k), v)
				}
			}
			html := strings.HasSuffix(c.body, "applicant") || strings.HasSuffix(c.body, "reviewer")
			if cache := res.Header.Get("Cache-Control"); html && cache != "no-cache" || !html && !strings.Contains(cache, "immutable") {
				t.Errorf("%s: Cache-Control %q", c.path, cache)
			}
		}
	}
}

func TestPagesRefuseADirectoryWithoutTheApps(t *testing.T) {
	if _, err := localserver.Pages(t.TempDir(), http.NotFoundHandler()); err == nil || !strings.Contains(err.Error(), "index.html") {
		t.Fatalf("err = %v, want one naming the missing index.html", err)
	}
}

func TestTheScriptPolicyForbidsInlineScripts(t *testing.T) {
	csp := localserver.PageHeaders["Content-Security-Policy"]
	for _, want := range []string{"script-src 'self';", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(strings.Split(strings.SplitAfter(csp, "script-src")[1], ";")[0], "unsafe") {
		t.Errorf("CSP %q lets inline scripts run", csp)
	}
}

// The distribution sends the pages with the headers make run sends them with.
func TestTheDistributionSendsTheLocalPageHeaders(t *testing.T) {
	var tpl struct {
		Resources struct {
			SecurityHeaders struct {
				Properties struct {
					ResponseHeadersPolicyConfig struct {
						SecurityHeadersConfig struct {
							ContentSecurityPolicy struct {
								CSP string `yaml:"ContentSecurityPolicy"`
							} `yaml:"ContentSecurityPolicy"`
							StrictTransportSecurity struct {
								MaxAge            int  `yaml:"AccessControlMaxAgeSec"`
								IncludeSubdomains bool `yaml:"IncludeSubdomains"`
							} `yaml:"StrictTransportSecurity"`
							FrameOptions struct {
								Option string `yaml:"FrameOption"`
							} `yaml:"FrameOptions"`
							ReferrerPolicy struct {
								Policy string `yaml:"ReferrerPolicy"`
							} `yaml:"ReferrerPolicy"`
						} `yaml:"SecurityHeadersConfig"`
						CustomHeadersConfig struct {
							Items []struct {
								Header string `yaml:"Header"`
								Value  string `yaml:"Value"`
							} `yaml:"Items"`
						} `yaml:"CustomHeadersConfig"`
					} `yaml:"ResponseHeadersPolicyConfig"`
				} `yaml:"Properties"`
			} `yaml:"SecurityHeaders"`
		} `yaml:"Resources"`
	}
	readTemplate(t, &tpl)
	cfg := tpl.Resources.SecurityHeaders.Properties.ResponseHeadersPolicyConfig
	sec := cfg.SecurityHeadersConfig
	got := map[string]string{
		"Content-Security-Policy":   sec.ContentSecurityPolicy.CSP,
		"Strict-Transport-Security": fmt.Sprintf("max-age=%d; includeSubDomains", sec.StrictTransportSecurity.MaxAge),
		"X-Content-Type-Options":    "nosniff", // ContentTypeOptions has no value but on/off
		"X-Frame-Options":           sec.FrameOptions.Option,
		"Referrer-Policy":           sec.ReferrerPolicy.Policy,
	}
	if !sec.StrictTransportSecurity.IncludeSubdomains {
		got["Strict-Transport-Security"] += " (without subdomains)"
	}
	for _, h := range cfg.CustomHeadersConfig.Items {
		got[h.Header] = h.Value
	}
	for k, want := range localserver.PageHeaders {
		if got[k] != want {
			t.Errorf("%s: template.yaml %q, make run %q", k, got[k], want)
		}
	}
}
