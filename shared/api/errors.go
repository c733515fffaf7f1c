// Package api turns API Gateway HTTP API (payload v2) events into handler calls and handler
// results into the contract of SPEC §2: strict JSON in, the error shape with stable codes and
// zh-CN messages out, the 1 MiB limit, request ids in every log line. Internal errors are
// logged with their cause and shown only as a generic 500.
package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/jszg/applicant-accounts/shared/identity"
)

// Error is an answer the client is meant to see. Cause, when set, is logged and never sent.
type Error struct {
	Status     int
	Code       string
	Message    string
	Field      string
	RetryAfter int
	Cause      error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// body is the wire shape of an error.
func (e *Error) body() map[string]any {
	inner := map[string]any{"code": e.Code, "message": e.Message}
	if e.Field != "" {
		inner["field"] = e.Field
	}
	if e.RetryAfter > 0 {
		inner["retryAfter"] = e.RetryAfter
	}
	return map[string]any{"error": inner}
}

// The stable codes of SPEC §2, plus the two server-side ones it leaves to us.
const (
	CodeBadRequest           = "BAD_REQUEST"
	CodePayloadTooLarge      = "PAYLOAD_TOO_LARGE"
	CodeInvalidField         = "INVALID_FIELD"
	CodeCaptchaFailed        = "CAPTCHA_FAILED"
	CodeCodeInvalid          = "CODE_INVALID"
	CodeQuotaExceeded        = "QUOTA_EXCEEDED"
	CodeAccountExists        = "ACCOUNT_EXISTS"
	CodeAccountNotFound      = "ACCOUNT_NOT_FOUND"
	CodeLoginFailed          = "LOGIN_FAILED"
	CodeAccountLocked        = "ACCOUNT_LOCKED"
	CodeUnauthenticated      = "UNAUTHENTICATED"
	CodeProfileIncomplete    = "PROFILE_INCOMPLETE"
	CodeVerificationRequired = "VERIFICATION_REQUIRED"
	CodeReviewPending        = "REVIEW_PENDING"
	CodeAlreadyDecided       = "ALREADY_DECIDED"
	CodeAlreadyVerified      = "ALREADY_VERIFIED"
	CodeVerifyOnlineFirst    = "VERIFY_ONLINE_FIRST"
	CodeForbidden            = "FORBIDDEN"
	CodeNotFound             = "NOT_FOUND"
	CodeWechatBound          = "WECHAT_BOUND" // a binding code for an account already bound
	// CodeUnavailable is a dependency outage (SMS, mail, identity provider): retry later.
	CodeUnavailable = "SERVICE_UNAVAILABLE"
	// CodeInternal is everything unexpected; its cause is in the log under the request id.
	CodeInternal = "INTERNAL"
)

// BadRequest is a body that is not the JSON the route takes.
func BadRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: msg}
}

// Invalid is a field that breaks a rule, in the rule's words (identity.RuleError messages are
// written for the applicant).
func Invalid(field string, err error) *Error {
	msg := "该项填写不正确"
	var re *identity.RuleError
	if errors.As(err, &re) {
		msg = re.Message
	}
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidField, Message: msg, Field: field}
}

// InvalidAt is the 422 of an identity.FieldError, at the field it names.
func InvalidAt(err error) *Error {
	var fe *identity.FieldError
	if errors.As(err, &fe) {
		return Invalid(fe.Field, fe.Err)
	}
	return Invalid("", err)
}

// InvalidField is a field that breaks a rule described by msg.
func InvalidField(field, msg string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidField, Message: msg, Field: field}
}

// CaptchaFailed is a slider answer that is wrong, expired or used.
func CaptchaFailed() *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeCaptchaFailed, Message: "滑块验证未通过或已过期，请重新拖动滑块完成验证"}
}

// CodeInvalid is an SMS code or reset token that is wrong, expired, used or voided.
func CodeInvalid(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeCodeInvalid, Message: msg}
}

// QuotaExceeded says when the quota rolls over.
func QuotaExceeded(msg string, retryAfter int) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: CodeQuotaExceeded, Message: msg, RetryAfter: retryAfter}
}

// Conflict is a 409 with one of the conflict codes.
func Conflict(code, msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: code, Message: msg}
}

// Forbidden is a 403 with one of the gate codes.
func Forbidden(code, msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: code, Message: msg}
}

// Unauthenticated is a missing, unknown, expired or revoked session.
func Unauthenticated() *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Message: "登录已失效，请重新登录"}
}

// NotFound is an unknown route or resource.
func NotFound(msg string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: msg}
}

// Unavailable is a dependency that failed; the cause is logged.
func Unavailable(msg string, retryAfter int, cause error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: msg, RetryAfter: retryAfter, Cause: cause}
}

func internal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "系统繁忙，请稍后重试", Cause: cause}
}

func payloadTooLarge() *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodePayloadTooLarge, Message: "请求内容超过1 MiB"}
}

// Retryable is a failure of the moment after which the same request may simply be sent again
// (the store's contention or throttling): it is answered 503 with its pause.
type Retryable interface {
	error
	RetryAfterSeconds() int
}

// IsBusy reports a Retryable failure: the store was busy and nothing the request asked for
// was done, so a handler gives back what the request had spent so far (a slider, a code's
// try, an attempt) and sending it again costs nothing. A dependency that failed (SMS, mail,
// the identity provider) is not that: it may have done its part before failing.
func IsBusy(err error) bool {
	var r Retryable
	return errors.As(err, &r)
}

// answerOf is the answer to a handler's error: an *Error as it is, a Retryable as 503, and
// anything else as 500.
func answerOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var r Retryable
	if errors.As(err, &r) {
		return Unavailable("系统繁忙，请稍后重试", r.RetryAfterSeconds(), err)
	}
	return internal(err)
}

// CodeOf is the contract's code of an error a handler returned ("" for none or an internal
// one), for the counts operators watch.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
