package federation

import (
	"context"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/logincode"
	"github.com/jszg/applicant-accounts/shared/sitetext"
	"github.com/jszg/applicant-accounts/shared/store"
	"github.com/jszg/applicant-accounts/shared/token"
)

// StartStore seals a login's flow into its state.
type StartStore interface {
	NewFederatedState(f store.FederatedFlow) string
}

type startRequest struct {
	AgreementAccepted bool `json:"agreementAccepted"`
}

type started struct {
	AuthorizationURL string `json:"authorizationUrl"`
	FlowKey          string `json:"flowKey"`
	ExpiresIn        int    `json:"expiresIn"`
}

// NewStart answers POST /v1/federated-logins: a new login at the provider. The answer is
// the provider's authorization URL, carrying a fresh state, nonce and PKCE challenge (S256),
// for the browser to open; and a flow key the front end keeps, without which the login's
// code cannot be exchanged. A first login creates an account, which records the user
// agreement accepted here, so every start accepts it. No round trip: the flow (nonce, PKCE
// verifier, the flow key's hash, the agreement) is sealed into the state, which the callback
// opens and spends. The provider's discovery document is read on a function's first request.
func NewStart(db StartStore, p *Provider, clk clock.Clock) api.HandlerFunc {
	agreementVersion := sitetext.AgreementVersion()
	return func(ctx context.Context, r *api.Request) (*api.Response, error) {
		var in startRequest
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		if !in.AgreementAccepted {
			return nil, api.InvalidField("agreementAccepted", "请阅读并同意《中国教师资格网用户账号注册协议》")
		}
		found, err := p.discover(ctx)
		if err != nil {
			return nil, providerDown(err)
		}
		nonce, flowKey := token.New(logincode.SecretBytes), token.New(logincode.SecretBytes)
		verifier := oauth2.GenerateVerifier()
		now := clk.Now()
		state := db.NewFederatedState(store.FederatedFlow{
			Nonce: nonce, Verifier: verifier, Binding: logincode.Binding(flowKey),
			AgreementVersion: agreementVersion, AcceptedAt: now.UTC().Format(time.RFC3339),
			ExpiresAt: now.Add(FlowTTL).Unix(),
		})
		return api.JSON(http.StatusCreated, started{
			AuthorizationURL: found.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)),
			FlowKey:          flowKey,
			ExpiresIn:        int(FlowTTL / time.Second),
		}), nil
	}
}

func providerDown(cause error) error {
	return api.Unavailable("教育部统一身份认证暂时无法访问，请稍后重试，或使用证件号码和密码登录", 30, cause)
}
