package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
)

func TestPrintsTheAuditTrail(t *testing.T) {
	env := storetest.New(t)
	env.OperatorEnv(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, clock.CST)
	for i, who := range []string{"rev-a", "rev-b"} {
		if err := env.Store.RecordPhotoRead(context.Background(), "r1", who, at.Add(time.Duration(i)*time.Minute), false); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	if err := run(&out, "r1"); err != nil {
		t.Fatal(err)
	}
	want := "2026-11-27T10:00:00+08:00\trev-a\n2026-11-27T10:01:00+08:00\trev-b\n2 reads\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
	if err := run(&out, ""); err == nil {
		t.Fatal("no review id accepted")
	}
}
