// Package reviewer creates reviewers' accounts. They are never made through POST /v1/accounts:
// an operator runs infra/create-reviewer, and `make run` seeds the local one of SPEC §4.
package reviewer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/token"
)

// Creator is where accounts go.
type Creator interface {
	CreateAccount(ctx context.Context, a account.Account) error
}

// loginPattern keeps reviewer logins apart from document numbers, which share the key space:
// every document number starts with a digit or H/M followed by digits.
var loginPattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

// ErrExists is a reviewer login already taken.
var ErrExists = errors.New("reviewer: login already exists")

// Create makes a reviewer account. The login is matched case-insensitively at sign-in, like
// document numbers, so it is stored upper-case.
func Create(ctx context.Context, db Creator, login, name, pw string, now time.Time) error {
	login = strings.ToLower(strings.TrimSpace(login))
	if !loginPattern.MatchString(login) || looksLikeDocument(login) {
		return fmt.Errorf("login %q: 3 to 32 of a-z 0-9 . _ -, starting with a letter, and not a document number", login)
	}
	name, err := identity.NormalizeName(name)
	if err != nil {
		return fmt.Errorf("name: %w", err)
	}
	if err := identity.CheckPassword(pw); err != nil {
		return fmt.Errorf("password: %w", err)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	err = db.CreateAccount(ctx, account.Account{
		Login:        strings.ToUpper(login),
		AccountID:    token.New(16),
		Role:         account.RoleReviewer,
		Name:         name,
		PasswordHash: hash,
		CreatedAt:    now.UTC().Format(time.RFC3339),
	})
	if errors.Is(err, account.ErrExists) {
		return ErrExists
	}
	return err
}

func looksLikeDocument(login string) bool {
	for _, t := range []identity.IDType{identity.HKMacauPermit, identity.TaiwanPermit} {
		if _, err := identity.NormalizeDocumentNumber(t, login, time.Now()); err == nil {
			return true
		}
	}
	return false
}
