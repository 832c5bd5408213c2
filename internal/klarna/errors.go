package klarna

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// Error is a failed Klarna call: the HTTP status and Klarna's error body, or
// a transport failure (Err). It unwraps to an *apperr.Error so callers can
// use apperr.CodeOf, and to the transport cause.
type Error struct {
	Operation        Operation
	HTTPStatus       int // 0 when no response was received
	ErrorID          string
	ErrorType        string
	ErrorCode        string
	ErrorMessage     string
	ValidationErrors []ValidationError
	CorrelationID    string
	Retries          int
	// RetryAfter is when Klarna said to try again (Retry-After, or the
	// rate-limit reset), on a 429 or 5xx the client gave up retrying.
	RetryAfter time.Duration
	Err        error // transport cause, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "klarna %s", e.Operation)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.HTTPStatus)
	}
	if e.ErrorCode != "" {
		fmt.Fprintf(&b, " %s", e.ErrorCode)
	}
	if e.ErrorMessage != "" {
		fmt.Fprintf(&b, ": %s", e.ErrorMessage)
	}
	for _, v := range e.ValidationErrors {
		fmt.Fprintf(&b, "; %s: %s", v.Parameter, v.message())
	}
	if e.ErrorID != "" {
		fmt.Fprintf(&b, " (error_id %s)", e.ErrorID)
	}
	if e.CorrelationID != "" {
		fmt.Fprintf(&b, " (correlation_id %s)", e.CorrelationID)
	}
	if e.Retries > 0 {
		fmt.Fprintf(&b, " after %d retries", e.Retries)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (v ValidationError) message() string {
	if v.Reason != "" {
		return v.Reason
	}
	return v.ErrorMessage
}

// Unwrap exposes the apperr classification and the transport cause.
func (e *Error) Unwrap() []error {
	errs := []error{e.AppError()}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// AppError maps the failure onto the application's error codes.
func (e *Error) AppError() *apperr.Error {
	switch {
	case errors.Is(e.Err, ErrSimulator):
		return &apperr.Error{Code: apperr.Unavailable, Message: "Partner Desk is configured against the Klarna simulator outside a demo", Err: ErrSimulator}
	case e.HTTPStatus == 0:
		return &apperr.Error{Code: apperr.Unavailable, Message: "Klarna could not be reached; try again later"}
	case e.HTTPStatus == http.StatusBadRequest && e.ErrorCode == CodeInvalidContentType:
		return &apperr.Error{Code: apperr.Internal, Message: "Klarna could not read the request"}
	case e.HTTPStatus == http.StatusBadRequest || e.HTTPStatus == http.StatusUnprocessableEntity:
		fields := make([]apperr.FieldError, 0, len(e.ValidationErrors))
		for _, v := range e.ValidationErrors {
			fields = append(fields, apperr.FieldError{Field: v.Parameter, Message: v.message()})
		}
		msg := "Klarna rejected the data"
		if len(fields) == 0 && e.ErrorMessage != "" {
			msg = "Klarna rejected the data: " + e.ErrorMessage
		}
		return &apperr.Error{Code: apperr.Invalid, Message: msg, Fields: fields}
	case e.HTTPStatus == http.StatusNotFound:
		return &apperr.Error{Code: apperr.NotFound, Message: "not found at Klarna"}
	case e.HTTPStatus == http.StatusConflict:
		msg := "the request conflicts with the current state at Klarna"
		if e.ErrorMessage != "" {
			msg += ": " + e.ErrorMessage
		}
		return &apperr.Error{Code: apperr.Conflict, Message: msg}
	case e.HTTPStatus == http.StatusUnauthorized:
		return &apperr.Error{Code: apperr.Unavailable, Message: "Klarna rejected Partner Desk's API key; check the Klarna credentials configuration"}
	case e.HTTPStatus == http.StatusForbidden:
		return &apperr.Error{Code: apperr.Unavailable, Message: "Partner Desk's Klarna credentials are not allowed to act on this resource"}
	case e.HTTPStatus == http.StatusRequestEntityTooLarge:
		return &apperr.Error{Code: apperr.TooLarge, Message: "the request is too large for Klarna"}
	case e.HTTPStatus == http.StatusTooManyRequests:
		return &apperr.Error{Code: apperr.Unavailable, Message: "Klarna is rate limiting requests; try again shortly"}
	case e.HTTPStatus >= 500:
		return &apperr.Error{Code: apperr.Unavailable, Message: "Klarna is temporarily unavailable; try again later"}
	default:
		return &apperr.Error{Code: apperr.Internal, Message: "unexpected response from Klarna"}
	}
}

// IsCode reports whether err is a Klarna error with the given error_code.
func IsCode(err error, code string) bool {
	var ke *Error
	return errors.As(err, &ke) && ke.ErrorCode == code
}

// HTTPStatusOf returns the HTTP status of a Klarna error, or 0.
func HTTPStatusOf(err error) int {
	var ke *Error
	if errors.As(err, &ke) {
		return ke.HTTPStatus
	}
	return 0
}

func newErrorFromBody(op Operation, status int, body ErrorBody) *Error {
	e := &Error{
		Operation:     op,
		HTTPStatus:    status,
		ErrorID:       body.ErrorID,
		ErrorType:     body.ErrorType,
		ErrorCode:     body.ErrorCode,
		ErrorMessage:  body.ErrorMessage,
		CorrelationID: body.CorrelationID,
	}
	e.ValidationErrors = append(e.ValidationErrors, body.ValidationErrors...)
	e.ValidationErrors = append(e.ValidationErrors, body.Errors...)
	if e.ErrorMessage == "" && len(body.ErrorMessages) > 0 {
		e.ErrorMessage = strings.Join(body.ErrorMessages, "; ")
	}
	return e
}
