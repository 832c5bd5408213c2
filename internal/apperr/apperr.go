// Package apperr defines the application's error codes. Every layer wraps
// failures in an *Error carrying one of these codes; the HTTP layer maps the
// code to a status and writes application/problem+json in exactly one place.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error by what the caller can do about it.
type Code string

const (
	Invalid         Code = "invalid"            // the request is malformed or fails validation (400/422)
	Unprocessable   Code = "unprocessable"      // well-formed, but the object it acts on fails validation (422)
	NotFound        Code = "not_found"          // the resource does not exist or is not visible to the caller (404)
	Conflict        Code = "conflict"           // the resource is in a state that forbids the action (409)
	Forbidden       Code = "forbidden"          // the caller may see the resource but not act on it (403)
	Unauthenticated Code = "unauthenticated"    // no valid session or token (401)
	NotAllowed      Code = "method_not_allowed" // the endpoint exists but not for this method (405)
	StepUp          Code = "step_up_required"   // the action needs a recent login (401)
	TooLarge        Code = "too_large"          // the request body exceeds the limit (413)
	RateLimited     Code = "rate_limited"       // too many requests (429)
	Unavailable     Code = "unavailable"        // a dependency is down; retry later (503)
	Internal        Code = "internal"           // a bug or unexpected failure (500)
)

// FieldError names one invalid input field. Field is a JSON path such as
// "business_entity.address.postal_code".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the application error. Message is safe to show to the user;
// Err holds internal detail that is logged but never sent.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	default:
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error with a user-facing message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a code and user-facing message to an internal error.
func Wrap(err error, code Code, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// Validation builds an Invalid error from field errors.
func Validation(message string, fields ...FieldError) *Error {
	return &Error{Code: Invalid, Message: message, Fields: fields}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
