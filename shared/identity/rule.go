// Package identity holds the applicant-facing rules of SPEC §1 as pure functions: document
// types and numbers, validity periods, names, passwords, e-mail, mobile numbers, ethnicities
// and the local identity cards of Hong Kong, Macau and Taiwan. Nothing here does I/O, so every
// rule can be broken on purpose in a table test.
package identity

import (
	"strings"
	"unicode"
)

// RuleError is a broken rule, worded for the applicant in zh-CN. It carries no field name:
// the form that applies the rule knows which field it checked.
type RuleError struct {
	Message string
}

func (e *RuleError) Error() string { return e.Message }

func broken(msg string) error { return &RuleError{Message: msg} }

// FieldError is a broken rule at a field of the contract's forms, for the checks that span
// more than one field (a document's type and number, a validity period's two ends).
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

const msgHalfWidth = "请使用半角（英文输入法）数字、字母和符号，不要使用全角字符"

// isFullWidth reports the full-width forms of ASCII and the ideographic space, which Chinese
// input methods produce and which look like their half-width twins on screen.
func isFullWidth(r rune) bool {
	return (r >= 0xFF01 && r <= 0xFF5E) || r == 0x3000
}

func hasFullWidth(s string) bool {
	return strings.ContainsFunc(s, isFullWidth)
}

// trim removes surrounding white space, including the ideographic space that a pasted value
// often carries; inner full-width characters are left for the rules to refuse.
func trim(s string) string {
	return strings.TrimFunc(s, unicode.IsSpace)
}

func isASCIIDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isASCIILetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isASCIIDigit(r) {
			return false
		}
	}
	return true
}
