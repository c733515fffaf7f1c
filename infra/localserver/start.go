package localserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	miniserver "github.com/truora/minidyn/server"

	"github.com/jszg/applicant-accounts/infra/samtemplate"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/federation"
	"github.com/jszg/applicant-accounts/shared/idv"
	"github.com/jszg/applicant-accounts/shared/notify"
	"github.com/jszg/applicant-accounts/shared/notify/awsses"
	"github.com/jszg/applicant-accounts/shared/notify/awssns"
	"github.com/jszg/applicant-accounts/shared/quota"
	"github.com/jszg/applicant-accounts/shared/reviewer"
	"github.com/jszg/applicant-accounts/shared/sitetext"
	"github.com/jszg/applicant-accounts/shared/smscode"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/wechat"
	"github.com/jszg/applicant-accounts/shared/wxservice"
)

// Config is what `make run` reads from its environment.
type Config struct {
	Template         string  // path of template.yaml
	Addr             string  // where to listen, e.g. 127.0.0.1:3000
	Table            string  // table name
	DynamoDBEndpoint *string // nil: embedded minidyn
	SNSEndpoint      *string // nil: SMS to the outbox
	SESEndpoint      *string // nil: mail to the outbox
	SMSSenderID      string
	SESSender        string
	ResetLinkBase    string // "": the local reset page, <URL>/reset-password
	// WebDir is the built pages (web/dist) served at / beside the API; "": the API alone.
	WebDir       string
	GuideURL     string // the CTID guide's address; "": sitetext.DefaultGuideURL
	CursorSecret string
	CodePepper   string
	SealKey      string // seals session tokens' logins and sliders' answers; "": a local-only key
	// SlidersPerMinute is how many sliders one address gets per minute, SMSPerAddressHour how
	// many SMS, SMSHourlyBudget all SMS an hour; 0: the deployed defaults.
	SlidersPerMinute  int
	SMSPerAddressHour int
	SMSHourlyBudget   int
	// JobEvery is how often the scheduled functions run locally; 0 never.
	JobEvery time.Duration
	AWS      aws.Config
	Clock    clock.Clock

	// Federation is the 教育部 unified login; with no Issuer, a local provider is started.
	Federation federation.Config
}

// Server is a running local system.
type Server struct {
	URL   string
	Deps  *Deps
	http  *http.Server
	close []func()
}

// Start brings up the store (embedded unless an endpoint is given, creating the table where
// it is missing), the senders and the routes, and listens on cfg.Addr.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	s := &Server{}
	guideURL := cmp.Or(cfg.GuideURL, sitetext.DefaultGuideURL)
	if err := sitetext.CheckGuideURL(guideURL); err != nil {
		return nil, fmt.Errorf("CTID_GUIDE_URL: %w", err)
	}
	endpoint := cfg.DynamoDBEndpoint
	if endpoint == nil {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("listen for the embedded DynamoDB: %w", err)
		}
		db := &http.Server{Handler: miniserver.NewServer(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = db.Serve(ln) }()
		s.close = append(s.close, func() { _ = db.Close() })
		endpoint = aws.String("http://" + ln.Addr().String())
		slog.InfoContext(ctx, "embedded DynamoDB (minidyn) started", slog.String("endpoint", *endpoint))
	}
	// One client serves every function here; deployed, each Lambda instance has its own and
	// its own retry quota (a token bucket that a retry ending in an error does not refill),
	// so one quota for all would be drained by what AWS spreads over many instances.
	client := store.NewClient(cfg.AWS, endpoint, func(so *retry.StandardOptions) { so.RateLimiter = ratelimit.None })
	if err := store.CreateTable(ctx, client, cfg.Table); err != nil {
		s.Close()
		return nil, err
	}
	if err := store.WaitActive(ctx, client, cfg.Table, 2*time.Minute); err != nil {
		s.Close()
		return nil, err
	}
	if err := store.CheckTransactions(ctx, client, cfg.Table); err != nil {
		s.Close()
		return nil, err
	}
	if cfg.DynamoDBEndpoint != nil {
		// minidyn has no TTL API; a real DynamoDB-compatible server gets expiry turned on.
		if err := store.EnableTTL(ctx, client, cfg.Table); err != nil {
			slog.WarnContext(ctx, "TTL not enabled; expired items are still read as absent", slog.String("err", err.Error()))
		}
	}
	d := &Deps{
		Store: store.New(client, cfg.Table).WithSealKey([]byte(cmp.Or(cfg.SealKey, "local-only-seal-key-not-for-deployment"))), Clock: cfg.Clock, GuideURL: guideURL,
		ResetLinkBase: cfg.ResetLinkBase, Provider: idv.Simulator{}, Calendar: clock.China(),
		CursorSecret: []byte(cfg.CursorSecret), CodePepper: []byte(cfg.CodePepper), Operators: logTopic{},
		SlidersPerMinute: cmp.Or(cfg.SlidersPerMinute, quota.SlidersPerAddressMinute),
		SMSLimits: smscode.Limits{
			PerAddressHour: cmp.Or(cfg.SMSPerAddressHour, quota.SMSPerAddressHour),
			HourlyBudget:   cmp.Or(cfg.SMSHourlyBudget, quota.SMSHourlyBudget),
		},
	}
	fakeWechat := httptest.NewServer(&wechat.FakeAPI{AppID: LocalWechat.AppID, AppSecret: LocalWechatAppSecret, Now: cfg.Clock.Now})
	s.close = append(s.close, fakeWechat.Close)
	d.WechatTokens = wxservice.NewTokens(d.Store, wechat.API{Base: fakeWechat.URL, AppID: LocalWechat.AppID,
		AppSecret: LocalWechatAppSecret, HTTP: fakeWechat.Client()}, cfg.Clock)
	d.Outbox = notify.NewOutbox(cfg.Clock.Now)
	d.SMS, d.Mail = d.Outbox, d.Outbox
	if cfg.SNSEndpoint != nil {
		d.SMS = awssns.NewSMS(cfg.AWS, cfg.SNSEndpoint, cfg.SMSSenderID)
	}
	if cfg.SESEndpoint != nil {
		d.Mail = awsses.NewMailer(cfg.AWS, cfg.SESEndpoint, cfg.SESSender)
	}
	if err := seedReviewer(ctx, d.Store, cfg.Clock.Now()); err != nil {
		s.Close()
		return nil, err
	}
	s.Deps = d
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	s.close = append(s.close, func() { _ = ln.Close() })
	s.URL = "http://" + ln.Addr().String()
	d.ResetLinkBase = cmp.Or(d.ResetLinkBase, s.URL+ResetPagePath)
	if err := s.federation(ctx, cfg); err != nil {
		s.Close()
		return nil, err
	}

	fns, err := samtemplate.Load(cfg.Template)
	if err != nil {
		s.Close()
		return nil, err
	}
	h, err := New(fns, Handlers(d), d)
	if err != nil {
		s.Close()
		return nil, err
	}
	// A client that trickles its headers or its body holds a connection and a goroutine: the
	// headers get 10 s, the whole request (a 1 MiB body on a slow line) a minute.
	if cfg.WebDir != "" {
		if h, err = Pages(cfg.WebDir, h); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.http = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	go func() { _ = s.http.Serve(ln) }()
	if cfg.JobEvery > 0 {
		jobCtx, stop := context.WithCancel(context.Background())
		s.close = append(s.close, stop)
		go runJobs(jobCtx, Jobs(d), cfg.JobEvery)
	}
	return s, nil
}

// runJobs runs the scheduled functions now and then every interval. They are idempotent, so
// a laptop's timer standing in for EventBridge Scheduler changes nothing but timing.
func runJobs(ctx context.Context, jobs map[string]func(context.Context) error, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for name, job := range jobs {
			if err := job(ctx); err != nil && ctx.Err() == nil {
				slog.ErrorContext(ctx, "scheduled job failed", slog.String("job", name), slog.String("err", err.Error()))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// logTopic stands in for the operators' SNS topic: reports go to the log.
type logTopic struct{}

func (logTopic) Publish(ctx context.Context, subject, message string) error {
	slog.WarnContext(ctx, "operators' report", slog.String("subject", subject), slog.String("message", message))
	return nil
}

// Close stops the server and the embedded store.
func (s *Server) Close() {
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.http.Shutdown(ctx)
		cancel()
	}
	for _, c := range s.close {
		c()
	}
}

// LocalWechat is the service account of local runs: in 安全模式, with a fixed token and
// EncodingAESKey, so a tester can sign messages by hand or let POST /local/wechat/{openid} do it.
var LocalWechat = wechat.Config{AppID: "wxlocal000000000", Token: "local-wechat-token", AESKey: localWechatKey()}

func localWechatKey() []byte {
	k, err := wechat.DecodeAESKey(LocalWechatAESKey)
	if err != nil {
		panic(err)
	}
	return k
}

// LocalWechatAppSecret is the AppSecret of LocalWechat, which the in-process fake of WeChat's
// API takes for the access token behind binding QR codes.
const LocalWechatAppSecret = "local-wechat-app-secret"

// LocalWechatAESKey is the EncodingAESKey of LocalWechat.
const LocalWechatAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

// The local reviewer of SPEC §4, and the base32 secret of its second factor. A second one,
// with the same password and second factor, gives a correction the other reviewer's
// approval it takes (casework.NeedsSecondReviewer).
const (
	LocalReviewer          = "reviewer"
	LocalSecondReviewer    = "reviewer2"
	LocalReviewerPassword  = "Reviewer#2026"
	LocalReviewerOTPSecret = "JBSWY3DPEHPK3PXP"
)

// seedReviewer makes the local reviewers, or gives ones kept in the store from an earlier
// run SPEC's password and second factor.
func seedReviewer(ctx context.Context, db *store.Store, now time.Time) error {
	for login, name := range map[string]string{LocalReviewer: "本地审核员", LocalSecondReviewer: "本地审核员二"} {
		err := reviewer.Create(ctx, db, login, name, LocalReviewerPassword, LocalReviewerOTPSecret, now)
		if errors.Is(err, reviewer.ErrExists) {
			err = reviewer.Enroll(ctx, db, login, LocalReviewerPassword, LocalReviewerOTPSecret, now)
		}
		if err != nil {
			return fmt.Errorf("seed the local reviewer %s: %w", login, err)
		}
	}
	return nil
}
