package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
)

// statusOf maps an error code to its HTTP status.
func statusOf(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unprocessable:
		return http.StatusUnprocessableEntity
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauthenticated, apperr.StepUp:
		return http.StatusUnauthorized
	case apperr.NotAllowed:
		return http.StatusMethodNotAllowed
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// statusClientClosed is the status logged for a request its client
// abandoned (nginx's 499; nobody receives it).
const statusClientClosed = 499

// writeProblem is the one place that answers an error: it maps err's code to
// a status and writes RFC 9457 problem details. Internal detail is logged
// with the request id and never sent.
func writeProblem(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client went away mid-request: nobody reads an answer, and
		// nothing went wrong on our side (499, as proxies log it).
		loggerFrom(c).Info("request canceled by the client", "error", err.Error())
		// Aborted like every other problem: a middleware's problem ends the
		// chain (authenticate's, or authorize would run without a principal).
		c.AbortWithStatus(statusClientClosed)
		return
	}
	e := apperr.As(err)
	if e == nil {
		e = &apperr.Error{Code: apperr.Internal, Err: err}
	}
	status := statusOf(e.Code)
	title := http.StatusText(status)
	detail := e.Message
	if e.Code == apperr.Internal || detail == "" && status >= 500 {
		detail = "Something went wrong on our side. Quote the request id when reporting it."
	}
	if status >= 500 || e.Err != nil {
		loggerFrom(c).Error("request failed", "code", string(e.Code), "status", status, "error", err.Error())
	}
	p := apigen.Problem{
		Type:      "https://partnerdesk.dev/problems/" + strings.ReplaceAll(string(e.Code), "_", "-"),
		Title:     title,
		Status:    status,
		Code:      ptr(string(e.Code)),
		RequestId: ptr(requestID(c)),
		Instance:  ptr(c.Request.URL.Path),
	}
	if detail != "" {
		p.Detail = &detail
	}
	if len(e.Fields) > 0 {
		fe := make([]apigen.FieldError, len(e.Fields))
		for i, f := range e.Fields {
			fe[i] = apigen.FieldError{Field: f.Field, Message: f.Message}
		}
		p.Errors = &fe
	}
	if status == http.StatusTooManyRequests {
		// Every 429 says when to come back, in whole seconds (at least 1).
		secs := 60
		if d, ok := apperr.RetryAfterOf(err); ok {
			secs = max(1, int(math.Ceil(d.Seconds())))
		}
		c.Header("Retry-After", strconv.Itoa(secs))
	}
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatus(status)
	_ = json.NewEncoder(c.Writer).Encode(p)
}

func ptr[T any](v T) *T { return &v }
