package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jszg/applicant-accounts/shared/api"
)

// echoSource answers the caller's address as the per-address limits count it, and whether
// the distribution's secret header reached the handler.
func echoSource(_ context.Context, r *api.Request) (*api.Response, error) {
	return api.JSON(http.StatusOK, map[string]any{"source": r.Source(), "secretSeen": r.Header("X-Origin-Verify") != ""}), nil
}

func call(t *testing.T, headers map[string]string) (int, map[string]any) {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{RouteKey: "GET /v1/echo", Headers: headers}
	ev.RequestContext.HTTP.SourceIP = "130.176.1.1" // a CloudFront edge server
	resp, err := api.Lambda(echoSource)(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.Unmarshal([]byte(resp.Body), &body)
	return resp.StatusCode, body
}

func TestBehindTheDistributionTheViewerIsTheSource(t *testing.T) {
	t.Setenv(api.OriginSecretEnv, "s3cret-from-the-distribution")
	cases := []struct {
		viewer, want string
	}{
		{"198.51.100.10:46532", "198.51.100.10"},
		{"2001:db8:85a3::8a2e:370:7334:46532", "2001:db8:85a3::/64"},
		{"[2001:db8::1]:443", "2001:db8::/64"},
		{"not an address", "130.176.1.1"},
		{"", "130.176.1.1"},
	}
	for _, c := range cases {
		status, body := call(t, map[string]string{"x-origin-verify": "s3cret-from-the-distribution", "cloudfront-viewer-address": c.viewer})
		if status != http.StatusOK || body["source"] != c.want || body["secretSeen"] != false {
			t.Errorf("viewer %q: %d %v, want 200 source %s and the secret hidden from the handler", c.viewer, status, body, c.want)
		}
	}
}

func TestACallAroundTheDistributionIsRefused(t *testing.T) {
	t.Setenv(api.OriginSecretEnv, "s3cret-from-the-distribution")
	for name, headers := range map[string]map[string]string{
		"no secret":    {"cloudfront-viewer-address": "198.51.100.10:1"},
		"wrong secret": {"x-origin-verify": "guess", "cloudfront-viewer-address": "198.51.100.10:1"},
		"prefix":       {"x-origin-verify": "s3cret"},
	} {
		status, body := call(t, headers)
		errBody, _ := body["error"].(map[string]any)
		if status != http.StatusForbidden || errBody["code"] != "FORBIDDEN" {
			t.Errorf("%s: %d %v, want 403 FORBIDDEN", name, status, body)
		}
	}
}

func TestWithoutTheDistributionAForgedViewerAddressIsIgnored(t *testing.T) {
	t.Setenv(api.OriginSecretEnv, "")
	status, body := call(t, map[string]string{"cloudfront-viewer-address": "198.51.100.10:1"})
	if status != http.StatusOK || body["source"] != "130.176.1.1" {
		t.Fatalf("%d %v, want the event's own sourceIp", status, body)
	}
}
