// Package testkit assembles, for handler tests, the real parts a function wires in AWS: the
// store over HTTP against minidyn, an outbox in place of SNS and SES, and a clock the test
// moves. Only _test files import it.
package testkit

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"image"
	"image/jpeg"
	"log/slog"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/captcha"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/token"
)

// Passwords hashed in a test binary that uses the kit cost one pass over 64 KiB instead of
// OWASP's two over 19 MiB: handler tests check what a password does, never what it costs,
// and the production cost under the race detector is a fifth of a second a hash, most of
// the suite's time. The hash keeps its parameters, so verification is the same code;
// shared/password's own tests, which do not use the kit, hold the production parameters.
func init() {
	password.Default = password.Params{MemoryKiB: 64, Time: 1, Threads: 1}
}

// Start is the instant every kit's clock starts at: a Friday morning in China.
var Start = time.Date(2026, 11, 27, 10, 0, 0, 0, clock.CST)

// Pepper keys the kit's SMS-code hashes: handlers that send or check codes are built with it.
var Pepper = []byte("testkit-sms-code-pepper")

// Kit is one isolated world: a store, a clock the test moves, an outbox standing in for SNS
// and SES, and the operators' topic. Tests build the handlers they need with the operations'
// own constructors.
type Kit struct {
	T         testing.TB
	Env       *storetest.Env
	Store     *store.Store
	Clock     *clock.Fixed
	Outbox    *notify.Outbox
	Operators *Topic
}

// SMSLimits are the deployed defaults of SMS limits, which the kit's senders have.
var SMSLimits = smscode.Limits{PerAddressHour: quota.SMSPerAddressHour, HourlyBudget: quota.SMSHourlyBudget}

// Topic keeps what is published to the operators' topic.
type Topic struct {
	mu       sync.Mutex
	messages []string
}

// Publish keeps the message.
func (t *Topic) Publish(_ context.Context, subject, message string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.messages = append(t.messages, subject+"\n"+message)
	return nil
}

// Messages is what was published, oldest first.
func (t *Topic) Messages() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.messages)
}

// New builds a kit whose parts stop with t.
func New(t testing.TB) *Kit {
	t.Helper()
	env := storetest.New(t)
	clk := clock.NewFixed(Start)
	return &Kit{T: t, Env: env, Store: env.Store, Clock: clk, Outbox: notify.NewOutbox(clk.Now), Operators: &Topic{}}
}

// SolvedX and SolvedY are where Solve puts every answer.
const (
	SolvedX = 100
	SolvedY = 60
)

// Solve makes a puzzle whose answer is SolvedX, SolvedY and returns that answer, as a client
// that dragged the piece right would send it.
func (k *Kit) Solve() *captcha.Answer {
	k.T.Helper()
	id := k.Store.SealCaptcha(store.Captcha{X: SolvedX, Y: SolvedY, Expires: k.Clock.Now().Add(captcha.TTL)})
	y := float64(SolvedY)
	return &captcha.Answer{ID: id, X: SolvedX, Y: &y}
}

var sixDigits = regexp.MustCompile(`(?:^|\D)(\d{6})(?:\D|$)`)

// LastCode is the code in the newest SMS to phone, written any way identity.NormalizePhone
// reads (11 digits, E.164, +852 9123 4567, 0912345678…).
func (k *Kit) LastCode(phone string) string {
	k.T.Helper()
	to := phone
	if e164, err := identity.NormalizePhone(phone); err == nil {
		to = e164
	}
	msgs := k.Outbox.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Channel == "sms" && m.To == to {
			if c := sixDigits.FindStringSubmatch(m.Body); c != nil {
				return c[1]
			}
		}
	}
	k.T.Fatalf("no SMS code to %s in the outbox", phone)
	return ""
}

// RaceFaults are the conditions every race test runs under: the store as it is, and DynamoDB
// cancelling the first attempt of every transaction for a conflict, as it may when requests
// race; the outcomes must be the same.
var RaceFaults = map[string]storetest.Fault{
	"no faults": storetest.NoFault,
	"every transaction's first attempt conflicts": storetest.ConflictFirst,
}

// Race runs f on n goroutines released together and returns what each returned.
func Race[T any](n int, f func(i int) T) []T {
	out := make([]T, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := 0; i < n; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			out[i] = f(i)
		}()
	}
	start.Done()
	done.Wait()
	return out
}

var serial struct {
	sync.Mutex
	n int
}

// ResidentID makes a valid, unused resident identity number born on birth (YYYYMMDD).
func ResidentID(birth string) string {
	serial.Lock()
	serial.n++
	seq := serial.n % 1000
	serial.Unlock()
	body := "110105" + birth + string(rune('0'+seq/100)) + string(rune('0'+seq/10%10)) + string(rune('0'+seq%10))
	return body + string(identity.CheckChar(body))
}

// Phone makes a distinct valid mobile number.
func Phone() string {
	serial.Lock()
	serial.n++
	n := serial.n
	serial.Unlock()
	digits := []byte("13800000000")
	for i := 10; i >= 3 && n > 0; i-- {
		digits[i] = byte('0' + n%10)
		n /= 10
	}
	return string(digits)
}

// CaptureLogs sends the JSON log lines of everything t runs into the returned buffer.
func CaptureLogs(t testing.TB) *SafeBuffer {
	buf := &SafeBuffer{}
	prev := slog.Default()
	slog.SetDefault(api.NewLogger(buf))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return buf
}

// SafeBuffer is a bytes.Buffer for concurrent writers.
type SafeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SafeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SafeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// OTPSecret is the second factor of the reviewers tests make: SPEC §4's local one.
const OTPSecret = "JBSWY3DPEHPK3PXP"

// Password is the password of the accounts the kit makes.
const Password = "Smoke#2026ok"

// Applicant stores a registered applicant with Password and a fresh document number and
// mobile, as registration would have, and returns it.
func (k *Kit) Applicant(name string) account.Account {
	k.T.Helper()
	return k.ApplicantWith(identity.ResidentID, ResidentID("19900307"), name)
}

// ApplicantWith stores a registered applicant holding the given document.
func (k *Kit) ApplicantWith(t identity.IDType, number, name string) account.Account {
	k.T.Helper()
	hash, err := password.Hash(Password)
	if err != nil {
		k.T.Fatal(err)
	}
	a := account.Account{
		Login: number, AccountID: token.New(16), Role: account.RoleApplicant,
		IDType: string(t), Name: name, IDValidFrom: "2020-01-01", IDValidTo: "2040-01-01",
		PasswordHash: hash, Email: "123456789@qq.com", Phone: "+86" + Phone(),
		Verification: account.Verification{Status: account.StatusUnverified},
		CreatedAt:    k.Clock.Now().UTC().Format(time.RFC3339),
	}
	if err := k.Env.Store.CreateAccount(context.Background(), a); err != nil {
		k.T.Fatal(err)
	}
	return a
}

// Verified records a passed online verification for a, as the verification route would,
// and returns the account as it is then.
func (k *Kit) Verified(a account.Account) account.Account {
	k.T.Helper()
	got, err := k.Env.Store.RecordVerification(context.Background(), a.Login, true)
	if err != nil {
		k.T.Fatal(err)
	}
	return got
}

// Account reads an account back.
func (k *Kit) Account(login string) account.Account {
	k.T.Helper()
	a, err := k.Env.Store.GetAccount(context.Background(), login)
	if err != nil {
		k.T.Fatal(err)
	}
	return a
}

// Token starts a session for a and returns its bearer token, as a login would.
func (k *Kit) Token(a account.Account) string {
	k.T.Helper()
	return k.started(a, k.Env.Store.NewSessionToken(a.Login, a.Epoch))
}

// TokenBeforeTheEpoch starts a session for a under a token of the kind issued before seals
// carried the password epoch: the login alone sealed, as the store sealed it then. The gate
// finds its account from it, but a count in its session waits for the session's read.
func (k *Kit) TokenBeforeTheEpoch(a account.Account) string {
	k.T.Helper()
	block, err := aes.NewCipher(token.Hash("session seal", storetest.SealKey))
	if err != nil {
		k.T.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		k.T.Fatal(err)
	}
	random := make([]byte, 32)
	rand.Read(random)
	sealed := aead.Seal(nil, random[:aead.NonceSize()], []byte(a.Login), random)
	return k.started(a, token.Encode(random)+"."+token.Encode(sealed))
}

// TokenBeforeTheSeal starts a session for a under a token of the kind issued before tokens
// named their account (no sealed part): the gate reads its session first, then the account.
func (k *Kit) TokenBeforeTheSeal(a account.Account) string {
	k.T.Helper()
	return k.started(a, token.New(32))
}

func (k *Kit) started(a account.Account, tok string) string {
	k.T.Helper()
	now := k.Clock.Now()
	sess := account.Session{Login: a.Login, AccountID: a.AccountID, Role: a.Role, Epoch: a.Epoch,
		CreatedAt: now.Unix(), ExpiresAt: now.Add(12 * time.Hour).Unix(), IdleUntil: now.Add(30 * time.Minute).Unix()}
	if err := k.Env.Store.StartSession(context.Background(), authn.TokenHash(tok), sess, store.Login{Guard: "testkit-" + a.Login, Login: a.Login}, now); err != nil {
		k.T.Fatal(err)
	}
	return tok
}

// Profiled gives a a complete profile (ethnicity 汉族 and what its document needs).
func (k *Kit) Profiled(a account.Account) account.Account {
	k.T.Helper()
	p := account.Profile{Ethnicity: "01"}
	if birth, g, ok := identity.EmbeddedBirthAndGender(a.Login); ok {
		p.Gender, p.BirthDate = string(g), birth.Format(identity.DateLayout)
	}
	a, err := k.Env.Store.SetProfile(context.Background(), a.Login, p)
	if err != nil {
		k.T.Fatal(err)
	}
	return a
}

// FailedOnline records one failed online verification of a.
func (k *Kit) FailedOnline(a account.Account) account.Account {
	k.T.Helper()
	a, err := k.Env.Store.RecordVerification(context.Background(), a.Login, false)
	if err != nil {
		k.T.Fatal(err)
	}
	return a
}

// JPEG is a w×h photo, base64-encoded as the contract sends it.
func JPEG(w, h int) string {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}
