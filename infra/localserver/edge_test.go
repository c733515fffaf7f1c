package localserver_test

import (
	"encoding/json"
	"fmt"
	"io"
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
// answer no longer than api.TextsKeptFor; every other GET route's answer says no-store. A
// route that starts sharing without its behaviour would still be asked every time, and a
// behaviour without the route's header would keep nothing (DefaultTTL 0).
func TestTheEdgeKeepsOnlyTheTextsThatChangeWithADeploy(t *testing.T) {
	type behaviour struct {
		PathPattern             string    `yaml:"PathPattern"`
		TargetOriginID          string    `yaml:"TargetOriginId"`
		ViewerProtocolPolicy    string    `yaml:"ViewerProtocolPolicy"`
		AllowedMethods          []string  `yaml:"AllowedMethods"`
		Compress                bool      `yaml:"Compress"`
		CachePolicyID           yaml.Node `yaml:"CachePolicyId"`
		OriginRequestPolicyID   yaml.Node `yaml:"OriginRequestPolicyId"`
		ResponseHeadersPolicyID yaml.Node `yaml:"ResponseHeadersPolicyId"`
	}
	var tpl struct {
		Resources struct {
			Site struct {
				Properties struct {
					DistributionConfig struct {
						CacheBehaviors       []behaviour `yaml:"CacheBehaviors"`
						CustomErrorResponses []struct {
							ErrorCode          int  `yaml:"ErrorCode"`
							ErrorCachingMinTTL *int `yaml:"ErrorCachingMinTTL"`
						} `yaml:"CustomErrorResponses"`
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
	if policy.MinTTL != 0 || policy.DefaultTTL != 0 || policy.MaxTTL != int(api.TextsKeptFor/time.Second) ||
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
		// Nothing of the viewer's goes to the function either (no origin request policy): the
		// answer cannot depend on it.
		if b.TargetOriginID != "api" || !b.Compress || strings.Join(b.AllowedMethods, ",") != "GET,HEAD" ||
			b.ViewerProtocolPolicy != "https-only" || !b.OriginRequestPolicyID.IsZero() ||
			b.ResponseHeadersPolicyID.Tag != "!Ref" || b.ResponseHeadersPolicyID.Value != "SecurityHeaders" {
			t.Errorf("%s: %+v", b.PathPattern, b)
		}
		kept[b.PathPattern] = true
	}
	// CloudFront keeps these 5xx for 10 s by default whatever they say: one failure would be
	// every viewer's answer at an edge.
	unkept := map[int]bool{}
	for _, e := range tpl.Resources.Site.Properties.DistributionConfig.CustomErrorResponses {
		if e.ErrorCachingMinTTL != nil && *e.ErrorCachingMinTTL == 0 {
			unkept[e.ErrorCode] = true
		}
	}
	for _, code := range []int{500, 502, 503, 504} {
		if !unkept[code] {
			t.Errorf("CloudFront keeps a %d for its error-caching minimum", code)
		}
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
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			switch cc := resp.Header.Get("Cache-Control"); {
			case cc == fmt.Sprintf("public, max-age=0, s-maxage=%d", int(api.TextsKeptFor/time.Second)) && resp.StatusCode == 200:
				if !json.Valid(body) || len(body) < 50 {
					t.Errorf("GET %s is kept at the edge with the body %q", rt.Path, body)
				}
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
