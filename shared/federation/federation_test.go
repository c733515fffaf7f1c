package federation_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/federation"
	"github.com/jszg/applicant-accounts/shared/federation/localidp"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/logincode"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/sitetext"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
)

const (
	callbackURL = "https://api.jszg.test/v1/federated-logins/callback"
	returnURL   = "https://www.jszg.test/login/federated"
)

// world is a kit, an in-process OpenID provider (mockoidc, through localidp) whose tokens
// are issued at the kit's time, and the three operations built by their constructors, with
// the session routes a federated login must work with.
type world struct {
	*testkit.Kit
	idp      *localidp.Server
	start    api.HandlerFunc
	callback api.HandlerFunc
	exchange api.HandlerFunc
	me       api.HandlerFunc
	logout   api.HandlerFunc
	login    api.HandlerFunc
}

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	idp, err := localidp.Start(federation.DefaultClaims, nil, k.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	p, err := federation.NewProvider(idp.Config(callbackURL, returnURL), nil, k.Clock)
	if err != nil {
		t.Fatal(err)
	}
	return &world{
		Kit: k, idp: idp,
		start:    federation.NewStart(k.Store, p, k.Clock),
		callback: federation.NewCallback(k.Store, p, k.Clock),
		exchange: logincode.NewExchange(k.Store, k.Clock),
		me:       profile.NewMe(k.Store, k.Clock),
		logout:   session.NewLogout(k.Store, k.Clock),
		login:    session.NewLogin(k.Store, k.Operators, k.Clock),
	}
}

// person is a provider identity holding a fresh resident ID.
func (w *world) person(name string) localidp.Identity {
	id := localidp.Identity{Subject: "sub-" + testkit.ResidentID("19850505"), IDType: string(identity.ResidentID),
		Number: testkit.ResidentID("19900307"), Name: name}
	w.idp.Add(id)
	return id
}

// begin starts a login and returns the authorization URL and the flow key.
func (w *world) begin(t *testing.T) (string, string) {
	t.Helper()
	res := apitest.Call(t, w.start, apitest.Request{Method: "POST", Path: "/v1/federated-logins", Body: map[string]any{"agreementAccepted": true}})
	if res.Status != 201 || res.Int("expiresIn") != 600 {
		t.Fatalf("start: %d %v", res.Status, res.Body)
	}
	return res.Str("authorizationUrl"), res.Str("flowKey")
}

// authorize logs in at the provider as subject and returns the callback the browser is sent to.
func (w *world) authorize(t *testing.T, authURL, subject string) *url.URL {
	t.Helper()
	back, err := w.idp.Authorize(authURL, subject)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Scheme + "://" + back.Host + back.Path; got != callbackURL {
		t.Fatalf("the provider sent the browser to %s", got)
	}
	return back
}

// back calls the callback with the query the provider sent, and returns the front end's
// page it redirects to.
func (w *world) back(t *testing.T, query url.Values) *url.URL {
	t.Helper()
	q := map[string]string{}
	for k := range query {
		q[k] = query.Get(k)
	}
	res := apitest.Call(t, w.callback, apitest.Request{Method: "GET", Path: "/v1/federated-logins/callback", Query: q})
	if res.Status != 302 {
		t.Fatalf("callback: %d %s", res.Status, res.Raw)
	}
	to, err := url.Parse(res.Headers["Location"])
	if err != nil || to.Scheme+"://"+to.Host+to.Path != returnURL {
		t.Fatalf("callback sent the browser to %q", res.Headers["Location"])
	}
	if len(to.Query()) != 1 {
		t.Fatalf("the front end gets %v, want one of code and error", to.Query())
	}
	return to
}

func (w *world) trade(t *testing.T, code, flowKey string) apitest.Result {
	t.Helper()
	return apitest.Call(t, w.exchange, apitest.Request{Method: "POST", Path: "/v1/federated-logins/exchange",
		Body: map[string]any{"code": code, "flowKey": flowKey}})
}

// federatedLogin runs the whole flow as subject and returns the exchange's answer.
func (w *world) federatedLogin(t *testing.T, subject string) apitest.Result {
	t.Helper()
	authURL, flowKey := w.begin(t)
	to := w.back(t, w.authorize(t, authURL, subject).Query())
	code := to.Query().Get("code")
	if code == "" {
		t.Fatalf("the callback refused: %v", to.Query())
	}
	return w.trade(t, code, flowKey)
}

// kinds counts the table's items by the kind their partition key begins with.
func (w *world) kinds(t *testing.T) map[string]int {
	t.Helper()
	out, err := w.Env.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(storetest.Table)})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, item := range out.Items {
		pk := item["pk"].(*types.AttributeValueMemberS).Value
		kind, _, _ := strings.Cut(pk, "#")
		n[kind]++
	}
	return n
}

func TestAFirstLoginCreatesTheAccountFromTheClaims(t *testing.T) {
	w := newWorld(t)
	who := w.person("李雷")

	w.Env.Calls.Reset()
	authURL, flowKey := w.begin(t)
	if got := w.Env.Calls.Total(); got != 0 {
		t.Fatalf("start sent %d requests (%s); its flow is sealed in the state", got, w.Env.Calls)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || len(q.Get("state")) < 43 ||
		q.Get("redirect_uri") != callbackURL || !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
		t.Fatalf("authorization URL %s", authURL)
	}

	back := w.authorize(t, authURL, who.Subject)
	w.Env.Calls.Reset()
	to := w.back(t, back.Query())
	// The state spent with the link and the account read alongside; the account, its link
	// and the code in one transaction.
	if got, trips := w.Env.Calls.String(), w.Env.Calls.Trips(); got != "BatchGetItem=1 PutItem=1 TransactWriteItems=1" || trips != 2 {
		t.Fatalf("callback's requests: %s in %d round trips", got, trips)
	}
	code := to.Query().Get("code")
	if len(code) < 43 {
		t.Fatalf("front end's page %s", to)
	}

	w.Env.Calls.Reset()
	res := w.trade(t, code, flowKey)
	if res.Status != 201 || res.Str("role") != "applicant" || res.Str("nextStep") != "complete_profile" || res.Str("token") == "" {
		t.Fatalf("exchange: %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "TransactWriteItems=1 UpdateItem=1" {
		t.Fatalf("exchange's round trips: %s", got)
	}
	exp, err := time.Parse(time.RFC3339, res.Str("expiresAt"))
	if err != nil || !exp.Equal(w.Clock.Now().Add(12*time.Hour).Truncate(time.Second)) {
		t.Fatalf("expiresAt %q", res.Str("expiresAt"))
	}

	a := w.Account(who.Number)
	if a.Name != who.Name || a.IDType != who.IDType || a.Role != account.RoleApplicant || a.PasswordHash != "" ||
		a.Phone != "" || a.Email != "" || a.Verification.Status != account.StatusUnverified ||
		a.AgreementVersion != sitetext.AgreementVersion() || a.AgreementAcceptedAt == "" {
		t.Fatalf("account made from the claims: %+v", a)
	}
	me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: res.Str("token")})
	if me.Status != 200 || me.Str("accountId") != a.AccountID || me.Body["phoneMasked"] != nil || me.Body["emailMasked"] != nil {
		t.Fatalf("me: %d %v", me.Status, me.Body)
	}
	// No password: the login page refuses every one, as it refuses a wrong password.
	if r := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": who.Number, "password": testkit.Password, "captcha": w.Solve()}}); r.Status != 401 || r.Code() != api.CodeLoginFailed {
		t.Fatalf("a password for an account without one: %d %v", r.Status, r.Body)
	}
	if out := apitest.Call(t, w.logout, apitest.Request{Method: "DELETE", Path: "/v1/sessions/current", Token: res.Str("token")}); out.Status != 204 {
		t.Fatalf("logout: %d", out.Status)
	}
	if me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: res.Str("token")}); me.Status != 401 {
		t.Fatalf("me after logout: %d", me.Status)
	}

	// Again: the link finds the account; only a code is written.
	authURL, flowKey = w.begin(t)
	back = w.authorize(t, authURL, who.Subject)
	w.Env.Calls.Reset()
	to = w.back(t, back.Query())
	if got, trips := w.Env.Calls.String(), w.Env.Calls.Trips(); got != "BatchGetItem=1 PutItem=2" || trips != 2 {
		t.Fatalf("a linked login's requests: %s in %d round trips", got, trips)
	}
	again := w.trade(t, to.Query().Get("code"), flowKey)
	if again.Status != 201 || again.Str("token") == res.Str("token") {
		t.Fatalf("second login: %d %v", again.Status, again.Body)
	}
	// The two states spent stay marked until they would have expired, and so do the two
	// codes, taken.
	if n := w.kinds(t); n["ACCOUNT"] != 1 || n["FEDLINK"] != 1 || n["FEDSTATE"] != 2 || n["FEDCODE"] != 2 {
		t.Fatalf("items: %v", n)
	}
	// Nothing the browser carried is stored as it is.
	dump := w.Env.Dump(t)
	for _, s := range []string{code, flowKey, q.Get("state"), who.Subject, res.Str("token")} {
		if strings.Contains(dump, s) {
			t.Fatalf("%q is stored in the clear", s)
		}
	}
}

func TestAFirstLoginLinksTheAccountOfTheSameNumberAndName(t *testing.T) {
	w := newWorld(t)
	a := w.ApplicantWith(identity.HKMacauPermit, "H12345678", "Chan Tai Man")
	a = w.Profiled(a)
	who := localidp.Identity{Subject: "hk-1", IDType: string(identity.HKMacauPermit), Number: "h12345678", Name: "CHAN TAI MAN"}
	w.idp.Add(who)

	// Not verified yet: whoever registered it is not known to be the holder.
	authURL, _ := w.begin(t)
	if to := w.back(t, w.authorize(t, authURL, who.Subject).Query()); to.Query().Get("error") != federation.AccountUnverified {
		t.Fatalf("an unverified account was linked: %v", to)
	}
	if n := w.kinds(t); n["FEDLINK"] != 0 {
		t.Fatalf("items after the refusal: %v", n)
	}
	a = w.Verified(a)
	res := w.federatedLogin(t, who.Subject)
	if res.Status != 201 || res.Str("nextStep") != "none" {
		t.Fatalf("exchange: %d %v", res.Status, res.Body)
	}
	me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: res.Str("token")})
	if me.Str("accountId") != a.AccountID {
		t.Fatalf("logged in to %v, want the registered account", me.Body)
	}
	if got := w.Account(a.Login); got.Name != a.Name || got.PasswordHash != a.PasswordHash || got.Phone != a.Phone {
		t.Fatalf("linking changed the account: %+v", got)
	}
	// The password still logs in, and the link logs in again.
	if r := apitest.Call(t, w.login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": a.Login, "password": testkit.Password, "captcha": w.Solve()}}); r.Status != 201 {
		t.Fatalf("password login after the link: %d %v", r.Status, r.Body)
	}
	if r := w.federatedLogin(t, who.Subject); r.Status != 201 {
		t.Fatalf("second federated login: %d %v", r.Status, r.Body)
	}
	if n := w.kinds(t); n["ACCOUNT"] != 1 || n["FEDLINK"] != 1 {
		t.Fatalf("items: %v", n)
	}
}

// The number is registered, but to another name or document type: someone else's account,
// or a name changed since. Nothing is linked or created; the front end is told, and the
// holder of a squatted number claims it back (POST /v1/account-corrections, ownership).
func TestANumberRegisteredToAnotherNameIsRefused(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	other := localidp.Identity{Subject: "other-name", IDType: a.IDType, Number: a.Login, Name: "李四"}
	w.idp.Add(other)
	reviewerNumber := testkit.ResidentID("19700101")
	rev := account.Account{Login: reviewerNumber, AccountID: "reviewer-id", Role: account.RoleReviewer, Name: "审核员", PasswordHash: "x"}
	if err := w.Store.CreateAccount(context.Background(), rev); err != nil {
		t.Fatal(err)
	}
	w.idp.Add(localidp.Identity{Subject: "reviewer-number", IDType: string(identity.ResidentID), Number: reviewerNumber, Name: "审核员"})

	before := w.kinds(t)
	for _, subject := range []string{"other-name", "reviewer-number"} {
		authURL, _ := w.begin(t)
		to := w.back(t, w.authorize(t, authURL, subject).Query())
		if got := to.Query().Get("error"); got != federation.IdentityMismatch {
			t.Fatalf("%s: front end told %v", subject, to.Query())
		}
	}
	after := w.kinds(t)
	if after["ACCOUNT"] != before["ACCOUNT"] || after["FEDLINK"] != 0 || after["FEDCODE"] != 0 {
		t.Fatalf("items before %v, after %v", before, after)
	}
	if got := w.Account(a.Login); got.Name != "张三" || got.AccountID != a.AccountID {
		t.Fatalf("the account changed: %+v", got)
	}
}

func TestStartNeedsTheAgreement(t *testing.T) {
	w := newWorld(t)
	for _, body := range []any{map[string]any{"agreementAccepted": false}, map[string]any{}} {
		res := apitest.Call(t, w.start, apitest.Request{Method: "POST", Path: "/v1/federated-logins", Body: body})
		if res.Status != 422 || res.Field() != "agreementAccepted" {
			t.Fatalf("%v: %d %v", body, res.Status, res.Body)
		}
	}
	if res := apitest.Call(t, w.start, apitest.Request{Method: "POST", Path: "/v1/federated-logins", Body: map[string]any{"agreementAccepted": true, "returnTo": "x"}}); res.Status != 400 {
		t.Fatalf("an unknown field: %d", res.Status)
	}
	if n := w.kinds(t); n["FEDSTATE"] != 0 {
		t.Fatalf("a refused start kept a flow: %v", n)
	}
}

func TestAProviderThatCannotBeReachedIsAnOutage(t *testing.T) {
	k := testkit.New(t)
	p, err := federation.NewProvider(federation.Config{Issuer: "http://127.0.0.1:1/oidc", ClientID: "c", CallbackURL: callbackURL, ReturnURL: returnURL}, nil, k.Clock)
	if err != nil {
		t.Fatal(err)
	}
	res := apitest.Call(t, federation.NewStart(k.Store, p, k.Clock), apitest.Request{Method: "POST", Path: "/v1/federated-logins", Body: map[string]any{"agreementAccepted": true}})
	if res.Status != 503 || res.Code() != api.CodeUnavailable || res.RetryAfter() == 0 {
		t.Fatalf("start: %d %v", res.Status, res.Body)
	}
}

func TestTheConfigurationIsCheckedAtStart(t *testing.T) {
	ok := federation.Config{Issuer: "https://idp.moe.example/oidc", ClientID: "c", CallbackURL: callbackURL, ReturnURL: returnURL}
	if _, err := federation.NewProvider(ok, nil, testkit.New(t).Clock); err != nil {
		t.Fatal(err)
	}
	for name, broken := range map[string]func(*federation.Config){
		"http issuer":         func(c *federation.Config) { c.Issuer = "http://idp.moe.example/oidc" },
		"no client id":        func(c *federation.Config) { c.ClientID = "" },
		"relative callback":   func(c *federation.Config) { c.CallbackURL = "/v1/federated-logins/callback" },
		"return with a user":  func(c *federation.Config) { c.ReturnURL = "https://u:p@www.jszg.test/x" },
		"return with a frag":  func(c *federation.Config) { c.ReturnURL = "https://www.jszg.test/x#y" },
		"http non-loopback":   func(c *federation.Config) { c.CallbackURL = "http://10.0.0.1/cb" },
		"issuer not a URL at": func(c *federation.Config) { c.Issuer = "idp" },
	} {
		c := ok
		broken(&c)
		if _, err := federation.NewProvider(c, nil, testkit.New(t).Clock); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if got, err := federation.ParseTypeValues("1=resident_id, 2=hk_macau_permit"); err != nil || got["2"] != "hk_macau_permit" {
		t.Fatalf("type values: %v %v", got, err)
	}
	if _, err := federation.ParseTypeValues("1=passport"); err == nil {
		t.Fatal("a type value that is no idType was accepted")
	}
}

// A provider that spells document types its own way is read through the configured mapping.
func TestTypeValuesAreMapped(t *testing.T) {
	k := testkit.New(t)
	idp, err := localidp.Start(federation.Claims{Number: "zjhm", Type: "zjlx", Name: "xm"}, nil, k.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	cfg := idp.Config(callbackURL, returnURL)
	cfg.TypeValues = map[string]string{"01": "resident_id"}
	p, err := federation.NewProvider(cfg, nil, k.Clock)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{Kit: k, idp: idp, start: federation.NewStart(k.Store, p, k.Clock), callback: federation.NewCallback(k.Store, p, k.Clock),
		exchange: logincode.NewExchange(k.Store, k.Clock)}
	number := testkit.ResidentID("19900307")
	idp.Add(localidp.Identity{Subject: "typed", IDType: "01", Number: number, Name: "周八"})
	if res := w.federatedLogin(t, "typed"); res.Status != 201 {
		t.Fatalf("exchange: %d %v", res.Status, res.Body)
	}
	if a := w.Account(number); a.IDType != "resident_id" || a.Name != "周八" {
		t.Fatalf("account %+v", a)
	}
}
