package server

// Patched (applicant-accounts): TransactWriteItems honours ClientRequestToken, as DynamoDB
// does. The SDK fills the token in and sends the same one on each of its retries, so a
// transaction whose reply was lost is not made a second time (where its own first attempt
// would fail its conditions). See third_party/PATCHES.md.

import (
	"crypto/sha256"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// idempotencyWindow is how long DynamoDB answers a token it has seen as it did the first
// time: "valid for 10 minutes after the first request that uses it is completed".
const idempotencyWindow = 10 * time.Minute

// maxTokenLength is the API's limit on ClientRequestToken.
const maxTokenLength = 36

type madeTransaction struct {
	params [32]byte
	at     time.Time
}

// checkToken reads the input's ClientRequestToken: the token (empty when there is none), the
// digest of the other parameters, and whether a transaction with the same token and
// parameters was made within the window; an error when the token is empty or too long, or
// came with other parameters. Must hold c.mu.
func (c *Client) checkToken(input *TransactWriteItemsInput) (string, [32]byte, bool, error) {
	token := aws.ToString(input.ClientRequestToken)
	if input.ClientRequestToken == nil {
		return "", [32]byte{}, false, nil
	}

	if token == "" || len(token) > maxTokenLength {
		return "", [32]byte{}, false, &smithy.GenericAPIError{
			Code:    "ValidationException",
			Message: "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 1 and 36",
		}
	}

	c.forgetExpired()

	other := *input
	other.ClientRequestToken = nil

	body, err := json.Marshal(other) // map keys sorted: the same parameters, the same bytes
	if err != nil {
		return "", [32]byte{}, false, err
	}

	params := sha256.Sum256(body)

	earlier, ok := c.made[token]
	switch {
	case !ok:
		return token, params, false, nil
	case earlier.params != params:
		return "", params, false, &smithy.GenericAPIError{
			Code:    "IdempotentParameterMismatchException",
			Message: "The request uses the same client token as a previous, but non-identical request.",
		}
	default:
		return token, params, true, nil
	}
}

// remember records a transaction made under token. Must hold c.mu.
func (c *Client) remember(token string, params [32]byte) {
	if token == "" {
		return
	}

	c.made[token] = madeTransaction{params: params, at: c.now()}
	c.madeOrder = append(c.madeOrder, token)
}

// forgetExpired drops the tokens whose window has passed, oldest first. Must hold c.mu.
func (c *Client) forgetExpired() {
	now := c.now()

	i := 0
	for ; i < len(c.madeOrder); i++ {
		t := c.madeOrder[i]
		if now.Sub(c.made[t].at) <= idempotencyWindow {
			break
		}

		delete(c.made, t)
	}

	c.madeOrder = c.madeOrder[i:]
}
