// Package awscall makes the one AWS call an adapter needs (SES SendEmail, SNS Publish) as the
// SDK's client for the service makes it: the same request, signed with Signature Version 4,
// at the service's standard endpoint, retried by the SDK's own standard retryer. It links
// none of the service's SDK package: a service package builds its schemas and endpoint tables
// at every cold start of every function that links it, for a call a function seldom makes
// (measured on the bench: sesv2 adds about 220 page faults and 7 ms of CPU to a start, sns
// about 120 and 4 ms).
package awscall

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Service names an AWS service as the SDK does.
type Service struct {
	ID             string // the SDK's service id, for errors: "SESv2", "SNS"
	SigningName    string // "ses", "sns"
	EndpointPrefix string // "email", "sns"
}

// Client calls one service.
type Client struct {
	service  Service
	endpoint string
	region   string
	creds    aws.CredentialsProvider // nil: requests go unsigned (aws.AnonymousCredentials)
	http     aws.HTTPClient
	retryer  aws.Retryer
	signer   *v4.Signer
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
}

// New is a client of service as cfg configures the SDK's (region, credentials, HTTP client,
// retryer, RetryMaxAttempts), at endpoint when set (an emulator), else at the service's
// standard endpoint for the region.
func New(cfg aws.Config, service Service, endpoint *string) *Client {
	c := &Client{
		service: service,
		region:  cfg.Region,
		creds:   cfg.Credentials,
		http:    cfg.HTTPClient,
		signer:  v4.NewSigner(),
		now:     time.Now,
		sleep:   sleep,
	}
	if endpoint != nil {
		c.endpoint = strings.TrimSuffix(*endpoint, "/")
	} else {
		c.endpoint = StandardEndpoint(service.EndpointPrefix, cfg.Region)
	}
	if _, anonymous := c.creds.(aws.AnonymousCredentials); anonymous {
		c.creds = nil
	}
	if c.http == nil {
		c.http = awshttp.NewBuildableClient()
	}
	if cfg.Retryer != nil {
		c.retryer = cfg.Retryer()
	} else {
		c.retryer = retry.NewStandard()
	}
	if cfg.RetryMaxAttempts > 0 {
		c.retryer = retry.AddWithMaxAttempts(c.retryer, cfg.RetryMaxAttempts)
	}
	return c
}

// StandardEndpoint is the service's endpoint in region, as the SDK's endpoint rules give it
// (neither FIPS nor dual-stack): https://prefix.region.amazonaws.com, .amazonaws.com.cn in
// China, .amazonaws.eu in the European Sovereign Cloud.
func StandardEndpoint(prefix, region string) string {
	suffix := "amazonaws.com"
	switch {
	case strings.HasPrefix(region, "cn-"):
		suffix = "amazonaws.com.cn"
	case strings.HasPrefix(region, "eusc-"):
		suffix = "amazonaws.eu"
	}
	return "https://" + prefix + "." + region + "." + suffix
}

// DecodeError reads a service's error answer (a non-2xx status): its error code and message.
type DecodeError func(header http.Header, body []byte) (code, message string)

// Do sends one request (method, path, a body of contentType) and returns the answer's body.
// A refusal is the error the SDK makes of an answer it has no type for: a
// smithy.GenericAPIError (code and message read by decode) in a smithyhttp.ResponseError
// (the status); a request that could not be sent is a smithyhttp.RequestSendError. Retryable
// failures are tried again as the SDK's retryer decides.
func (c *Client) Do(ctx context.Context, operation, method, path, contentType string, body []byte, decode DecodeError) ([]byte, error) {
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	var releaseRetry func(error) error
	for attempt := 1; ; attempt++ {
		out, err := c.attempt(ctx, method, path, contentType, body, payloadHash, decode)
		if err == nil {
			if releaseRetry != nil {
				_ = releaseRetry(nil) // a success gives the retry's cost back to the retryer's quota
			}
			return out, nil
		}
		if !c.retryer.IsErrorRetryable(err) {
			return nil, c.operationError(operation, err)
		}
		if max := c.retryer.MaxAttempts(); max > 0 && attempt >= max {
			return nil, c.operationError(operation, &retry.MaxAttemptsError{Attempt: attempt, Err: err})
		}
		release, terr := c.retryer.GetRetryToken(ctx, err)
		if terr != nil {
			return nil, c.operationError(operation, err)
		}
		releaseRetry = release
		delay, derr := c.retryer.RetryDelay(attempt, err)
		if derr != nil {
			return nil, c.operationError(operation, err)
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			return nil, c.operationError(operation, &smithy.CanceledError{Err: serr})
		}
	}
}

func (c *Client) operationError(operation string, err error) error {
	return &smithy.OperationError{ServiceID: c.service.ID, OperationName: operation, Err: err}
}

func (c *Client) attempt(ctx context.Context, method, path, contentType string, body []byte, payloadHash string, decode DecodeError) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if c.creds != nil {
		creds, err := c.creds.Retrieve(ctx)
		if err != nil {
			return nil, fmt.Errorf("retrieve credentials: %w", err)
		}
		if err := c.signer.SignHTTP(ctx, creds, req, payloadHash, c.service.SigningName, c.region, c.now().UTC()); err != nil {
			return nil, fmt.Errorf("sign request: %w", err)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &smithy.CanceledError{Err: ctx.Err()}
		}
		return nil, &smithyhttp.RequestSendError{Err: err}
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		if ctx.Err() != nil {
			return nil, &smithy.CanceledError{Err: ctx.Err()}
		}
		return nil, &smithyhttp.RequestSendError{Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		code, message := decode(resp.Header, answer)
		if code == "" {
			code = "UnknownError"
		}
		fault := smithy.FaultClient
		if resp.StatusCode >= 500 {
			fault = smithy.FaultServer
		}
		return nil, &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: resp},
			Err:      &smithy.GenericAPIError{Code: code, Message: message, Fault: fault},
		}
	}
	return answer, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
