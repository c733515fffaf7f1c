// Command local is `make run`: every route of template.yaml on 127.0.0.1, with an embedded
// DynamoDB, an outbox for SMS and mail, and no AWS account. See README.md for its settings.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/jszg/applicant-accounts/infra/localserver"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/federation"
	"github.com/jszg/applicant-accounts/shared/sitetext"
)

func main() {
	slog.SetDefault(api.NewLogger(os.Stdout))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := localserver.Start(ctx, localserver.Config{
		Template:          env("TEMPLATE", "template.yaml"),
		Addr:              "127.0.0.1:" + env("PORT", "3000"),
		Table:             env("TABLE_NAME", "applicant-accounts"),
		DynamoDBEndpoint:  awsenv.Endpoint("DYNAMODB_ENDPOINT"),
		SNSEndpoint:       awsenv.Endpoint("SNS_ENDPOINT"),
		SESEndpoint:       awsenv.Endpoint("SES_ENDPOINT"),
		SMSSenderID:       os.Getenv("SMS_SENDER_ID"),
		SESSender:         env("SES_SENDER", "noreply@jszg.edu.cn"),
		ResetLinkBase:     os.Getenv("RESET_LINK_BASE_URL"),
		WebDir:            os.Getenv("WEB_DIR"),
		GuideURL:          env("CTID_GUIDE_URL", sitetext.DefaultGuideURL),
		CursorSecret:      env("CURSOR_SECRET", "local-only-cursor-secret-not-for-deployment"),
		CodePepper:        env("SMS_CODE_PEPPER", "local-only-sms-code-pepper-not-for-deployment"),
		SealKey:           os.Getenv("SEAL_KEY"),
		SlidersPerMinute:  number("SLIDERS_PER_ADDRESS_MINUTE"),
		SMSPerAddressHour: number("SMS_PER_ADDRESS_HOUR"),
		SMSHourlyBudget:   number("SMS_HOURLY_BUDGET"),
		JobEvery:          time.Hour,
		Federation:        federationConfig(),
		AWS:               awsenv.Config(),
		Clock:             clock.System{},
	})
	if err != nil {
		slog.Error("local server did not start", slog.String("err", err.Error()))
		os.Exit(1)
	}
	slog.Info("serving the API of template.yaml", slog.String("url", srv.URL))
	if prefix := os.Getenv("CPU_PROFILE"); prefix != "" {
		go profileOnSignal(ctx, prefix)
	}
	<-ctx.Done()
	srv.Close()
}

// profileOnSignal writes a CPU profile of the server between a SIGUSR1 and the next SIGUSR2,
// to prefix-1.pprof, prefix-2.pprof…: bench/load profiles its attacks only, not their set-up.
func profileOnSignal(ctx context.Context, prefix string) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGUSR1, syscall.SIGUSR2)
	var out *os.File
	n := 0
	stopProfile := func() {
		if out != nil {
			pprof.StopCPUProfile()
			out.Close()
			out = nil
		}
	}
	defer stopProfile()
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-signals:
			stopProfile()
			if sig != syscall.SIGUSR1 {
				continue
			}
			n++
			f, err := os.Create(prefix + "-" + strconv.Itoa(n) + ".pprof")
			if err == nil {
				err = pprof.StartCPUProfile(f)
			}
			if err != nil {
				slog.Error("CPU profile", slog.String("err", err.Error()))
				continue
			}
			out = f
		}
	}
}

// federationConfig is the 教育部 login's settings (README); none: a local provider.
func federationConfig() federation.Config {
	cfg, err := localserver.FederationFromEnv()
	if err != nil {
		slog.Error("FEDERATION_TYPE_VALUES", slog.String("err", err.Error()))
		os.Exit(1)
	}
	return cfg
}

// number is a whole-number setting, or 0 when it is not set.
func number(name string) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil && os.Getenv(name) != "" {
		slog.Error("not a whole number", slog.String("variable", name))
		os.Exit(1)
	}
	return n
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
