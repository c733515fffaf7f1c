package reviewer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/reviewer"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func TestCreate(t *testing.T) {
	env := storetest.New(t)
	ctx := context.Background()
	if err := reviewer.Create(ctx, env.Store, " Li.Reviewer ", "李审核", "Reviewer#2026", testkit.OTPSecret, now); err != nil {
		t.Fatal(err)
	}
	a, err := env.Store.GetAccount(ctx, "LI.REVIEWER")
	if err != nil || a.Role != account.RoleReviewer || a.Name != "李审核" || a.AccountID == "" {
		t.Fatalf("account %+v, %v", a, err)
	}
	if ok, _ := password.Verify("Reviewer#2026", a.PasswordHash); !ok {
		t.Fatal("password does not verify")
	}
	if err := reviewer.Create(ctx, env.Store, "li.reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, now); !errors.Is(err, reviewer.ErrExists) {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestCreateRefuses(t *testing.T) {
	env := storetest.New(t)
	for _, c := range []struct{ login, name, pw, secret, want string }{
		{"ab", "李审核", "Reviewer#2026", testkit.OTPSecret, "login"},
		{"1reviewer", "李审核", "Reviewer#2026", testkit.OTPSecret, "login"},
		{"h12345678", "李审核", "Reviewer#2026", testkit.OTPSecret, "login"},    // an HK/Macau permit number
		{"reviewer one", "李审核", "Reviewer#2026", testkit.OTPSecret, "login"}, // a space
		{"reviewer", "", "Reviewer#2026", testkit.OTPSecret, "name"},
		{"reviewer", "李审核", "reviewer2026", testkit.OTPSecret, "password"},
		{"reviewer", "李审核", "Reviewer#2026", "JBSWY3DP", "the second factor"}, // 40 bits
		{"reviewer", "李审核", "Reviewer#2026", "not base32!", "the second factor"},
	} {
		err := reviewer.Create(context.Background(), env.Store, c.login, c.name, c.pw, c.secret, now)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}
