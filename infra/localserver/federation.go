package localserver

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/jszg/applicant-accounts/shared/federation"
	"github.com/jszg/applicant-accounts/shared/federation/localidp"
)

// LocalReturnPath is the front end's page of local runs for the 教育部 login: it shows what
// the front end receives, ?code= (to exchange with the start's flowKey) or ?error=. When the
// pages are served, FederatedPagePath (the pages' own) is the default instead.
const LocalReturnPath = "/local/federated-login"

// FederatedPagePath and ResetPagePath are the pages (web/) that the 教育部 login returns to and
// that the reset mail's link opens.
const (
	FederatedPagePath = "/federated-login"
	ResetPagePath     = "/reset-password"
)

// FederationFromEnv is the 教育部 login's configuration of `make run`: FEDERATION_ISSUER and
// the rest as a deployment's template passes them; with no issuer, a local provider.
func FederationFromEnv() (federation.Config, error) {
	types, err := federation.ParseTypeValues(os.Getenv("FEDERATION_TYPE_VALUES"))
	if err != nil {
		return federation.Config{}, err
	}
	return federation.Config{
		Issuer:       os.Getenv("FEDERATION_ISSUER"),
		ClientID:     os.Getenv("FEDERATION_CLIENT_ID"),
		ClientSecret: os.Getenv("FEDERATION_CLIENT_SECRET"),
		CallbackURL:  os.Getenv("FEDERATION_CALLBACK_URL"),
		ReturnURL:    os.Getenv("FEDERATION_RETURN_URL"),
		Scopes:       federation.ParseScopes(cmp.Or(os.Getenv("FEDERATION_SCOPES"), "profile")),
		Claims: federation.Claims{
			Number: cmp.Or(os.Getenv("FEDERATION_NUMBER_CLAIM"), federation.DefaultClaims.Number),
			Type:   cmp.Or(os.Getenv("FEDERATION_TYPE_CLAIM"), federation.DefaultClaims.Type),
			Name:   cmp.Or(os.Getenv("FEDERATION_NAME_CLAIM"), federation.DefaultClaims.Name),
		},
		TypeValues: types,
	}, nil
}

// federation sets up the 教育部 unified login: the provider cfg.Federation names, else a
// local one on loopback (mockoidc) whose authorization page offers localidp.Identities().
// The callback is this server's own; the front end's page, unless configured, is
// LocalReturnPath.
func (s *Server) federation(ctx context.Context, cfg Config) error {
	fed := cfg.Federation
	if fed.Issuer == "" {
		idp, err := localidp.Start(federation.DefaultClaims, localidp.Identities(), cfg.Clock.Now)
		if err != nil {
			return fmt.Errorf("start the local 教育部 login: %w", err)
		}
		s.close = append(s.close, idp.Close)
		fed = idp.Config("", "")
		slog.InfoContext(ctx, "local 教育部 login (mockoidc) started", slog.String("issuer", fed.Issuer))
	}
	fed.CallbackURL = cmp.Or(fed.CallbackURL, s.URL+"/v1/federated-logins/callback")
	returnPath := LocalReturnPath
	if cfg.WebDir != "" {
		returnPath = FederatedPagePath
	}
	fed.ReturnURL = cmp.Or(fed.ReturnURL, s.URL+returnPath)
	p, err := federation.NewProvider(fed, nil, cfg.Clock)
	if err != nil {
		return err
	}
	s.Deps.Federation = p
	return nil
}

// localReturn serves LocalReturnPath: what the front end's page would receive.
func localReturn(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if code := q.Get("code"); code != "" {
		writeJSON(w, http.StatusOK, map[string]string{"code": code,
			"next": `POST /v1/federated-logins/exchange {"code": this code, "flowKey": the start's flowKey}`})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"error": q.Get("error")})
}
