package market

import (
	"errors"
	"fmt"
)

// Error codes shared by every adapter. The api package maps each to an HTTP
// status in one place; new codes are added here first.
const (
	EInvalid      = "invalid_input"  // the request is malformed or a field is wrong
	ENotFound     = "not_found"      // unknown, or not the caller's to see
	EConflict     = "conflict"       // the request clashes with the current state
	EUnauthorized = "unauthorized"   // not signed in
	EForbidden    = "forbidden"      // signed in, not allowed
	ETooLarge     = "body_too_large" // the request body exceeds the limit
	ERateLimited  = "rate_limited"   // too many requests; retry later
	EUnavailable  = "unavailable"    // a dependency is down; retry later
	EInternal     = "internal_error" // a bug or an unexpected failure
)

// Error is the domain error: a stable machine code, a human sentence (French
// first, it is shown to people) and optional per-field details.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
	}
	return e.Code + ": " + e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error naming one field and what is wrong with it.
func Invalid(field, problem string) *Error {
	return &Error{Code: EInvalid, Message: "Données invalides.", Fields: map[string]string{field: problem}}
}

// NotFound returns an ENotFound error for the named kind of thing.
func NotFound(what string) *Error {
	return &Error{Code: ENotFound, Message: what + " introuvable."}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and
// EInternal otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// ErrorMessage returns the human message of err if it is an *Error, and a
// generic sentence otherwise so that internal details never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Erreur interne."
}
