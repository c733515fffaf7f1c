package upkeep_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/api/apitest"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/notify/notifytest"
	"github.com/jszg/applicant-accounts/shared/password"
	"github.com/jszg/applicant-accounts/shared/profile"
	"github.com/jszg/applicant-accounts/shared/session"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/testkit"
	"github.com/jszg/applicant-accounts/shared/upkeep"
)

type world struct {
	*testkit.Kit
	ses                    *notifytest.SES
	pwH, phoneH, codeH, me api.HandlerFunc
}

func newWorld(t *testing.T) *world {
	k := testkit.New(t)
	ses := notifytest.NewSES(t)
	mailer := ses.Mailer("noreply@jszg.edu.cn")
	return &world{Kit: k, ses: ses,
		pwH:    upkeep.NewChangePassword(k.Store, k.Outbox, mailer, k.Clock),
		phoneH: upkeep.NewChangePhone(k.Store, k.Outbox, mailer, k.Clock, testkit.Pepper),
		codeH:  smscode.NewSend(k.Store, k.Outbox, k.Operators, testkit.SMSLimits, k.Clock, testkit.Pepper),
		me:     profile.NewMe(k.Store, k.Clock),
	}
}

func (w *world) put(t *testing.T, h api.HandlerFunc, path, tok string, body map[string]any) apitest.Result {
	t.Helper()
	return apitest.Call(t, h, apitest.Request{Method: "PUT", Path: path, Token: tok, Body: body})
}

func (w *world) getMe(t *testing.T, tok string) int {
	t.Helper()
	return apitest.Call(t, w.me, apitest.Request{Method: "GET", Path: "/v1/me", Token: tok}).Status
}

// A password change needs the current one, keeps the session that made it, ends the others
// and is told to the account's mobile and e-mail.
func TestChangePassword(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok, other := w.Token(a), w.Token(a)
	for name, c := range map[string]struct {
		body  map[string]any
		field string
	}{
		"weak":         {map[string]any{"currentPassword": testkit.Password, "newPassword": "nodigits#", "newPasswordConfirm": "nodigits#"}, "newPassword"},
		"confirmation": {map[string]any{"currentPassword": testkit.Password, "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026oK"}, "newPasswordConfirm"},
		"wrong":        {map[string]any{"currentPassword": "Wrong#2026ok", "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"}, "currentPassword"},
	} {
		if res := w.put(t, w.pwH, "/v1/me/password", tok, c.body); res.Status != 422 || res.Field() != c.field {
			t.Errorf("%s: %d %v", name, res.Status, res.Body)
		}
	}
	w.Env.Calls.Reset()
	res := w.put(t, w.pwH, "/v1/me/password", tok, map[string]any{"currentPassword": testkit.Password, "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"})
	if res.Status != 204 {
		t.Fatalf("change: %d %v", res.Status, res.Body)
	}
	// The session and the account with the attempt counted (in a transaction that holds
	// only while the session is live); the change with the attempt given back and the day's
	// notice counted: two round trips.
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 TransactWriteItems=2 UpdateItem=2" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	if ok, _ := password.Verify("Newer#2026ok", w.Account(a.Login).PasswordHash); !ok {
		t.Fatal("the new password does not verify")
	}
	if w.getMe(t, tok) != 200 || w.getMe(t, other) != 401 {
		t.Fatalf("sessions after the change: this %d, the other %d", w.getMe(t, tok), w.getMe(t, other))
	}
	msgs := w.Outbox.Messages()
	if last := msgs[len(msgs)-1]; last.To != a.Phone || !strings.Contains(last.Body, "密码已修改") {
		t.Fatalf("the mobile was not told: %+v", last)
	}
	if sent := w.ses.Sent(); len(sent) != 1 || sent[0].Destination.ToAddresses[0] != a.Email {
		t.Fatalf("the mail: %+v", sent)
	}
}

// The current password is guessed no faster than at the login page: five wrong ones lock.
func TestAStolenSessionGuessesLikeTheLoginPage(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	body := map[string]any{"currentPassword": "Wrong#2026ok", "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"}
	results := testkit.Race(2*session.MaxFailures, func(int) apitest.Result { return w.put(t, w.pwH, "/v1/me/password", tok, body) })
	wrong, locked := 0, 0
	for _, r := range results {
		switch r.Status {
		case 422:
			wrong++
		case 423:
			locked++
		default:
			t.Fatalf("%d %v", r.Status, r.Body)
		}
	}
	if wrong > session.MaxFailures-1 || locked < session.MaxFailures+1 {
		t.Fatalf("%d wrong, %d locked", wrong, locked)
	}
	body["currentPassword"] = testkit.Password
	if res := w.put(t, w.pwH, "/v1/me/password", tok, body); res.Status != 423 {
		t.Fatalf("the right password while locked: %d %v", res.Status, res.Body)
	}
}

// A new mobile is proven by a code sent to it; the old one is told.
func TestChangePhone(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok, other := w.Token(a), w.Token(a)
	newPhone := testkit.Phone()
	if res := apitest.Call(t, w.codeH, apitest.Request{Method: "POST", Path: "/v1/sms-codes",
		Body: map[string]any{"phone": newPhone, "purpose": "contact", "captcha": w.Solve()}}); res.Status != 202 {
		t.Fatalf("code: %d %v", res.Status, res.Body)
	}
	code := w.LastCode(newPhone)
	wrong := map[bool]string{true: "000001", false: "000000"}[code == "000000"]
	if res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": newPhone, "smsCode": wrong}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("a wrong code: %d %v", res.Status, res.Body)
	}
	if res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": "+85291234567", "smsCode": code}); res.Field() != "phone" {
		t.Fatalf("a Hong Kong mobile for a resident ID: %d %v", res.Status, res.Body)
	}
	res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": newPhone, "smsCode": code})
	if res.Status != 204 {
		t.Fatalf("change: %d %v", res.Status, res.Body)
	}
	if got := w.Account(a.Login).Phone; got != "+86"+newPhone {
		t.Fatalf("phone %s", got)
	}
	if w.getMe(t, tok) != 200 || w.getMe(t, other) != 401 {
		t.Fatal("sessions after the change")
	}
	var toldOld bool
	for _, m := range w.Outbox.Messages() {
		toldOld = toldOld || (m.To == a.Phone && strings.Contains(m.Body, "手机号码已更换"))
	}
	if !toldOld {
		t.Fatal("the old mobile was not told")
	}
	if res := w.put(t, w.phoneH, "/v1/me/phone", tok, map[string]any{"currentPassword": testkit.Password, "phone": testkit.Phone(), "smsCode": code}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("a spent code for another mobile: %d %v", res.Status, res.Body)
	}
}

var mailedCode = regexp.MustCompile(`验证码为(\d{6})`)

// A new address is proven by a code mailed to it and bound to it; the old one is told.
func TestChangeEmail(t *testing.T) {
	w := newWorld(t)
	mailer := w.ses.Mailer("noreply@jszg.edu.cn")
	sendH := upkeep.NewSendEmailCode(w.Store, mailer, w.Clock, testkit.Pepper)
	changeH := upkeep.NewChangeEmail(w.Store, w.Outbox, mailer, w.Clock, testkit.Pepper)
	a := w.Applicant("张三")
	tok, other := w.Token(a), w.Token(a)
	ask := func(addr string) apitest.Result {
		return apitest.Call(t, sendH, apitest.Request{Method: "POST", Path: "/v1/me/email-codes", Token: tok, Body: map[string]any{"email": addr}})
	}
	if res := ask(a.Email); res.Status != 422 || res.Field() != "email" {
		t.Fatalf("the same address: %d %v", res.Status, res.Body)
	}
	// The refusal's count was given back: 4 left after this one. The session with the day's
	// count alongside, then the code with the address's count: two round trips.
	w.Env.Calls.Reset()
	if res := ask("zhangsan@example.cn"); res.Status != 202 || res.Int("expiresIn") != 1800 || res.Int("remainingToday") != 4 {
		t.Fatalf("code: %d %v", res.Status, res.Body)
	}
	if got := w.Env.Calls.String(); got != "BatchGetItem=1 TransactWriteItems=1 UpdateItem=1" || w.Env.Calls.Trips() != 2 {
		t.Fatalf("requests: %s in %d round trips", got, w.Env.Calls.Trips())
	}
	sent := w.ses.Sent()
	last := sent[len(sent)-1]
	code := mailedCode.FindStringSubmatch(last.Content.Simple.Body.Text.Data)
	if last.Destination.ToAddresses[0] != "zhangsan@example.cn" || code == nil {
		t.Fatalf("the code mail: %+v", last)
	}
	if res := w.put(t, changeH, "/v1/me/email", tok, map[string]any{"currentPassword": testkit.Password, "email": "lisi@example.cn", "code": code[1]}); res.Code() != api.CodeCodeInvalid {
		t.Fatalf("the code for another address: %d %v", res.Status, res.Body)
	}
	if res := w.put(t, changeH, "/v1/me/email", tok, map[string]any{"currentPassword": testkit.Password, "email": "zhangsan@example.cn", "code": code[1]}); res.Status != 204 {
		t.Fatalf("change: %d %v", res.Status, res.Body)
	}
	if got := w.Account(a.Login).Email; got != "zhangsan@example.cn" {
		t.Fatalf("email %s", got)
	}
	if w.getMe(t, tok) != 200 || w.getMe(t, other) != 401 {
		t.Fatal("sessions after the change")
	}
	var toldOld bool
	for _, m := range w.ses.Sent() {
		toldOld = toldOld || (m.Destination.ToAddresses[0] == a.Email && strings.Contains(m.Content.Simple.Body.Text.Data, "电子邮箱已更换"))
	}
	if !toldOld {
		t.Fatal("the old address was not told")
	}
	for i := 1; i < upkeep.EmailCodesPerDay; i++ {
		if res := ask("wangwu@example.cn"); res.Status != 202 {
			t.Fatalf("code %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	if res := ask("wangwu@example.cn"); res.Status != 429 {
		t.Fatalf("a sixth code in a day: %d %v", res.Status, res.Body)
	}
}

// The current password's attempt is counted alongside the session: the forms refused before
// the compare, and the right passwords, give it back, so neither brings a lock nearer.
func TestOnlyWrongCurrentPasswordsCount(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	for i := 0; i < 2*session.MaxFailures; i++ {
		bad := map[string]any{"currentPassword": testkit.Password, "newPassword": "short", "newPasswordConfirm": "short"}
		if res := w.put(t, w.pwH, "/v1/me/password", tok, bad); res.Status != 422 || res.Field() != "newPassword" {
			t.Fatalf("a refused form: %d %v", res.Status, res.Body)
		}
	}
	for i := 0; i < session.MaxFailures-1; i++ {
		wrong := map[string]any{"currentPassword": "Wrong#2026ok", "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"}
		if res := w.put(t, w.pwH, "/v1/me/password", tok, wrong); res.Status != 422 || res.Field() != "currentPassword" {
			t.Fatalf("wrong password %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	right := map[string]any{"currentPassword": testkit.Password, "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"}
	if res := w.put(t, w.pwH, "/v1/me/password", tok, right); res.Status != 204 {
		t.Fatalf("the right password after four wrong ones: %d %v", res.Status, res.Body)
	}
}

// A token whose session has ended counts nothing: 20 changes sent at once with a logged-out
// token, right password or wrong, are each refused 401 and never reach the login's guard,
// so they cannot hold the holder's login with counts in flight; the holder logs in.
func TestAnEndedSessionsTokenCountsNoAttempt(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	if err := w.Env.Store.EndSession(t.Context(), authn.TokenHash(tok)); err != nil {
		t.Fatal(err)
	}
	results := testkit.Race(20, func(i int) apitest.Result {
		pw := map[bool]string{true: testkit.Password, false: "Wrong#2026ok"}[i%2 == 0]
		return w.put(t, w.pwH, "/v1/me/password", tok, map[string]any{"currentPassword": pw, "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"})
	})
	for i, r := range results {
		if r.Status != 401 {
			t.Fatalf("change %d with an ended session's token: %d %v", i, r.Status, r.Body)
		}
	}
	if strings.Contains(w.Env.Dump(t), "LOGIN#"+a.Login) {
		t.Fatal("an ended session's token counted at the login's guard")
	}
	login := session.NewLogin(w.Env.Store, w.Operators, w.Clock)
	if res := apitest.Call(t, login, apitest.Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"account": a.Login, "password": testkit.Password, "captcha": w.Solve()}}); res.Status != 201 {
		t.Fatalf("the holder's login: %d %v", res.Status, res.Body)
	}
}

// A session voided by a password changed elsewhere (its epoch left behind) is still there
// until its idle deadline, but its token counts no attempt: the count alongside holds only in
// the epoch the token's seal names, and a token whose seal names none is counted only after
// its session is found good. 20 changes of the password and the mobile at once, through each
// kind of token, are refused; the login's guard and the new mobile's code are untouched.
func TestAVoidedSessionsTokenCountsNoAttempt(t *testing.T) {
	for name, tokenOf := range map[string]func(w *world, a account.Account) string{
		"sealed with its epoch":   func(w *world, a account.Account) string { return w.Token(a) },
		"sealed without an epoch": func(w *world, a account.Account) string { return w.TokenBeforeTheEpoch(a) },
		"from before the seal":    func(w *world, a account.Account) string { return w.TokenBeforeTheSeal(a) },
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			a := w.Applicant("张三")
			stolen := tokenOf(w, a)
			phone, code, _ := w.texted(t)
			// The holder's change elsewhere moves the account and the holder's own session on.
			own := w.Token(a)
			newHash, err := password.Hash("Newer#2026ok")
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Env.Store.ChangeCredential(t.Context(), store.Change{Login: a.Login, Epoch: a.Epoch, SessionHash: authn.TokenHash(own), PasswordHash: newHash}, w.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			results := testkit.Race(20, func(i int) apitest.Result {
				pw := map[bool]string{true: "Newer#2026ok", false: "Wrong#2026ok"}[i%4 < 2]
				if i%2 == 0 {
					return w.put(t, w.pwH, "/v1/me/password", stolen, map[string]any{"currentPassword": pw, "newPassword": "Thief#2026ok", "newPasswordConfirm": "Thief#2026ok"})
				}
				return w.put(t, w.phoneH, "/v1/me/phone", stolen, map[string]any{"currentPassword": pw, "phone": phone, "smsCode": code})
			})
			for i, r := range results {
				if r.Status != 401 {
					t.Fatalf("change %d with a voided session's token: %d %v", i, r.Status, r.Body)
				}
			}
			if strings.Contains(w.Env.Dump(t), "LOGIN#"+a.Login) {
				t.Fatal("a voided session's token counted at the login's guard")
			}
			if n := w.codeAttempts(t, "CODE#contact#+86"+phone); n != 0 {
				t.Fatalf("the new mobile's code has %d tries counted", n)
			}
			login := session.NewLogin(w.Env.Store, w.Operators, w.Clock)
			if res := apitest.Call(t, login, apitest.Request{Method: "POST", Path: "/v1/sessions",
				Body: map[string]any{"account": a.Login, "password": "Newer#2026ok", "captcha": w.Solve()}}); res.Status != 201 {
				t.Fatalf("the holder's login: %d %v", res.Status, res.Body)
			}
		})
	}
}

// The session that changed the password goes on in the new epoch, while its token's seal
// names the old one: its next change is counted after the session's read (three round
// trips, not two), and still counts: five wrong passwords lock the login. So is a change
// through a token whose seal names no epoch, as tokens issued before seals did.
func TestASessionThatChangedItsPasswordCountsItsNextAttempts(t *testing.T) {
	for name, tokenOf := range map[string]func(t *testing.T, w *world, a account.Account) string{
		"sealed with the old epoch": func(t *testing.T, w *world, a account.Account) string {
			tok := w.Token(a)
			if res := w.put(t, w.pwH, "/v1/me/password", tok, map[string]any{"currentPassword": testkit.Password, "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"}); res.Status != 204 {
				t.Fatalf("the first change: %d %v", res.Status, res.Body)
			}
			return tok
		},
		"sealed without an epoch": func(_ *testing.T, w *world, a account.Account) string {
			return w.TokenBeforeTheEpoch(a)
		},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			a := w.Applicant("张三")
			tok := tokenOf(t, w, a)
			current := w.Account(a.Login)
			right := map[bool]string{true: "Newer#2026ok", false: testkit.Password}[current.Epoch > a.Epoch]
			for i := 1; i < session.MaxFailures; i++ {
				res := w.put(t, w.pwH, "/v1/me/password", tok, map[string]any{"currentPassword": "Wrong#2026ok", "newPassword": "Third#2026ok", "newPasswordConfirm": "Third#2026ok"})
				if res.Status != 422 || res.Field() != "currentPassword" {
					t.Fatalf("wrong password %d: %d %v", i, res.Status, res.Body)
				}
			}
			w.Env.Calls.Reset()
			if res := w.put(t, w.pwH, "/v1/me/password", tok, map[string]any{"currentPassword": "Wrong#2026ok", "newPassword": "Third#2026ok", "newPasswordConfirm": "Third#2026ok"}); res.Status != 423 {
				t.Fatalf("the fifth wrong password: %d %v", res.Status, res.Body)
			}
			// The session and account with the count refused or not tried; the count; the lock.
			if got, trips := w.Env.Calls.String(), w.Env.Calls.Trips(); trips != 3 || !strings.Contains(got, "UpdateItem=1") {
				t.Fatalf("requests: %s in %d round trips", got, trips)
			}
			if res := w.put(t, w.pwH, "/v1/me/password", tok, map[string]any{"currentPassword": right, "newPassword": "Third#2026ok", "newPasswordConfirm": "Third#2026ok"}); res.Status != 423 {
				t.Fatalf("the right password while locked: %d %v", res.Status, res.Body)
			}
		})
	}
}

// endingOnRead ends the session just after the gate read it: a logout on another tab, between
// the read and the attempt's count.
type endingOnRead struct{ *store.Store }

func (e endingOnRead) ReadSession(ctx context.Context, tok, tokenHash string) (account.Session, account.Account, error) {
	sess, acct, err := e.Store.ReadSession(ctx, tok, tokenHash)
	if err == nil {
		err = e.EndSession(ctx, tokenHash)
	}
	return sess, acct, err
}

// A session that ends between its read and the attempt's count is a caller not let in (401),
// with nothing counted. A token from before the seal is read first and counted after, which
// puts the logout in between.
func TestASessionEndedWhileItsChangeIsCheckedIsA401(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	old := w.TokenBeforeTheSeal(a)
	h := upkeep.NewChangePassword(endingOnRead{w.Env.Store}, w.Outbox, nil, w.Clock)
	res := w.put(t, h, "/v1/me/password", old, map[string]any{"currentPassword": testkit.Password, "newPassword": "Newer#2026ok", "newPasswordConfirm": "Newer#2026ok"})
	if res.Status != 401 || res.Code() != api.CodeUnauthenticated {
		t.Fatalf("a change whose session ended while it was checked: %d %v", res.Status, res.Body)
	}
	if strings.Contains(w.Env.Dump(t), "LOGIN#"+a.Login) {
		t.Fatal("counted at the login's guard")
	}
}

// A session can change the password as often as it likes, but its holder is told of at most
// notify.NoticesPerDay of them a day, by SMS and by mail: the notices are no channel of
// unlimited texts to the account's contacts. The next day they are told again.
func TestAHolderIsToldOfAtMostFiveChangesADay(t *testing.T) {
	w := newWorld(t)
	a := w.Applicant("张三")
	tok := w.Token(a)
	pws := []string{testkit.Password, "Newer#2026ok"}
	change := func(i int) {
		t.Helper()
		res := w.put(t, w.pwH, "/v1/me/password", tok, map[string]any{"currentPassword": pws[i%2], "newPassword": pws[(i+1)%2], "newPasswordConfirm": pws[(i+1)%2]})
		if res.Status != 204 {
			t.Fatalf("change %d: %d %v", i+1, res.Status, res.Body)
		}
	}
	told := func() (texts, mails int) {
		for _, m := range w.Outbox.Messages() {
			if m.To == a.Phone && strings.Contains(m.Body, "密码") {
				texts++
			}
		}
		for _, m := range w.ses.Sent() {
			if m.Destination.ToAddresses[0] == a.Email {
				mails++
			}
		}
		return texts, mails
	}
	for i := range notify.NoticesPerDay + 3 {
		change(i)
	}
	if texts, mails := told(); texts != notify.NoticesPerDay || mails != notify.NoticesPerDay {
		t.Fatalf("%d changes told by %d texts and %d mails, want %d each", notify.NoticesPerDay+3, texts, mails, notify.NoticesPerDay)
	}
	w.Clock.Advance(24 * time.Hour)
	tok = w.Token(w.Account(a.Login))
	change(notify.NoticesPerDay + 3)
	if texts, mails := told(); texts != notify.NoticesPerDay+1 || mails != notify.NoticesPerDay+1 {
		t.Fatalf("the next day: %d texts and %d mails in all", texts, mails)
	}
}

// Accounts naming one address as their new one (registration proves no address) have at
// most notify.MailsPerMailboxDay codes mailed to it a day between them; the refused one
// keeps no code and gives its account's count back.
func TestAnAddressGetsAtMostTheDaysCodesAcrossAccounts(t *testing.T) {
	w := newWorld(t)
	sendH := upkeep.NewSendEmailCode(w.Store, w.ses.Mailer("noreply@jszg.edu.cn"), w.Clock, testkit.Pepper)
	const victim = "victim@example.cn"
	sent, boxFull := 0, 0
	for i := range 3 {
		tok := w.Token(w.Applicant("张三"))
		for j := range upkeep.EmailCodesPerDay {
			// Spellings of one mailbox share its day: case, and a +tag.
			addr := [...]string{victim, "Victim@Example.cn", "victim+" + strconv.Itoa(i*10+j) + "@example.cn"}[j%3]
			switch res := apitest.Call(t, sendH, apitest.Request{Method: "POST", Path: "/v1/me/email-codes", Token: tok, Body: map[string]any{"email": addr}}); {
			case res.Status == 202:
				sent++
			case res.Status == 429 && strings.Contains(res.Message(), "该邮箱今日"):
				boxFull++
			default:
				t.Fatalf("a code: %d %v", res.Status, res.Body)
			}
		}
	}
	if sent != notify.MailsPerMailboxDay || len(w.ses.Sent()) != sent || boxFull != 3*upkeep.EmailCodesPerDay-sent {
		t.Fatalf("%d codes mailed (%d mails), %d refused for the address", sent, len(w.ses.Sent()), boxFull)
	}
	// Another address is mailed; so is this one the next day.
	tok := w.Token(w.Applicant("李四"))
	for _, addr := range []string{"other@example.cn", victim} {
		if addr == victim {
			w.Clock.Advance(24 * time.Hour)
			tok = w.Token(w.Applicant("王五"))
		}
		if res := apitest.Call(t, sendH, apitest.Request{Method: "POST", Path: "/v1/me/email-codes", Token: tok, Body: map[string]any{"email": addr}}); res.Status != 202 {
			t.Fatalf("%s: %d %v", addr, res.Status, res.Body)
		}
	}
}

// A code refused because its address has had the day's mails leaves the code mailed before
// to that address live: asking again does not void it.
func TestARefusedCodeLeavesTheLiveOne(t *testing.T) {
	w := newWorld(t)
	mailer := w.ses.Mailer("noreply@jszg.edu.cn")
	sendH := upkeep.NewSendEmailCode(w.Store, mailer, w.Clock, testkit.Pepper)
	changeH := upkeep.NewChangeEmail(w.Store, w.Outbox, mailer, w.Clock, testkit.Pepper)
	const addr = "shared@example.cn"
	ask := func(tok string) apitest.Result {
		return apitest.Call(t, sendH, apitest.Request{Method: "POST", Path: "/v1/me/email-codes", Token: tok, Body: map[string]any{"email": addr}})
	}
	holder := w.Applicant("张三")
	tok := w.Token(holder)
	if res := ask(tok); res.Status != 202 {
		t.Fatalf("the holder's code: %d %v", res.Status, res.Body)
	}
	sent := w.ses.Sent()
	code := mailedCode.FindStringSubmatch(sent[len(sent)-1].Content.Simple.Body.Text.Data)
	for filled := 1; filled < notify.MailsPerMailboxDay; {
		other := w.Token(w.Applicant("李四"))
		for range upkeep.EmailCodesPerDay {
			if filled < notify.MailsPerMailboxDay && ask(other).Status == 202 {
				filled++
			}
		}
	}
	if res := ask(tok); res.Status != 429 {
		t.Fatalf("a code past the address's day: %d %v", res.Status, res.Body)
	}
	if res := w.put(t, changeH, "/v1/me/email", tok, map[string]any{"currentPassword": testkit.Password, "email": addr, "code": code[1]}); res.Status != 204 {
		t.Fatalf("the code mailed before the refusal: %d %v", res.Status, res.Body)
	}
}
