package httpapi

import (
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// filterErrors collects the field errors of a list's query parameters, so
// the user sees every bad filter at once.
type filterErrors []apperr.FieldError

func (f *filterErrors) add(field, message string) {
	*f = append(*f, apperr.FieldError{Field: field, Message: message})
}

func (f filterErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return apperr.Validation("Check the filters.", f...)
}

// timeRange reads from and to (RFC 3339).
func (f *filterErrors) timeRange(q func(string) string) (from, to time.Time) {
	parse := func(name string) time.Time {
		v := q(name)
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			f.add(name, "a time such as 2026-11-21T10:00:00Z")
		}
		return t
	}
	return parse("from"), parse("to")
}

// narrow applies the tenant filter to sc: the scope limited to that tenant
// (empty when it is not in sc), sc itself when absent. A filter narrows a
// scope, never widens it.
func (f *filterErrors) narrow(q func(string) string, sc scope.Scope) scope.Scope {
	v := q("tenant")
	if v == "" {
		return sc
	}
	id, err := uuid.Parse(v)
	if err != nil {
		f.add("tenant", "a tenant id")
		return scope.None()
	}
	return sc.Narrow(id)
}

// limit reads the page size: 50 by default, at most 200.
func (f *filterErrors) limit(q func(string) string) int {
	v := q("limit")
	if v == "" {
		return 50
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		f.add("limit", "a number from 1 to 200")
		return 50
	}
	return n
}
