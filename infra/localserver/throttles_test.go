package localserver_test

import (
	"testing"
)

type throttle struct {
	ThrottlingBurstLimit int `yaml:"ThrottlingBurstLimit"`
	ThrottlingRateLimit  int `yaml:"ThrottlingRateLimit"`
}

// The routes that spend sliders, SMS, mail or password guesses are where a flood costs money
// or walks through a limit; API Gateway refuses a flood past their own ceilings before any
// function runs. A route renamed in one place and not the other would silently lose it.
func TestThePumpedRoutesHaveTheirOwnThrottles(t *testing.T) {
	var tpl struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				DefaultRouteSettings throttle            `yaml:"DefaultRouteSettings"`
				RouteSettings        map[string]throttle `yaml:"RouteSettings"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	readTemplate(t, &tpl)
	api := tpl.Resources["Api"]
	if api.Type != "AWS::Serverless::HttpApi" {
		t.Fatalf("no HttpApi named Api in template.yaml")
	}
	routes := map[string]bool{}
	for _, fn := range functions(t) {
		for _, r := range fn.Routes {
			routes[r.Key()] = true
		}
	}
	for key := range api.Properties.RouteSettings {
		if !routes[key] {
			t.Errorf("RouteSettings names %q, which no function serves", key)
		}
	}
	def := api.Properties.DefaultRouteSettings
	if def.ThrottlingRateLimit == 0 || def.ThrottlingBurstLimit == 0 {
		t.Errorf("no default throttle: %+v", def)
	}
	for _, key := range []string{
		"POST /v1/captchas", "POST /v1/sms-codes", "POST /v1/sessions", "POST /v1/accounts",
		"POST /v1/password-resets", "POST /v1/password-resets/{resetId}/email",
		"POST /v1/password-resets/{resetId}/sms",
	} {
		got, ok := api.Properties.RouteSettings[key]
		switch {
		case !ok:
			t.Errorf("%s has no throttle of its own", key)
		case got.ThrottlingRateLimit <= 0 || got.ThrottlingRateLimit >= def.ThrottlingRateLimit,
			got.ThrottlingBurstLimit <= 0 || got.ThrottlingBurstLimit >= def.ThrottlingBurstLimit:
			t.Errorf("%s: %+v, want below the default %+v", key, got, def)
		}
	}
}
