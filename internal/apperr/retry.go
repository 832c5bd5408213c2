package apperr

import (
	"errors"
	"time"
)

// retryAfter is an error that also says when trying again can succeed.
type retryAfter struct {
	err   *Error
	after time.Duration
}

func (e retryAfter) Error() string { return e.err.Error() }
func (e retryAfter) Unwrap() error { return e.err }

// WithRetryAfter attaches the time after which a retry can succeed (sent as
// Retry-After on a 429).
func WithRetryAfter(e *Error, after time.Duration) error { return retryAfter{err: e, after: after} }

// RetryAfterOf returns the retry time attached with WithRetryAfter.
func RetryAfterOf(err error) (time.Duration, bool) {
	var r retryAfter
	if errors.As(err, &r) {
		return r.after, true
	}
	return 0, false
}
