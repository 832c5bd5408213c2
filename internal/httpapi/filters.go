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

// dateParam reads a date (2026-11-21) or a time (RFC 3339); a date that
// ends a window ends it after that day.
func (f *filterErrors) dateParam(q func(string) string, name string, end bool) time.Time {
	v := q(name)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		f.add(name, "a date (2026-11-21) or a time (2026-11-21T10:00:00Z)")
		return time.Time{}
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// partners reads the partner (tenant) ids of a list's partner filter.
func (f *filterErrors) partners(vs []string) []uuid.UUID {
	var out []uuid.UUID
	for _, v := range vs {
		id, err := uuid.Parse(v)
		if err != nil {
			f.add("partner", "a partner (tenant) id")
			continue
		}
		out = append(out, id)
	}
	return out
}
