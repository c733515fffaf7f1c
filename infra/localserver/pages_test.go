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

	"gopkg.in/yaml.v3"

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
		if c.from != "" || c.status == 200 { // the API's answers too, as the distribution adds them
			for k, v := range localserver.PageHeaders {
				if res.Header.Get(k) != v {
					t.Errorf("%s: %s = %q, want %q", c.path, k, res.Header.Get(k), v)
				}
			}
		}
		if c.from == "" && c.status == 200 {
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

// The distribution serves Vite's hashed files (assets/, where Pages marks them immutable) by a
// behaviour of their own: from the bucket, compressed, cached, with the pages' headers and
// without PageRoutes, which stays on the default behaviour for the pages' addresses. The API's
// answers are compressed too, and never cached.
func TestTheDistributionServesTheAssetsWithoutTheFunction(t *testing.T) {
	type behaviour struct {
		PathPattern             string    `yaml:"PathPattern"`
		TargetOriginID          string    `yaml:"TargetOriginId"`
		Compress                bool      `yaml:"Compress"`
		AllowedMethods          []string  `yaml:"AllowedMethods"`
		CachePolicyID           yaml.Node `yaml:"CachePolicyId"`
		ResponseHeadersPolicyID yaml.Node `yaml:"ResponseHeadersPolicyId"`
		FunctionAssociations    []struct {
			EventType   string    `yaml:"EventType"`
			FunctionARN yaml.Node `yaml:"FunctionARN"`
		} `yaml:"FunctionAssociations"`
	}
	var tpl struct {
		Resources struct {
			Site struct {
				Properties struct {
					DistributionConfig struct {
						DefaultCacheBehavior behaviour   `yaml:"DefaultCacheBehavior"`
						CacheBehaviors       []behaviour `yaml:"CacheBehaviors"`
					} `yaml:"DistributionConfig"`
				} `yaml:"Properties"`
			} `yaml:"Site"`
			ApiCachePolicy struct {
				Properties struct {
					CachePolicyConfig struct {
						DefaultTTL int `yaml:"DefaultTTL"`
						MaxTTL     int `yaml:"MaxTTL"`
						Parameters struct {
							Gzip   bool `yaml:"EnableAcceptEncodingGzip"`
							Brotli bool `yaml:"EnableAcceptEncodingBrotli"`
						} `yaml:"ParametersInCacheKeyAndForwardedToOrigin"`
					} `yaml:"CachePolicyConfig"`
				} `yaml:"Properties"`
			} `yaml:"ApiCachePolicy"`
		} `yaml:"Resources"`
	}
	readTemplate(t, &tpl)
	const cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	dist := tpl.Resources.Site.Properties.DistributionConfig
	def := dist.DefaultCacheBehavior
	if len(def.FunctionAssociations) != 1 || def.FunctionAssociations[0].EventType != "viewer-request" ||
		!strings.HasPrefix(def.FunctionAssociations[0].FunctionARN.Value, "PageRoutes.") {
		t.Errorf("the default behaviour should run PageRoutes: %+v", def.FunctionAssociations)
	}
	var assets *behaviour
	for i, b := range dist.CacheBehaviors {
		if b.PathPattern == "/assets/*" {
			assets = &dist.CacheBehaviors[i]
		}
	}
	if assets == nil {
		t.Fatal("no /assets/* behaviour: every asset would run PageRoutes")
	}
	if assets.TargetOriginID != def.TargetOriginID || !assets.Compress || strings.Join(assets.AllowedMethods, ",") != "GET,HEAD" ||
		assets.CachePolicyID.Value != cachingOptimized ||
		assets.ResponseHeadersPolicyID.Tag != "!Ref" || assets.ResponseHeadersPolicyID.Value != "SecurityHeaders" {
		t.Errorf("/assets/*: %+v", assets)
	}
	if len(assets.FunctionAssociations) != 0 {
		t.Errorf("/assets/* runs a function: %+v", assets.FunctionAssociations)
	}
	api := tpl.Resources.ApiCachePolicy.Properties.CachePolicyConfig
	if !api.Parameters.Gzip || !api.Parameters.Brotli || api.DefaultTTL != 0 || api.MaxTTL > 1 {
		t.Errorf("ApiCachePolicy: %+v, want gzip and Brotli on, nothing kept", api)
	}
	// Vite writes every hashed file under assets/ (web/vite.config.ts keeps its default
	// assetsDir), which is what this behaviour and Pages' immutable cache match.
	raw, err := os.ReadFile(filepath.Join(root, "web", "vite.config.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "assetsDir") {
		t.Error("web/vite.config.ts sets assetsDir: match it in template.yaml's behaviour and in Pages")
	}
}
