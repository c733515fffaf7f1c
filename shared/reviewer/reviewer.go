// Package reviewer creates reviewers' accounts. They are never made through POST /v1/accounts:
// an operator runs infra/create-reviewer, and `make run` seeds the local one of SPEC §4.
package reviewer

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/token"
)

// Creator is where accounts go.
type Creator interface {
	CreateAccount(ctx context.Context, a account.Account) error
}

// Enroller gives reviewers new credentials.
type Enroller interface {
	ReenrollReviewer(ctx context.Context, login, passwordHash, otpSecret, day string) error
}

// loginPattern keeps reviewer logins apart from document numbers, which share the key space:
// every document number starts with a digit or H/M followed by digits.
var loginPattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

// ErrExists is a reviewer login already taken.
var ErrExists = errors.New("reviewer: login already exists")

// Create makes a reviewer account with its second factor, the base32 TOTP secret otpSecret
// (NewOTPSecret makes one). The login is matched case-insensitively at sign-in, like
// document numbers, so it is stored upper-case.
func Create(ctx context.Context, db Creator, login, name, pw, otpSecret string, now time.Time) error {
	login = strings.ToLower(strings.TrimSpace(login))
	if !loginPattern.MatchString(login) || identity.IsDocumentNumber(login, now) {
		return fmt.Errorf("login %q: 3 to 32 of a-z 0-9 . _ -, starting with a letter, and not a document number", login)
	}
	name, err := identity.NormalizeName(name)
	if err != nil {
		return fmt.Errorf("name: %w", err)
	}
	hash, err := credentials(pw, otpSecret)
	if err != nil {
		return err
	}
	err = db.CreateAccount(ctx, account.Account{
		Login:        strings.ToUpper(login),
		AccountID:    token.New(16),
		Role:         account.RoleReviewer,
		Name:         name,
		PasswordHash: hash,
		TOTPSecret:   otpSecret,
		CreatedAt:    now.UTC().Format(time.RFC3339),
	})
	if errors.Is(err, account.ErrExists) {
		return ErrExists
	}
	return err
}

// Enroll gives an existing reviewer a new password pw and a new second factor, the base32
// TOTP secret otpSecret: for a lost phone, or a password someone else knows. The old ones
// stop working at once, every session of the reviewer ends, and the day's count of wrong
// codes starts again, so the reviewer can log in today.
func Enroll(ctx context.Context, db Enroller, login, pw, otpSecret string, now time.Time) error {
	hash, err := credentials(pw, otpSecret)
	if err != nil {
		return err
	}
	return db.ReenrollReviewer(ctx, strings.ToUpper(strings.TrimSpace(login)), hash, otpSecret, clock.Day(now))
}

// credentials checks a reviewer's password and second factor and returns the password's hash.
func credentials(pw, otpSecret string) (string, error) {
	if err := identity.CheckPassword(pw); err != nil {
		return "", fmt.Errorf("password: %w", err)
	}
	if err := checkOTPSecret(otpSecret); err != nil {
		return "", err
	}
	return password.Hash(pw)
}

// minOTPSecret is the shortest secret taken: 80 bits, RFC 4226's floor (SPEC §4's local one
// is that long); NewOTPSecret makes 160, its recommendation.
const minOTPSecret = 10

var otpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func checkOTPSecret(secret string) error {
	b, err := otpEncoding.DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil || len(b) < minOTPSecret {
		return errors.New("the second factor's secret must be base32 of 10 bytes or more")
	}
	return nil
}

// NewOTPSecret is a new second-factor secret: 160 random bits, base32.
func NewOTPSecret() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return otpEncoding.EncodeToString(b)
}

// OTPURI is the otpauth:// address an authenticator app takes (as text or as a QR code) to
// enroll secret for login.
func OTPURI(login, secret string) string {
	label := url.PathEscape(issuer + ":" + strings.ToLower(login))
	return "otpauth://totp/" + label + "?" + url.Values{
		"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"},
	}.Encode()
}

const issuer = "中国教师资格网审核"
