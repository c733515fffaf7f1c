package main

import (
	"context"
	"os"
	"testing"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
)

// The operator command reads the password from standard input, never from its arguments.
func TestCreatesAReviewerWithThePasswordFromStdin(t *testing.T) {
	env := localAWS(t)
	stdin(t, "Reviewer#2026\n")

	if err := run("wang.reviewer", "王审核", false); err != nil {
		t.Fatal(err)
	}
	a, err := env.Store.GetAccount(context.Background(), "WANG.REVIEWER")
	if err != nil || a.Role != account.RoleReviewer {
		t.Fatalf("account %+v, %v", a, err)
	}
	if ok, _ := password.Verify("Reviewer#2026", a.PasswordHash); !ok {
		t.Fatal("the password from stdin does not verify")
	}
	if len(a.TOTPSecret) < 32 {
		t.Fatalf("second factor %q: want 160 bits of base32", a.TOTPSecret)
	}
	// A lost phone or a known password: -enroll gives a new password and second factor, the
	// old ones are gone and the reviewer's sessions end.
	stdin(t, "Reviewer#2027\n")
	if err := run("wang.reviewer", "", true); err != nil {
		t.Fatal(err)
	}
	b, err := env.Store.GetAccount(context.Background(), "WANG.REVIEWER")
	if err != nil || b.TOTPSecret == a.TOTPSecret || len(b.TOTPSecret) < 32 || b.Epoch != a.Epoch+1 {
		t.Fatalf("after -enroll: %v, secret changed %v, epoch %d", err, b.TOTPSecret != a.TOTPSecret, b.Epoch)
	}
	if ok, _ := password.Verify("Reviewer#2027", b.PasswordHash); !ok {
		t.Fatal("the new password does not verify")
	}
	stdin(t, "Reviewer#2027\n")
	if err := run("nobody.here", "", true); err == nil {
		t.Fatal("a second factor was enrolled for no reviewer")
	}
}

func TestRefusesAWeakPasswordAndMissingFlags(t *testing.T) {
	env := localAWS(t)
	if err := run("", "王审核", false); err == nil {
		t.Fatal("no login accepted")
	}
	stdin(t, "weak\n")
	if err := run("wang.reviewer", "王审核", false); err == nil {
		t.Fatal("a weak password was accepted")
	}
	if _, err := env.Store.GetAccount(context.Background(), "WANG.REVIEWER"); err != store.ErrNotFound {
		t.Fatalf("an account was made: %v", err)
	}
}

// localAWS points the command's AWS configuration at a loopback store only.
func localAWS(t *testing.T) *storetest.Env {
	env := storetest.New(t)
	env.OperatorEnv(t)
	return env
}

func stdin(t *testing.T, text string) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	prev := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = prev; r.Close() })
	if _, err := w.WriteString(text); err != nil {
		t.Fatal(err)
	}
	w.Close()
}
