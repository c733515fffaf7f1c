package localserver_test

import (
	"strings"
	"testing"

	"github.com/jszg/applicant-accounts/shared/testkit"
)

// One message for every failed login (SPEC §1), and it tells what the seed's note 2 tells:
// accounts of the exam site (中小学教师资格考试网) do not work here, and a first-time user
// registers first.
func TestEveryFailedLoginTellsOfTheExamSiteAndRegistration(t *testing.T) {
	srv := start(t, nil)
	doc := register(t, srv.URL)
	var messages []string
	for what, account := range map[string]string{
		"a wrong password":                   doc,
		"an unregistered document number":    testkit.ResidentID("19850101"),
		"an exam-site login, not a document": "zhangsan2019",
	} {
		st, m := do(t, "POST", srv.URL+"/v1/sessions", map[string]any{"account": account, "password": "Wrong#2026ok", "captcha": solved(t, srv.URL)})
		e, _ := m["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if st != 401 || e["code"] != "LOGIN_FAILED" {
			t.Fatalf("%s: %d %v", what, st, m)
		}
		if !strings.Contains(msg, "中小学教师资格考试网") || !strings.Contains(msg, "不能在本网站登录") || !strings.Contains(msg, "请先注册") {
			t.Errorf("%s: %q does not say exam-site accounts do not work here and to register first", what, msg)
		}
		messages = append(messages, msg)
	}
	for _, msg := range messages[1:] {
		if msg != messages[0] {
			t.Fatalf("the failures are told apart: %q, %q", messages[0], msg)
		}
	}
}
