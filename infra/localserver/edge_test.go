package localserver_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/jszg/applicant-accounts/shared/api"
)

// The edge keeps exactly the answers that say it may (api.SharedFor): each has a behaviour of
// its own, before /v1/*, whose policy keys and forwards nothing of the viewer's and keeps an
// answer no longer than api.UntilDeploy; every other GET route's answer says no-store. A
// route that starts sharing without its behaviour would still be asked every time, and a
// behaviour without the route's header would keep nothing (DefaultTTL 0).
func TestTheEdgeKeepsOnlyTheTextsThatChangeWithADeploy(t *testing.T) {
	type behaviour struct {
		PathPattern    string    `yaml:"PathPattern"`
		TargetOriginID string    `yaml:"TargetOriginId"`
		AllowedMethods []string  `yaml:"AllowedMethods"`
		Compress       bool      `yaml:"Compress"`
		CachePolicyID  yaml.Node `yaml:"CachePolicyId"`
	}
	var tpl struct {
		Resources struct {
			Site struct {
				Properties struct {
					DistributionConfig struct {
						CacheBehaviors []behaviour `yaml:"CacheBehaviors"`
					} `yaml:"DistributionConfig"`
				} `yaml:"Properties"`
			} `yaml:"Site"`
			ApiTextsCachePolicy struct {
				Properties struct {
					CachePolicyConfig struct {
						MinTTL     int `yaml:"MinTTL"`
						DefaultTTL int `yaml:"DefaultTTL"`
						MaxTTL     int `yaml:"MaxTTL"`
						Parameters struct {
							Gzip    bool `yaml:"EnableAcceptEncodingGzip"`
							Brotli  bool `yaml:"EnableAcceptEncodingBrotli"`
							Headers struct {
								Behavior string `yaml:"HeaderBehavior"`
							} `yaml:"HeadersConfig"`
							Cookies struct {
								Behavior string `yaml:"CookieBehavior"`
							} `yaml:"CookiesConfig"`
							Query struct {
								Behavior string `yaml:"QueryStringBehavior"`
							} `yaml:"QueryStringsConfig"`
						} `yaml:"ParametersInCacheKeyAndForwardedToOrigin"`
					} `yaml:"CachePolicyConfig"`
				} `yaml:"Properties"`
			} `yaml:"ApiTextsCachePolicy"`
		} `yaml:"Resources"`
	}
	readTemplate(t, &tpl)
	policy := tpl.Resources.ApiTextsCachePolicy.Properties.CachePolicyConfig
	p := policy.Parameters
	if policy.MinTTL != 0 || policy.DefaultTTL != 0 || policy.MaxTTL != int(api.UntilDeploy/time.Second) ||
		!p.Gzip || !p.Brotli || p.Headers.Behavior != "none" || p.Cookies.Behavior != "none" || p.Query.Behavior != "none" {
		t.Errorf("ApiTextsCachePolicy: %+v", policy)
	}
	kept := map[string]bool{}
	catchAll := -1
	for i, b := range tpl.Resources.Site.Properties.DistributionConfig.CacheBehaviors {
		if b.PathPattern == "/v1/*" {
			catchAll = i
		}
		if b.CachePolicyID.Value != "ApiTextsCachePolicy" {
			continue
		}
		if catchAll >= 0 {
			t.Errorf("%s comes after /v1/*, which would take its requests", b.PathPattern)
		}
		if b.TargetOriginID != "api" || !b.Compress || strings.Join(b.AllowedMethods, ",") != "GET,HEAD" {
			t.Errorf("%s: %+v", b.PathPattern, b)
		}
		kept[b.PathPattern] = true
	}
	srv := start(t, nil)
	param := regexp.MustCompile(`\{[^}]+\}`)
	var shared []string
	for _, fn := range functions(t) {
		for _, rt := range fn.Routes {
			if rt.Method != "GET" || rt.Path == "$default" {
				continue
			}
			resp, err := http.Get(srv.URL + param.ReplaceAllString(rt.Path, "x"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			switch cc := resp.Header.Get("Cache-Control"); {
			case cc == "public, max-age=0, s-maxage=86400" && resp.StatusCode == 200:
				shared = append(shared, rt.Path)
				if !kept[rt.Path] {
					t.Errorf("GET %s may be kept at the edge but has no behaviour of its own", rt.Path)
				}
			case cc != "no-store":
				t.Errorf("GET %s: %d, Cache-Control %q", rt.Path, resp.StatusCode, cc)
			case kept[rt.Path]:
				t.Errorf("GET %s has an edge behaviour but answers %q", rt.Path, cc)
			}
		}
	}
	slices.Sort(shared)
	if strings.Join(shared, " ") != "/v1/agreement /v1/ethnicities /v1/verification-guide" {
		t.Errorf("the answers kept at the edge: %v", shared)
	}
	// make deploy-texts invalidates exactly what the edge keeps.
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	invalidated := regexp.MustCompile(`--paths( /v1/[^ \n]+)+`).Find(makefile)
	paths := strings.Fields(strings.TrimPrefix(string(invalidated), "--paths"))
	slices.Sort(paths)
	if !slices.Equal(paths, shared) {
		t.Errorf("make deploy-texts invalidates %v, the edge keeps %v", paths, shared)
	}
}
