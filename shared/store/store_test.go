package store_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	miniserver "github.com/truora/minidyn/server"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/token"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
)

func count(errs []error, target error) int {
	c := 0
	for _, err := range errs {
		if errors.Is(err, target) || (target == nil && err == nil) {
			c++
		}
	}
	return c
}

func TestASliderIsSpentOnceUnderRace(t *testing.T) {
	env := storetest.New(t)
	c := store.Captcha{X: 123, Y: 45, Expires: t0.Add(2 * time.Minute)}
	id := env.Store.SealCaptcha(c)
	if got, err := env.Store.PeekCaptcha(ctx, id, t0); err != nil || got.X != 123 || got.Y != 45 {
		t.Fatalf("peek = %+v, %v", got, err)
	}
	errs := testkit.Race(8, func(int) error { return env.Store.SpendCaptcha(ctx, id, c) })
	if count(errs, nil) != 1 || count(errs, store.ErrNotFound) != 7 {
		t.Fatalf("errs %v: want one spender", errs)
	}
	if _, err := env.Store.PeekCaptcha(ctx, id, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a spent slider can still be read: %v", err)
	}
	// Given back (the store was busy after it was spent), it can be spent once more.
	if err := env.Store.UnspendCaptcha(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.SpendCaptcha(ctx, id, c); err != nil {
		t.Fatalf("spend after give-back: %v", err)
	}
}

// A slider's answer is sealed in its id: it opens only under the key that sealed it, whole,
// and before it expires; nothing of the answer can be read from the id.
func TestASlidersIDOpensOnlyWhenItIsOursAndLive(t *testing.T) {
	env := storetest.New(t)
	c := store.Captcha{X: 201, Y: 77, Expires: t0.Add(2 * time.Minute)}
	id := env.Store.SealCaptcha(c)
	if got, err := env.Store.OpenCaptcha(id, t0); err != nil || got.X != 201 || got.Y != 77 || !got.Expires.Equal(c.Expires) {
		t.Fatalf("open = %+v, %v", got, err)
	}
	if again := env.Store.SealCaptcha(c); again == id {
		t.Fatal("two sliders with one answer have one id")
	}
	other := env.Store.WithSealKey([]byte("another key")).SealCaptcha(c)
	flipped := []byte(id)
	flipped[len(flipped)/2] ^= 1
	bad := respellings(t, id)
	maps.Copy(bad, map[string]string{"another key's": other, "altered": string(flipped), "empty": "", "short": id[:10], "not base64": "!!!"})
	for name, bad := range bad {
		if _, err := env.Store.OpenCaptcha(bad, t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s id opened: %v", name, err)
		}
	}
	if _, err := env.Store.OpenCaptcha(id, c.Expires); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("open at expiry: %v", err)
	}
	if _, err := env.Store.PeekCaptcha(ctx, id, c.Expires.Add(time.Second)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("peek after expiry: %v", err)
	}
}

func TestSMSQuotaUnderRace(t *testing.T) {
	env := storetest.New(t)
	day := "2026-11-27"
	errs := testkit.Race(8, func(int) error {
		_, err := env.Store.ReserveSMS(ctx, "+8613800138000", day, 3, t0.Add(48*time.Hour))
		return err
	})
	if count(errs, nil) != 3 || count(errs, store.ErrQuotaFull) != 5 {
		t.Fatalf("errs %v: want 3 reservations and 5 refusals", errs)
	}
	// Another day, another mobile: their own counters.
	if c, err := env.Store.ReserveSMS(ctx, "+8613800138000", "2026-11-28", 3, t0.Add(72*time.Hour)); err != nil || c != 1 {
		t.Fatalf("next day = %d, %v", c, err)
	}
	if c, err := env.Store.ReserveSMS(ctx, "+8613900139000", day, 3, t0.Add(48*time.Hour)); err != nil || c != 1 {
		t.Fatalf("other mobile = %d, %v", c, err)
	}
	// A release gives one back, and only one.
	if err := env.Store.ReleaseSMS(ctx, "+8613800138000", day); err != nil {
		t.Fatal(err)
	}
	if c, err := env.Store.ReserveSMS(ctx, "+8613800138000", day, 3, t0.Add(48*time.Hour)); err != nil || c != 3 {
		t.Fatalf("after release = %d, %v", c, err)
	}
	if _, err := env.Store.ReserveSMS(ctx, "+8613800138000", day, 3, t0.Add(48*time.Hour)); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("fourth = %v", err)
	}
}

func TestReleaseNeverGoesBelowZero(t *testing.T) {
	env := storetest.New(t)
	if err := env.Store.ReleaseSMS(ctx, "+8613800138000", "2026-11-27"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if c, err := env.Store.ReserveSMS(ctx, "+8613800138000", "2026-11-27", 3, t0.Add(48*time.Hour)); err != nil || c != i {
			t.Fatalf("reservation %d = %d, %v", i, c, err)
		}
	}
}

func TestCodeAttemptsAreCountedBeforeCompareUnderRace(t *testing.T) {
	env := storetest.New(t)
	k := store.CodeKey{Purpose: "register", Subject: "+8613800138000"}
	if err := env.Store.PutCode(ctx, k, store.Code{Hash: []byte("h1"), Expires: t0.Add(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	errs := testkit.Race(12, func(int) error {
		_, err := env.Store.AttemptCode(ctx, k, t0, 5)
		return err
	})
	if count(errs, nil) != 5 || count(errs, store.ErrCodeExhausted) != 7 {
		t.Fatalf("errs %v: want 5 tries and 7 refusals", errs)
	}
}

func TestCodeReplacedExpiredAndSpent(t *testing.T) {
	env := storetest.New(t)
	k := store.CodeKey{Purpose: "register", Subject: "+8613800138000"}
	put := func(h string) {
		if err := env.Store.PutCode(ctx, k, store.Code{Hash: []byte(h), Expires: t0.Add(5 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	put("old")
	put("new")
	c, err := env.Store.AttemptCode(ctx, k, t0, 5)
	if err != nil || !bytes.Equal(c.Hash, []byte("new")) || c.Attempts != 1 {
		t.Fatalf("attempt = %+v, %v: the newer code should have replaced the older", c, err)
	}
	if _, err := env.Store.AttemptCode(ctx, k, t0.Add(5*time.Minute), 5); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("attempt at expiry = %v", err)
	}
	// Undoing a send removes only the code it put.
	if err := env.Store.DeleteCode(ctx, k, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.AttemptCode(ctx, k, t0, 5); err != nil {
		t.Fatalf("deleting the older hash removed the newer code: %v", err)
	}
	if err := env.Store.DeleteCode(ctx, k, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.AttemptCode(ctx, k, t0, 5); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after delete = %v", err)
	}
}

func applicant(login string) account.Account {
	return account.Account{Login: login, AccountID: "id-" + login, Role: account.RoleApplicant, IDType: "resident_id",
		Name: "张三", PasswordHash: "x", Phone: "+8613800138000", CreatedAt: t0.Format(time.RFC3339)}
}

func TestRegisterAccountSpendsTheCodeAtomically(t *testing.T) {
	env := storetest.New(t)
	k := store.CodeKey{Purpose: "register", Subject: "+8613800138000"}
	if err := env.Store.PutCode(ctx, k, store.Code{Hash: []byte("h"), Expires: t0.Add(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	// A wrong hash (the code was replaced meanwhile) creates nothing.
	if err := env.Store.RegisterAccount(ctx, applicant("A1"), k, []byte("other"), t0); !errors.Is(err, store.ErrCodeSpent) {
		t.Fatalf("wrong hash = %v", err)
	}
	if _, err := env.Store.GetAccount(ctx, "A1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an account was created without spending the code: %v", err)
	}
	env.Calls.Reset()
	if err := env.Store.RegisterAccount(ctx, applicant("A1"), k, []byte("h"), t0); err != nil {
		t.Fatal(err)
	}
	if env.Calls.String() != "TransactWriteItems=1" {
		t.Fatalf("registration took %s", env.Calls)
	}
	a, err := env.Store.GetAccount(ctx, "A1")
	if err != nil || a.AccountID != "id-A1" || a.Name != "张三" {
		t.Fatalf("get = %+v, %v", a, err)
	}
	c, err := env.Store.AttemptCode(ctx, k, t0, 5)
	if !errors.Is(err, store.ErrCodeUsed) || c.UsedFor != "A1" {
		t.Fatalf("spent code = %+v, %v", c, err)
	}
	if err := env.Store.RegisterAccount(ctx, applicant("B2"), k, []byte("h"), t0); !errors.Is(err, store.ErrCodeSpent) {
		t.Fatalf("a spent code registered a second account: %v", err)
	}
}

func TestOneAccountPerLoginUnderRace(t *testing.T) {
	env := storetest.New(t)
	keys := make([]store.CodeKey, 6)
	for i := range keys {
		keys[i] = store.CodeKey{Purpose: "register", Subject: "+861380013800" + strconv.Itoa(i)}
		if err := env.Store.PutCode(ctx, keys[i], store.Code{Hash: []byte("h"), Expires: t0.Add(5 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	errs := testkit.Race(6, func(i int) error {
		a := applicant("110105199003071234")
		a.AccountID = "id-" + strconv.Itoa(i)
		return env.Store.RegisterAccount(ctx, a, keys[i], []byte("h"), t0)
	})
	if count(errs, nil) != 1 || count(errs, account.ErrExists) != 5 {
		t.Fatalf("errs %v: want one account and five refusals", errs)
	}
	// The losers' codes were not spent.
	spent := 0
	for _, k := range keys {
		if _, err := env.Store.AttemptCode(ctx, k, t0, 5); errors.Is(err, store.ErrCodeUsed) {
			spent++
		}
	}
	if spent != 1 {
		t.Fatalf("%d codes spent, want 1", spent)
	}
}

func TestCreateAccountRefusesADuplicate(t *testing.T) {
	env := storetest.New(t)
	r := account.Account{Login: "REVIEWER", AccountID: "r1", Role: account.RoleReviewer, Name: "审核员", PasswordHash: "x"}
	if err := env.Store.CreateAccount(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.CreateAccount(ctx, r); !errors.Is(err, account.ErrExists) {
		t.Fatalf("duplicate = %v", err)
	}
}

// A failing read says what kind of item it was after, never whose: errors reach the logs.
func TestErrorsNameNoKey(t *testing.T) {
	env := storetest.New(t)
	env.Server.EmulateFailure(miniserver.FailureConditionInternalServerError)
	_, err := env.Store.GetAccount(ctx, "110105199003071234")
	if err == nil || !strings.Contains(err.Error(), "get ACCOUNT") || strings.Contains(err.Error(), "110105199003071234") {
		t.Fatalf("err = %v", err)
	}
}

// respellings are other spellings of id that a base64 decoder may read as the same bytes:
// each would key its own CAPTCHA#, RESET# or FEDSTATE# item, so none may open.
func respellings(t *testing.T, id string) map[string]string {
	t.Helper()
	out := map[string]string{
		"with a line feed":       id[:5] + "\n" + id[5:],
		"with a carriage return": id[:5] + "\r" + id[5:],
		"ending in CR LF":        id + "\r\n",
	}
	if len(id)%4 != 0 { // the last character has unused bits
		out["twin spelling"] = twinSpelling(t, id)
	}
	return out
}

// twinSpelling is id with an unused low bit of its last base64 character set: the same bytes
// to a lenient decoder, another item key to the table.
func twinSpelling(t *testing.T, id string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(id)%4 == 0 {
		t.Fatalf("id %q has no unused bits", id)
	}
	last := strings.IndexByte(alphabet, id[len(id)-1])
	twin := id[:len(id)-1] + string(alphabet[last^1])
	if b1, _ := base64.RawURLEncoding.DecodeString(id); string(b1) != func() string { b2, _ := base64.RawURLEncoding.DecodeString(twin); return string(b2) }() {
		t.Fatalf("%q is not a twin of %q", twin, id)
	}
	return twin
}

// A 教育部 login's flow is sealed in its state: it opens whole under the key that sealed it,
// and in no other spelling, since the state's hash keys the mark that spends it.
func TestAFederatedStateOpensOnlyAsSealed(t *testing.T) {
	env := storetest.New(t)
	f := store.FederatedFlow{Nonce: "n0nce", Verifier: "v3rifier", Binding: "b1nding", AgreementVersion: "2026-01",
		AcceptedAt: "2026-11-27T08:00:00Z", ExpiresAt: t0.Add(10 * time.Minute).Unix()}
	state := env.Store.NewFederatedState(f)
	if got, ok := env.Store.OpenFederatedState(state); !ok || got != f {
		t.Fatalf("open = %+v, %v", got, ok)
	}
	for _, secret := range []string{f.Nonce, f.Verifier, f.Binding} {
		if strings.Contains(state, secret) {
			t.Fatalf("the state shows %q", secret)
		}
	}
	bad := respellings(t, state)
	bad["another key's"] = env.Store.WithSealKey([]byte("another key")).NewFederatedState(f)
	bad["a slider's id"] = env.Store.SealCaptcha(store.Captcha{X: 1, Y: 2, Expires: t0})
	for name, s := range bad {
		if _, ok := env.Store.OpenFederatedState(s); ok {
			t.Errorf("%s state opened", name)
		}
	}
	// The spend's reply lost after it was made: the SDK's retry meets its own mark, spent by
	// it; a second spend is refused.
	env.Faults.LoseFirstReplyWhere(func(target string, _ []byte) bool { return target == "PutItem" })
	if err := env.Store.SpendFederatedState(ctx, "h", f.ExpiresAt); err != nil || env.Faults.Injected() != 1 {
		t.Fatalf("the spender's own retry: %v (%d replies lost)", err, env.Faults.Injected())
	}
	env.Faults.Set(storetest.NoFault)
	if err := env.Store.SpendFederatedState(ctx, "h", f.ExpiresAt); !errors.Is(err, store.ErrExists) {
		t.Fatalf("spent twice: %v", err)
	}
	if spent, err := env.Store.FederatedStateSpent(ctx, "h"); err != nil || !spent {
		t.Fatalf("spent = %v, %v", spent, err)
	}
	if spent, err := env.Store.FederatedStateSpent(ctx, "other"); err != nil || spent {
		t.Fatalf("another state spent = %v, %v", spent, err)
	}
}

// The login's start seals with FlowSealFromEnv and builds no client: its states open at the
// callback's store under the same SEAL_KEY, and under no other.
func TestTheStartsFlowSealIsTheStores(t *testing.T) {
	env := storetest.New(t)
	t.Setenv("SEAL_KEY", "the deployment's seal key")
	f := store.FederatedFlow{Nonce: "n0nce", Verifier: "v3rifier", Binding: "b1nding", ExpiresAt: t0.Unix()}
	state := store.FlowSealFromEnv().NewFederatedState(f)
	if got, ok := env.Store.WithSealKey([]byte("the deployment's seal key")).OpenFederatedState(state); !ok || got != f {
		t.Fatalf("open = %+v, %v", got, ok)
	}
	if _, ok := env.Store.WithSealKey([]byte("another key")).OpenFederatedState(state); ok {
		t.Fatal("opened under another key")
	}
}

// A session token's seal names its login and the password epoch its session began in; a
// token of the kind issued before the seal names neither, and is read first.
func TestATokenNamesItsLoginAndItsEpoch(t *testing.T) {
	st := storetest.New(t).Store
	tok := st.NewSessionToken("110101198001010010", 7)
	if login, err := st.TokenLogin(tok); err != nil || login != "110101198001010010" {
		t.Fatalf("login: %q %v", login, err)
	}
	if epoch, ok := st.TokenEpoch(tok); !ok || epoch != 7 {
		t.Fatalf("epoch: %d %v", epoch, ok)
	}
	unsealed := token.New(32)
	if login, err := st.TokenLogin(unsealed); err != nil || login != "" {
		t.Fatalf("a token before the seal: %q %v", login, err)
	}
	if _, ok := st.TokenEpoch(unsealed); ok {
		t.Fatal("a token before the seal names an epoch")
	}
	other := st.WithSealKey([]byte("another deployment's key")).NewSessionToken("110101198001010010", 7)
	if _, ok := st.TokenEpoch(other); ok {
		t.Fatal("another key's seal names an epoch")
	}
	// A seal of the login alone, as issued before seals carried the epoch.
	k := testkit.New(t)
	a := k.Applicant("张三")
	legacy := k.TokenBeforeTheEpoch(a)
	if login, err := k.Env.Store.TokenLogin(legacy); err != nil || login != a.Login {
		t.Fatalf("a seal without an epoch: %q %v", login, err)
	}
	if epoch, ok := k.Env.Store.TokenEpoch(legacy); ok {
		t.Fatalf("a seal without an epoch names epoch %d", epoch)
	}
}

// A take (a login code, a binding code, a chat's awaited answer) is spent once: of 20
// concurrent takers one gets the item. When the take's reply is lost after it was made, the
// SDK's retry meets the mark of its own first attempt and still gets the item, where a
// delete would have left nothing; a later take gets nothing.
func TestATakeIsOnceAndSurvivesItsLostReply(t *testing.T) {
	env := storetest.New(t)
	c := store.LoginCode{Login: "L1", AccountID: "A1", Role: "applicant", Epoch: 3, Binding: "b", ExpiresAt: t0.Add(time.Minute).Unix()}
	if err := env.Store.IssueLoginCode(ctx, "raced", c); err != nil {
		t.Fatal(err)
	}
	var got atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			switch taken, err := env.Store.TakeLoginCode(ctx, "raced", t0); {
			case err == nil && taken == c:
				got.Add(1)
			case !errors.Is(err, store.ErrNotFound):
				t.Errorf("a take: %+v, %v", taken, err)
			}
		})
	}
	wg.Wait()
	if got.Load() != 1 {
		t.Fatalf("%d takers got the code", got.Load())
	}

	if err := env.Store.IssueLoginCode(ctx, "lost", c); err != nil {
		t.Fatal(err)
	}
	env.Faults.LoseFirstReplyWhere(func(target string, _ []byte) bool { return target == "UpdateItem" })
	if taken, err := env.Store.TakeLoginCode(ctx, "lost", t0); err != nil || taken != c || env.Faults.Injected() != 1 {
		t.Fatalf("after a lost reply: %+v, %v (%d lost)", taken, err, env.Faults.Injected())
	}
	env.Faults.Set(storetest.NoFault)
	if _, err := env.Store.TakeLoginCode(ctx, "lost", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("taken twice: %v", err)
	}
	// Given back (the exchange found the table busy), it is there to take again.
	if err := env.Store.ReturnLoginCode(ctx, "lost", c); err != nil {
		t.Fatal(err)
	}
	if taken, err := env.Store.TakeLoginCode(ctx, "lost", t0); err != nil || taken != c {
		t.Fatalf("given back: %+v, %v", taken, err)
	}

	if env.Faults.Injected() != 1 {
		t.Fatalf("%d replies lost", env.Faults.Injected())
	}
}

// An update whose reply is lost after it was made is made once: the SDK's retry meets the
// call's own mark, is refused, and is answered with the item as the first attempt left it. A
// count is not counted twice, and the last use of a limit is not refused as over it.
func TestAnUpdateWhoseReplyIsLostIsMadeOnce(t *testing.T) {
	env := storetest.New(t)
	lose := func() {
		env.Faults.LoseFirstReplyWhere(func(target string, _ []byte) bool { return target == "UpdateItem" })
	}
	lose()
	last := store.Source{Address: "203.0.113.7", Minute: t0, Max: 1}
	if err := env.Store.CountCaptcha(ctx, last); err != nil {
		t.Fatalf("the minute's only slider, its reply lost: %v", err)
	}
	env.Faults.Set(storetest.NoFault)
	if err := env.Store.CountCaptcha(ctx, last); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("a second slider in a minute of one: %v", err)
	}
	two := store.Source{Address: "203.0.113.8", Minute: t0, Max: 2}
	lose()
	if err := env.Store.CountCaptcha(ctx, two); err != nil {
		t.Fatal(err)
	}
	env.Faults.Set(storetest.NoFault)
	if err := env.Store.CountCaptcha(ctx, two); err != nil {
		t.Fatalf("the second of two, after a lost reply counted once: %v", err)
	}
	if err := env.Store.CountCaptcha(ctx, two); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("a third of two: %v", err)
	}
	// A code's try, counted and its reply lost: the code as the count left it, tried once.
	k := store.CodeKey{Purpose: "register", Subject: "+8613800138000"}
	if err := env.Store.PutCode(ctx, k, store.Code{Hash: []byte("h"), Expires: t0.Add(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	lose()
	c, err := env.Store.AttemptCode(ctx, k, t0, 5)
	if err != nil || !bytes.Equal(c.Hash, []byte("h")) || c.Attempts != 1 {
		t.Fatalf("a try after a lost reply: %+v, %v", c, err)
	}
	env.Faults.Set(storetest.NoFault)
	if c, err := env.Store.AttemptCode(ctx, k, t0, 5); err != nil || c.Attempts != 2 {
		t.Fatalf("the next try: %+v, %v", c, err)
	}
	if env.Faults.Injected() != 3 {
		t.Fatalf("%d replies lost", env.Faults.Injected())
	}
}

// The update's mark joins the SET clause wherever the expression has it, or starts one.
func TestTheMarkJoinsTheSetClause(t *testing.T) {
	for expr, want := range map[string]string{
		"SET a = :a, b = :b":          "SET m = :m, a = :a, b = :b",
		"SET a = :a REMOVE b":         "SET m = :m, a = :a REMOVE b",
		"REMOVE b SET a = :a":         "REMOVE b SET m = :m, a = :a",
		"ADD used :minus":             "SET m = :m ADD used :minus",
		"REMOVE reportedAt":           "SET m = :m REMOVE reportedAt",
		"ADD epoch :one REMOVE SETUP": "SET m = :m ADD epoch :one REMOVE SETUP",
		"":                            "SET m = :m",
	} {
		if got := store.WithSet(expr, "m = :m"); got != want {
			t.Errorf("%q: %q, want %q", expr, got, want)
		}
	}
}

// A binding code is read, which spends nothing, and taken only with the binding it makes, in
// one transaction: of racing users one binds, a code past its time or made at another epoch
// binds no one, and a binding whose reply is lost is made once.
func TestABindingCodeIsTakenOnlyWithItsBinding(t *testing.T) {
	env := storetest.New(t)
	a := applicant("L1")
	a.Epoch = 3
	if err := env.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.PutBindCode(ctx, "h", "L1", 3, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Store.WechatBindCode(ctx, "h", t0.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a binding code read past its time: %v", err)
	}
	if err := env.Store.BindWechat(ctx, "h", "L1", 3, "o-late", "", t0.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a binding code used past its time: %v", err)
	}
	login, epoch, err := env.Store.WechatBindCode(ctx, "h", t0)
	if err != nil || login != "L1" || epoch != 3 {
		t.Fatalf("the code read: %q %d %v", login, epoch, err)
	}
	for _, c := range []struct {
		login string
		epoch int64
	}{{"L2", 3}, {"L1", 4}} {
		if err := env.Store.BindWechat(ctx, "h", c.login, c.epoch, "o-forger", "", t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the code used for %s at %d: %v", c.login, c.epoch, err)
		}
	}
	env.Faults.LoseFirstReplyWhere(func(target string, _ []byte) bool { return target == "TransactWriteItems" })
	var bound atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			switch err := env.Store.BindWechat(ctx, "h", "L1", 3, "o-user-"+strconv.Itoa(i), "", t0); {
			case err == nil:
				bound.Add(1)
			case !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrAccountBound):
				t.Errorf("a racing binding: %v", err)
			}
		})
	}
	wg.Wait()
	env.Faults.Set(storetest.NoFault)
	if bound.Load() != 1 {
		t.Fatalf("%d bindings with one code", bound.Load())
	}
	if _, _, err := env.Store.WechatBindCode(ctx, "h", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the code read after its binding: %v", err)
	}
	got, _ := env.Store.GetAccount(ctx, "L1")
	if got.WechatUser == "" {
		t.Fatal("the account names no user")
	}
	// A code taken binds no one, even once its binding is undone.
	if err := env.Store.UnbindWechat(ctx, "L1", got.WechatUser); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.BindWechat(ctx, "h", "L1", 3, "o-after", "", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the code used again after an unbinding: %v", err)
	}
}

// A pushed message's first writes are one transaction with its replay marks: all or nothing.
// A message seen before (by its id or its nonce) writes nothing; a wait taken, or a count
// refused, leaves nothing half done; of 20 deliveries of one message at once, one is
// handled; a transaction whose reply is lost is made once.
func TestAWechatMessagesFirstWritesGoWithItsMarks(t *testing.T) {
	env := storetest.New(t)
	msg := func(id string) store.WechatMessage { return store.WechatMessage{ID: id, Nonce: "n-" + id} }
	until := t0.Add(5 * time.Minute)
	take := func(m store.WechatMessage, user, login string, max int) error {
		return env.Store.TakeWechatAwait(ctx, m, user, "document", login, t0, store.WechatCode{
			Key: store.CodeKey{Purpose: "wechat", Subject: login}, Code: store.Code{Hash: []byte("h"), Expires: until},
			Day: "2026-11-29", Max: max, CountExpires: t0.Add(48 * time.Hour),
		})
	}
	if err := env.Store.AwaitWechat(ctx, msg("1"), "u1", "document", t0, until); err != nil {
		t.Fatal(err)
	}
	for _, again := range []store.WechatMessage{msg("1"), {ID: "1", Nonce: "other"}, {ID: "other", Nonce: "n-1"}} {
		if err := env.Store.AwaitWechat(ctx, again, "u1", "document", t0, until); !errors.Is(err, store.ErrWechatSeen) {
			t.Fatalf("%+v again: %v", again, err)
		}
	}
	// Nothing awaited from u2: no count is written, nor the marks.
	if err := take(msg("2"), "u2", "L1", 3); !errors.Is(err, store.ErrNotAwaited) {
		t.Fatalf("a wait never started: %v", err)
	}
	if dump := env.Dump(t); strings.Contains(dump, "CODEDAY#") || strings.Contains(dump, "n-2") || strings.Contains(dump, "CODE#") {
		t.Fatalf("a refused first write left items:\n%s", dump)
	}
	// Taken once, its reply lost.
	env.Faults.LoseFirstReplyWhere(func(target string, _ []byte) bool { return target == "TransactWriteItems" })
	if err := take(msg("3"), "u1", "L1", 1); err != nil || env.Faults.Injected() != 1 {
		t.Fatalf("the wait taken, its reply lost: %v (%d lost)", err, env.Faults.Injected())
	}
	env.Faults.Set(storetest.NoFault)
	if err := take(msg("4"), "u1", "L1", 1); !errors.Is(err, store.ErrNotAwaited) {
		t.Fatalf("the wait taken twice: %v", err)
	}
	// The number's one code of the day is spent: a refused count leaves the wait to answer.
	if err := env.Store.AwaitWechat(ctx, msg("5"), "u1", "document", t0, until); err != nil {
		t.Fatal(err)
	}
	if err := take(msg("6"), "u1", "L1", 1); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("a second code of one: %v", err)
	}
	if what, err := env.Store.WechatAwait(ctx, "u1", t0); err != nil || what != "document" {
		t.Fatalf("the wait after a refused count: %q %v", what, err)
	}
	if err := take(msg("6"), "u1", "L2", 2); err != nil {
		t.Fatalf("the refused message, its marks unwritten, for another number: %v", err)
	}
	// A mistyped answer keeps the wait; past its time there is none.
	if err := env.Store.AwaitWechat(ctx, msg("7"), "u3", "document", t0, until); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.KeepWechatAwait(ctx, msg("8"), "u3", "document", t0, until.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if what, _ := env.Store.WechatAwait(ctx, "u3", until); what != "document" {
		t.Fatalf("the kept wait at its first end: %q", what)
	}
	if err := env.Store.KeepWechatAwait(ctx, msg("9"), "u3", "document", until.Add(time.Minute), until.Add(time.Hour)); !errors.Is(err, store.ErrNotAwaited) {
		t.Fatalf("a wait past its time kept: %v", err)
	}
	// One message delivered 20 times at once, each with its own query: one is handled.
	if err := env.Store.AwaitWechat(ctx, msg("10"), "u4", "document", t0, until); err != nil {
		t.Fatal(err)
	}
	var handled atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			switch err := take(store.WechatMessage{ID: "11", Nonce: "n-11-" + strconv.Itoa(i)}, "u4", "L4", 3); {
			case err == nil:
				handled.Add(1)
			case !errors.Is(err, store.ErrWechatSeen) && !store.IsBusy(err):
				t.Errorf("a delivery: %v", err)
			}
		})
	}
	wg.Wait()
	if handled.Load() != 1 || strings.Count(env.Dump(t), "n-11-") != 1 {
		t.Fatalf("%d deliveries handled", handled.Load())
	}
	// A binding try counts with the marks, all or nothing.
	if err := env.Store.CountWechatBindTry(ctx, msg("12"), "u5", "2026-11-29", 1, t0, t0.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.CountWechatBindTry(ctx, msg("12"), "u5", "2026-11-29", 2, t0, t0.Add(48*time.Hour)); !errors.Is(err, store.ErrWechatSeen) {
		t.Fatalf("a try delivered again: %v", err)
	}
	if err := env.Store.CountWechatBindTry(ctx, msg("13"), "u5", "2026-11-29", 1, t0, t0.Add(48*time.Hour)); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("a try past the day's: %v", err)
	}
	// In safe mode a message has no nonce mark: its id alone.
	if err := env.Store.OpenWechatMessage(ctx, store.WechatMessage{ID: "14"}, t0); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.OpenWechatMessage(ctx, store.WechatMessage{ID: "14"}, t0); !errors.Is(err, store.ErrWechatSeen) {
		t.Fatalf("a signed message again: %v", err)
	}
}

// A reset code asked in WeChat is kept and counted only while the account names the user who
// asked it, all or nothing.
func TestAWechatResetCodeIsKeptOnlyForTheBoundAccount(t *testing.T) {
	env := storetest.New(t)
	a := applicant("L1")
	a.WechatUser = "u1"
	if err := env.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	issue := func(user string, max int) error {
		return env.Store.IssueWechatReset(ctx, store.WechatCode{
			Key: store.CodeKey{Purpose: "wxreset", Subject: "L1"}, Code: store.Code{Hash: []byte("h"), Expires: t0.Add(time.Minute), Login: "L1", WechatUser: user},
			Day: "2026-11-29", Max: max, CountExpires: t0.Add(48 * time.Hour),
		})
	}
	if err := issue("u2", 3); !errors.Is(err, store.ErrWechatBindingMoved) {
		t.Fatalf("a code for another user: %v", err)
	}
	if dump := env.Dump(t); strings.Contains(dump, "CODE#") || strings.Contains(dump, "WXRESETDAY#") {
		t.Fatalf("a refused code left items:\n%s", dump)
	}
	if err := issue("u1", 1); err != nil {
		t.Fatal(err)
	}
	if err := issue("u1", 1); !errors.Is(err, store.ErrQuotaFull) {
		t.Fatalf("a second code of one: %v", err)
	}
}

// Spellings of one mailbox share its day of mails; other boxes do not.
func TestSpellingsOfOneMailboxAreOne(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"Victim@Example.cn", "victim@example.cn"},
		{" victim+news@example.cn", "victim@example.cn"},
		{"v.i.c.t.i.m+1@GoogleMail.com", "victim@gmail.com"},
	} {
		if got, want := store.Mailbox(c.a), store.Mailbox(c.b); got != want {
			t.Errorf("%q is %q, want %q", c.a, got, want)
		}
	}
	for _, c := range []struct{ a, b string }{
		{"v.ictim@example.cn", "victim@example.cn"}, // dots matter beyond Gmail
		{"victim@example.cn", "victim@example.com"},
	} {
		if store.Mailbox(c.a) == store.Mailbox(c.b) {
			t.Errorf("%q and %q are one box", c.a, c.b)
		}
	}
}
