package federation_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/federation"
	"github.com/jszg/applicant-accounts/shared/logincode"
	"github.com/jszg/applicant-accounts/shared/metrics"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/store/storetest"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/token"
)

// Every failed or tampered callback is told to the front end as its own error, and creates
// nothing: no account, no link, no login code.
func TestTamperedCallbacksCreateNothing(t *testing.T) {
	for _, c := range []struct {
		name string
		want string
		// run returns the callback's query, after whatever tampering the case is about.
		run func(t *testing.T, w *world, subject string) url.Values
	}{
		{"the provider refused", federation.RefusedByProvider, func(t *testing.T, w *world, subject string) url.Values {
			authURL, _ := w.begin(t)
			u, _ := url.Parse(authURL)
			return url.Values{"error": {"access_denied"}, "state": {u.Query().Get("state")}}
		}},
		{"no state", federation.StateInvalid, func(t *testing.T, w *world, subject string) url.Values {
			q := w.authorize(t, first(w.begin(t)), subject).Query()
			q.Del("state")
			return q
		}},
		{"a state never issued", federation.StateInvalid, func(t *testing.T, w *world, subject string) url.Values {
			q := w.authorize(t, first(w.begin(t)), subject).Query()
			q.Set("state", "forged-"+q.Get("state"))
			return q
		}},
		// The provider refuses the code it exchanged already, and the state is found spent: a
		// callback opened again. At a provider that answers the code again, the spending
		// refuses (TestAStateSpentStopsACodeTheProviderAnswersTwice).
		{"a state used already", federation.StateInvalid, func(t *testing.T, w *world, subject string) url.Values {
			q := w.authorize(t, first(w.begin(t)), subject).Query()
			w.back(t, q) // the first use logs in (and creates the account: reset below)
			w.forget(t)
			return q
		}},
		{"a state used already, spelled again with a line feed", federation.StateInvalid, func(t *testing.T, w *world, subject string) url.Values {
			// The same authorization URL opened twice gives two codes for one state; the
			// state's second spelling (base64 decoders skip line breaks) must not be a
			// second, unspent state.
			authURL := first(w.begin(t))
			used, again := w.authorize(t, authURL, subject).Query(), w.authorize(t, authURL, subject).Query()
			w.back(t, used)
			w.forget(t)
			state := again.Get("state")
			again.Set("state", state[:5]+"\n"+state[5:])
			return again
		}},
		{"an expired state", federation.StateInvalid, func(t *testing.T, w *world, subject string) url.Values {
			q := w.authorize(t, first(w.begin(t)), subject).Query()
			w.Clock.Advance(federation.FlowTTL + time.Second)
			return q
		}},
		{"another issuer named (RFC 9207)", federation.StateInvalid, func(t *testing.T, w *world, subject string) url.Values {
			q := w.authorize(t, first(w.begin(t)), subject).Query()
			q.Set("iss", "https://evil.example/oidc")
			return q
		}},
		{"a replayed code", federation.CodeRejected, func(t *testing.T, w *world, subject string) url.Values {
			used := w.authorize(t, first(w.begin(t)), subject).Query()
			w.back(t, used)
			w.forget(t)
			fresh := w.authorize(t, first(w.begin(t)), subject).Query()
			fresh.Set("code", used.Get("code"))
			return fresh
		}},
		{"a code issued for another login's challenge", federation.CodeRejected, func(t *testing.T, w *world, subject string) url.Values {
			mine := w.authorize(t, first(w.begin(t)), subject).Query()
			theirs := w.authorize(t, first(w.begin(t)), subject).Query()
			mine.Set("code", theirs.Get("code")) // PKCE: my verifier does not fit their challenge
			return mine
		}},
		{"no code", federation.CodeRejected, func(t *testing.T, w *world, subject string) url.Values {
			q := w.authorize(t, first(w.begin(t)), subject).Query()
			q.Del("code")
			return q
		}},
		{"a bad signature", federation.TokenInvalid, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Forge(w.idp.SignWithOtherKey)
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"a token tampered after signing", federation.TokenInvalid, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Forge(func(tok string) string {
				parts := strings.Split(tok, ".")
				parts[1] = strings.Map(func(r rune) rune {
					if r == 'A' {
						return 'B'
					}
					return r
				}, parts[1])
				return strings.Join(parts, ".")
			})
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"a wrong audience", federation.TokenInvalid, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { c["aud"] = []string{"another-client"} })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"another issuer in the token", federation.TokenInvalid, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { c["iss"] = "https://evil.example/oidc" })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"an expired token", federation.TokenInvalid, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { c["exp"] = w.Clock.Now().Add(-time.Minute).Unix() })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"another nonce", federation.TokenInvalid, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { c["nonce"] = "replayed-nonce" })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"no nonce", federation.TokenInvalid, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { delete(c, "nonce") })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"no document number", federation.ClaimMissing, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { delete(c, federation.DefaultClaims.Number) })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"no document type", federation.ClaimMissing, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { delete(c, federation.DefaultClaims.Type) })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"no name", federation.ClaimMissing, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { c[federation.DefaultClaims.Name] = "" })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"a number that is no document number", federation.ClaimMissing, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { c[federation.DefaultClaims.Number] = "110105199003071230" })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"a number given as a JSON number", federation.ClaimMissing, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { c[federation.DefaultClaims.Number] = 12345678 })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
		{"no subject", federation.ClaimMissing, func(t *testing.T, w *world, subject string) url.Values {
			w.idp.Tweak(func(c map[string]any) { delete(c, "sub") })
			return w.authorize(t, first(w.begin(t)), subject).Query()
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			logs := testkit.CaptureLogs(t)
			who := w.person("韩梅梅")
			q := c.run(t, w, who.Subject)
			to := w.back(t, q)
			if got := to.Query().Get("error"); got != c.want {
				t.Fatalf("front end told %v, want error=%s", to.Query(), c.want)
			}
			if n := w.kinds(t); n["ACCOUNT"] != 0 || n["FEDLINK"] != 0 || n["FEDCODE"] != 0 {
				t.Fatalf("a refused callback left %v", n)
			}
			got := logs.String()
			if !strings.Contains(got, `"reason":"`+c.want+`"`) {
				t.Fatalf("the refusal's reason is not logged:\n%s", got)
			}
			for _, secret := range []string{q.Get("code"), q.Get("state"), who.Subject, who.Number, who.Name} {
				if secret != "" && strings.Contains(got, secret) {
					t.Fatalf("%q is in the logs:\n%s", secret, got)
				}
			}
		})
	}
}

// first is the first of two results.
func first(a, _ string) string { return a }

// forget deletes what a successful login made (the account, the link, the code), so that a
// case can show what its own callback makes: nothing.
func (w *world) forget(t *testing.T) {
	t.Helper()
	out, err := w.Env.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(storetest.Table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range out.Items {
		pk := item["pk"].(*types.AttributeValueMemberS).Value
		if strings.HasPrefix(pk, "ACCOUNT#") || strings.HasPrefix(pk, "FEDLINK#") || strings.HasPrefix(pk, "FEDCODE#") {
			if _, err := w.Env.Client.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{
				TableName: aws.String(storetest.Table), Key: map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]},
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// The one-time code: once, within two minutes, only with the flow key of the start that
// began the login; a reset between the callback and the exchange voids it.
func TestTheLoginCodeIsSingleUseAndBoundToItsStart(t *testing.T) {
	w := newWorld(t)
	who := w.person("王芳")
	codeFor := func() (string, string) {
		authURL, flowKey := w.begin(t)
		return w.back(t, w.authorize(t, authURL, who.Subject).Query()).Query().Get("code"), flowKey
	}
	refused := func(what string, res apitest.Result) {
		t.Helper()
		if res.Status != 400 || res.Code() != api.CodeCodeInvalid {
			t.Fatalf("%s: %d %v", what, res.Status, res.Body)
		}
	}

	code, flowKey := codeFor()
	if res := w.trade(t, code, flowKey); res.Status != 201 {
		t.Fatalf("exchange: %d %v", res.Status, res.Body)
	}
	refused("the same code again", w.trade(t, code, flowKey))

	code, _ = codeFor()
	_, otherKey := w.begin(t)
	refused("another start's flow key (a planted link)", w.trade(t, code, otherKey))
	refused("the right flow key after a wrong one: the code is spent", w.trade(t, code, flowKey))

	code, flowKey = codeFor()
	w.Clock.Advance(logincode.CodeTTL + time.Second)
	refused("an expired code", w.trade(t, code, flowKey))

	code, flowKey = codeFor()
	if _, err := w.Env.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(storetest.Table), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "ACCOUNT#" + who.Number}, "sk": &types.AttributeValueMemberS{Value: "ACCOUNT"}},
		UpdateExpression: aws.String("ADD epoch :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
	}); err != nil {
		t.Fatal(err)
	}
	refused("a code from before a password reset", w.trade(t, code, flowKey))
	refused("a code never issued", w.trade(t, "never-issued-code-never-issued-code-never-is", flowKey))

	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"flowKey": flowKey}, "code"},
		{map[string]any{"code": code}, "flowKey"},
		{map[string]any{"code": strings.Repeat("x", 513), "flowKey": flowKey}, "code"},
	} {
		res := apitest.Call(t, w.exchange, apitest.Request{Method: "POST", Path: "/v1/federated-logins/exchange", Body: c.body})
		if res.Status != 422 || res.Field() != c.field {
			t.Fatalf("%v: %d %v", c.body, res.Status, res.Body)
		}
	}
}

func TestOneCodeMakesOneSessionUnderRace(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			who := w.person("赵敏")
			authURL, flowKey := w.begin(t)
			code := w.back(t, w.authorize(t, authURL, who.Subject).Query()).Query().Get("code")
			w.Env.Faults.Set(fault)
			results := testkit.Race(8, func(int) apitest.Result { return w.trade(t, code, flowKey) })
			w.Env.Faults.Set(storetest.NoFault)
			ok := 0
			for _, r := range results {
				switch {
				case r.Status == 201:
					ok++
				case r.Status != 400 || r.Code() != api.CodeCodeInvalid:
					t.Fatalf("an exchange: %d %v", r.Status, r.Body)
				}
			}
			if ok != 1 {
				t.Fatalf("%d sessions from one code", ok)
			}
			if n := w.kinds(t); n["SESSION"] != 1 {
				t.Fatalf("items %v", n)
			}
		})
	}
}

// N first logins of one identity at once (each its own start and provider code): one
// account, one link, and every login gets in.
func TestConcurrentFirstLoginsMakeOneAccountAndOneLink(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			who := w.person("孙悟空")
			const n = 6
			queries, keys := make([]url.Values, n), make([]string, n)
			for i := range n {
				authURL, flowKey := w.begin(t)
				queries[i], keys[i] = w.authorize(t, authURL, who.Subject).Query(), flowKey
			}
			w.Env.Faults.Set(fault)
			pages := testkit.Race(n, func(i int) *url.URL { return w.back(t, queries[i]) })
			w.Env.Faults.Set(storetest.NoFault)
			accountIDs := map[string]bool{}
			for i, to := range pages {
				code := to.Query().Get("code")
				if code == "" {
					t.Fatalf("login %d refused: %v", i, to.Query())
				}
				res := w.trade(t, code, keys[i])
				if res.Status != 201 {
					t.Fatalf("login %d: %d %v", i, res.Status, res.Body)
				}
				me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: res.Str("token")})
				accountIDs[me.Str("accountId")] = true
			}
			if got := w.kinds(t); got["ACCOUNT"] != 1 || got["FEDLINK"] != 1 || len(accountIDs) != 1 {
				t.Fatalf("items %v, accounts logged in to %v", got, accountIDs)
			}
		})
	}
}

// N first logins of one identity whose number is registered: linked once.
func TestConcurrentFirstLoginsLinkARegisteredAccountOnce(t *testing.T) {
	for name, fault := range testkit.RaceFaults {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			a := w.Verified(w.Applicant("周杰"))
			who := w.person("周杰")
			who.Number = a.Login
			w.idp.Add(who)
			const n = 6
			queries, keys := make([]url.Values, n), make([]string, n)
			for i := range n {
				authURL, flowKey := w.begin(t)
				queries[i], keys[i] = w.authorize(t, authURL, who.Subject).Query(), flowKey
			}
			w.Env.Faults.Set(fault)
			pages := testkit.Race(n, func(i int) *url.URL { return w.back(t, queries[i]) })
			w.Env.Faults.Set(storetest.NoFault)
			for i, to := range pages {
				res := w.trade(t, to.Query().Get("code"), keys[i])
				me := apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: res.Str("token")})
				if res.Status != 201 || me.Str("accountId") != a.AccountID {
					t.Fatalf("login %d: %d %v, me %v", i, res.Status, res.Body, me.Body)
				}
			}
			if got := w.kinds(t); got["ACCOUNT"] != 1 || got["FEDLINK"] != 1 {
				t.Fatalf("items %v", got)
			}
		})
	}
}

// A table busy past the store's retries answers 503 and spends nothing: the same exchange
// succeeds afterwards.
func TestABusyStoreSpendsNoLoginCode(t *testing.T) {
	w := newWorld(t)
	who := w.person("钱七")
	authURL, flowKey := w.begin(t)
	code := w.back(t, w.authorize(t, authURL, who.Subject).Query()).Query().Get("code")
	w.Env.Faults.Set(storetest.ConflictAlways)
	res := w.trade(t, code, flowKey)
	w.Env.Faults.Set(storetest.NoFault)
	if res.Status != 503 || res.RetryAfter() != 1 {
		t.Fatalf("busy: %d %v", res.Status, res.Body)
	}
	if res := w.trade(t, code, flowKey); res.Status != 201 {
		t.Fatalf("the same exchange afterwards: %d %v", res.Status, res.Body)
	}
}

// A busy table at the callback sends the front end SERVICE_UNAVAILABLE; the login is started
// again, and nothing half-made is left.
func TestABusyStoreAtTheCallbackIsAnOutage(t *testing.T) {
	w := newWorld(t)
	who := w.person("吴九")
	q := w.authorize(t, first(w.begin(t)), who.Subject).Query()
	w.Env.Faults.Set(storetest.ConflictAlways)
	to := w.back(t, q)
	w.Env.Faults.Set(storetest.NoFault)
	if got := to.Query().Get("error"); got != federation.Unavailable {
		t.Fatalf("front end told %v", to.Query())
	}
	if n := w.kinds(t); n["ACCOUNT"] != 0 || n["FEDLINK"] != 0 || n["FEDCODE"] != 0 {
		t.Fatalf("items %v", n)
	}
	if res := w.federatedLogin(t, who.Subject); res.Status != 201 {
		t.Fatalf("again: %d %v", res.Status, res.Body)
	}
}

// At a provider that answers a code exchanged twice, the state alone stops a replayed
// callback: it was spent by the first.
func TestAStateSpentStopsACodeTheProviderAnswersTwice(t *testing.T) {
	w := newWorld(t)
	w.idp.AnswerCodesTwice()
	who := w.person("周芷若")
	q := w.authorize(t, first(w.begin(t)), who.Subject).Query()
	if code := w.back(t, q).Query().Get("code"); code == "" {
		t.Fatal("the first callback was refused")
	}
	w.forget(t)
	logs := testkit.CaptureLogs(t)
	if got := w.back(t, q).Query().Get("error"); got != federation.StateInvalid {
		t.Fatalf("the same callback again: error=%q", got)
	}
	if n := w.kinds(t); n["ACCOUNT"] != 0 || n["FEDLINK"] != 0 || n["FEDCODE"] != 0 {
		t.Fatalf("a replayed callback left %v", n)
	}
	if !strings.Contains(logs.String(), "spent by an earlier callback") {
		t.Fatalf("the refusal's cause is not logged:\n%s", logs)
	}
}

// Twenty callbacks naming one state and its code at once (a browser's retries, a replayed
// address): one finishes the login, every other is refused, one account is made; at a
// provider that exchanges the code once, and at one that answers it every time, where the
// state's spending decides.
func TestOneStateFinishesOneLoginUnderRace(t *testing.T) {
	for _, provider := range []string{"one exchange a code", "a code answered twice"} {
		for name, fault := range testkit.RaceFaults {
			t.Run(provider+", "+name, func(t *testing.T) {
				w := newWorld(t)
				if provider == "a code answered twice" {
					w.idp.AnswerCodesTwice()
				}
				who := w.person("张无忌")
				q := w.authorize(t, first(w.begin(t)), who.Subject).Query()
				w.Env.Faults.Set(fault)
				pages := testkit.Race(20, func(int) *url.URL { return w.back(t, q) })
				w.Env.Faults.Set(storetest.NoFault)
				codes, spent := 0, 0
				for _, to := range pages {
					switch got := to.Query(); {
					case got.Get("code") != "":
						codes++
					case got.Get("error") == federation.StateInvalid:
						spent++
					case got.Get("error") != federation.CodeRejected:
						t.Fatalf("a callback: %v", got)
					}
				}
				if codes != 1 {
					t.Fatalf("%d login codes from one state", codes)
				}
				if provider == "a code answered twice" && spent != 19 {
					t.Fatalf("%d of the other 19 refused for the state spent", spent)
				}
				if n := w.kinds(t); n["ACCOUNT"] != 1 || n["FEDLINK"] != 1 || n["FEDCODE"] != 1 || n["FEDSTATE"] != 1 {
					t.Fatalf("items %v", n)
				}
			})
		}
	}
}

// A login started before the flow was sealed into its state kept the flow in the table; its
// callback, within the ten minutes after the deploy, still finishes it, taking the flow
// first (three round trips), and once only.
func TestALoginStartedBeforeTheSealFinishes(t *testing.T) {
	w := newWorld(t)
	who := w.person("黄蓉")
	authURL, flowKey := w.begin(t)
	u, _ := url.Parse(authURL)
	q := u.Query()
	flow, ok := w.Store.OpenFederatedState(q.Get("state"))
	if !ok {
		t.Fatal("the start's state does not open")
	}
	// The same flow as a start made it before the seal: a plain random state, the flow kept
	// under its hash.
	plain := token.New(logincode.SecretBytes)
	if err := w.Store.StartFederatedFlow(context.Background(), federation.StateHash(plain), flow); err != nil {
		t.Fatal(err)
	}
	q.Set("state", plain)
	u.RawQuery = q.Encode()
	back := w.authorize(t, u.String(), who.Subject).Query()
	w.Env.Calls.Reset()
	to := w.back(t, back)
	if got, trips := w.Env.Calls.String(), w.Env.Calls.Trips(); got != "BatchGetItem=1 TransactWriteItems=1 UpdateItem=1" || trips != 3 {
		t.Fatalf("callback's requests: %s in %d round trips (%v)", got, trips, to.Query())
	}
	if res := w.trade(t, to.Query().Get("code"), flowKey); res.Status != 201 {
		t.Fatalf("exchange: %d %v", res.Status, res.Body)
	}
	if got := w.back(t, back).Query().Get("error"); got != federation.StateInvalid {
		t.Fatalf("the kept flow's state again: error=%q", got)
	}
}

// A state that is not one of ours costs nothing: no read, no write, no provider request;
// one of a start from before the seal (43 characters) is looked for, once.
func TestAForgedStateIsRefusedWithoutARequest(t *testing.T) {
	w := newWorld(t)
	who := w.person("杨过")
	q := w.authorize(t, first(w.begin(t)), who.Subject).Query()
	state := q.Get("state")
	for name, forged := range map[string]string{
		"altered":          state[:len(state)/2] + map[bool]string{true: "A", false: "B"}[state[len(state)/2] != 'A'] + state[len(state)/2+1:],
		"cut short":        state[:60],
		"a slider's id":    w.Store.SealCaptcha(store.Captcha{X: 1, Y: 1, Expires: w.Clock.Now().Add(time.Minute)}),
		"43 random, kept?": token.New(logincode.SecretBytes),
	} {
		w.Env.Calls.Reset()
		forgedQuery := url.Values{"state": {forged}, "code": {q.Get("code")}}
		if got := w.back(t, forgedQuery).Query().Get("error"); got != federation.StateInvalid {
			t.Fatalf("%s: error=%q", name, got)
		}
		want := 0
		if len(forged) == 43 {
			want = 1 // the DeleteItem of a flow kept before the seal, which finds none
		}
		if got := w.Env.Calls.Total(); got != want {
			t.Fatalf("%s: %d requests (%s), want %d", name, got, w.Env.Calls, want)
		}
	}
	// The real state still logs in: nothing above spent it or its code.
	if code := w.back(t, q).Query().Get("code"); code == "" {
		t.Fatal("the real callback was refused after the forged ones")
	}
}

// The mark of a spent state outlives the state by an hour, so that DynamoDB's TTL cannot
// delete it while a second callback that passed the expiry check is still in flight.
func TestASpentStatesMarkOutlivesTheState(t *testing.T) {
	w := newWorld(t)
	who := w.person("小龙女")
	u, _ := url.Parse(first(w.begin(t)))
	flow, ok := w.Store.OpenFederatedState(u.Query().Get("state"))
	if !ok {
		t.Fatal("the start's state does not open")
	}
	if code := w.back(t, w.authorize(t, u.String(), who.Subject).Query()).Query().Get("code"); code == "" {
		t.Fatal("the callback was refused")
	}
	out, err := w.Env.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(storetest.Table)})
	if err != nil {
		t.Fatal(err)
	}
	marks := 0
	for _, item := range out.Items {
		if pk := item["pk"].(*types.AttributeValueMemberS).Value; strings.HasPrefix(pk, "FEDSTATE#") {
			marks++
			exp := item["expiresAt"].(*types.AttributeValueMemberN).Value
			if want := strconv.FormatInt(flow.ExpiresAt+3600, 10); exp != want || len(item) != 4 || item["putBy"] == nil {
				t.Fatalf("the mark %v: expiresAt %s, want %s, and nothing but its key and the put's mark", item, exp, want)
			}
		}
	}
	if marks != 1 {
		t.Fatalf("%d marks", marks)
	}
}

// The spend's reply lost on the way (the write landed): the SDK sends it again, meets the
// mark its first attempt wrote, and the login goes on, where it would have been refused as a
// state spent by another.
func TestALostReplyToTheSpendStillLogsIn(t *testing.T) {
	w := newWorld(t)
	who := w.person("郭靖")
	authURL, flowKey := w.begin(t)
	q := w.authorize(t, authURL, who.Subject).Query()
	w.Env.Faults.LoseFirstReplyWhere(func(target string, body []byte) bool {
		return target == "PutItem" && strings.Contains(string(body), "FEDSTATE#")
	})
	to := w.back(t, q)
	w.Env.Faults.Set(storetest.NoFault)
	if w.Env.Faults.Injected() != 1 {
		t.Fatalf("%d replies lost", w.Env.Faults.Injected())
	}
	if res := w.trade(t, to.Query().Get("code"), flowKey); res.Status != 201 {
		t.Fatalf("after a lost reply: %v, exchange %d %v", to.Query(), res.Status, res.Body)
	}
}

// A table too busy to spend the state is an outage (SERVICE_UNAVAILABLE, nothing made), not
// a failure of the provider, whose alarm it must not raise.
func TestABusySpendIsAnOutageNotTheProviders(t *testing.T) {
	w := newWorld(t)
	who := w.person("黄药师")
	q := w.authorize(t, first(w.begin(t)), who.Subject).Query()
	later := w.authorize(t, first(w.begin(t)), who.Subject).Query()
	var counted testkit.SafeBuffer
	prev := metrics.Out
	metrics.Out = &counted
	t.Cleanup(func() { metrics.Out = prev })
	w.Env.Faults.ThrottleWhere(func(target string, body []byte) bool {
		return target == "PutItem" && strings.Contains(string(body), "FEDSTATE#")
	})
	to := w.back(t, q)
	w.Env.Faults.Set(storetest.NoFault)
	if got := to.Query().Get("error"); got != federation.Unavailable {
		t.Fatalf("error=%q", got)
	}
	if n := w.kinds(t); n["ACCOUNT"] != 0 || n["FEDLINK"] != 0 || n["FEDCODE"] != 0 || n["FEDSTATE"] != 0 {
		t.Fatalf("a busy spend left %v", n)
	}
	if strings.Contains(counted.String(), "ProviderFailures") {
		t.Fatalf("a busy table was counted as the provider's failure:\n%s", counted.String())
	}
	// The provider down is counted: the same check can fail.
	w.idp.Close()
	if got := w.back(t, later).Query().Get("error"); got != federation.Unavailable {
		t.Fatalf("provider down: error=%q", got)
	}
	if !strings.Contains(counted.String(), `"ProviderFailures":1`) {
		t.Fatalf("the provider's failure was not counted:\n%s", counted.String())
	}
}
