package notify

import (
	"context"
	"errors"

	"github.com/aws/smithy-go"
)

// FailureCode names a failed AWS call without its message: SNS and SES put the phone number
// or address at fault in their messages, and those must not reach a log line.
func FailureCode(err error) string {
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	default:
		return "transport error"
	}
}
