package correction_test

import (
	"testing"

	"github.com/jszg/applicant-accounts/shared/testkit"
)

// A filing is two round trips: the slider's spending, the code's try, the photo's count and
// the reads of the account, the cycle's count and the upload's hash sent together; then the
// transaction.
func TestAFilingIsTwoRoundTrips(t *testing.T) {
	for _, kind := range []string{"contact", "ownership"} {
		t.Run(kind, func(t *testing.T) {
			w := newWorld(t)
			a := w.Applicant("张三")
			body := w.form(t, kind, a, "张三", testkit.Phone(), "87654321@qq.com")
			w.Env.Calls.Reset()
			if res := w.file(t, body); res.Status != 202 {
				t.Fatalf("file: %d %v", res.Status, res.Body)
			}
			if got := w.Env.Calls.String(); got != "BatchGetItem=1 GetItem=1 PutItem=1 TransactWriteItems=1 UpdateItem=2" || w.Env.Calls.Trips() != 2 {
				t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
			}
			if got, want := w.counted(t, body, a.Login), (counted{tries: 1, photos: 1, cycle: 1, slider: true}); got != want {
				t.Fatalf("counted %+v, want %+v", got, want)
			}
		})
	}
}
