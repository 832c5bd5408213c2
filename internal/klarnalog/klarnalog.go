// Package klarnalog is the Klarna call log: every call Partner Desk made to
// Klarna (recorded by the Klarna client's Recorder), listed per tenant
// scope with filters, kept for a retention period. Klarna's Developers Logs
// show their side of the wire; this shows ours, across every partner.
package klarnalog

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Call is one logged Klarna call.
type Call struct {
	ID int64
	At time.Time
	// TenantID is the partner's tenant; nil for an acquirer call (or a
	// partner account no tenant holds).
	TenantID   *uuid.UUID
	TenantName string
	klarna.CallRecord
}

// Outcome classes the list filters on (a call's Outcome, except that
// network covers network_error and canceled).
const (
	OutcomeOK          = "ok"
	OutcomeClientError = "client_error"
	OutcomeServerError = "server_error"
	OutcomeRateLimited = "rate_limited"
	OutcomeNetwork     = "network"
)

// Outcomes are the outcome classes, in the order the UI offers them.
var Outcomes = []string{OutcomeOK, OutcomeClientError, OutcomeServerError, OutcomeRateLimited, OutcomeNetwork}

// OutcomeValues are the stored outcomes of a class.
func OutcomeValues(class string) []string {
	if class == OutcomeNetwork {
		return []string{"network_error", "canceled"}
	}
	return []string{class}
}

// Filter narrows the list; the zero value lists everything in scope.
type Filter struct {
	Operation  string
	ObjectKind string
	ObjectID   string
	Outcome    string // one of Outcomes
	Status     int    // an exact HTTP status
	From, To   time.Time
	// Search is a correlation id (ours or Klarna's) or an idempotency key.
	Search string
}

// Page is a keyset page: Limit rows after Cursor.
type Page struct {
	Limit  int
	Cursor string
}

// Store keeps the log. Every read takes the tenant scope and filters on it
// in SQL; the all-tenants scope also sees the acquirer's calls (no tenant).
type Store interface {
	ListCalls(ctx context.Context, sc scope.Scope, f Filter, p Page) ([]Call, string, error)
	// Call is one call in sc; NotFound when it does not exist or is outside sc.
	Call(ctx context.Context, sc scope.Scope, id int64) (Call, error)
	// PurgeCalls deletes calls made before `before`, at most batch rows per
	// statement, and returns how many it deleted.
	PurgeCalls(ctx context.Context, before time.Time, batch int) (int, error)
}

// DefaultRetention is how long calls are kept unless configured.
const DefaultRetention = 30 * 24 * time.Hour

// Service reads and prunes the call log.
type Service struct {
	store     Store
	retention time.Duration
	now       func() time.Time
}

// New is the service over store, keeping calls for retention (default 30 days).
func New(store Store, retention time.Duration) *Service {
	if retention <= 0 {
		retention = DefaultRetention
	}
	return &Service{store: store, retention: retention, now: time.Now}
}

// Retention is how long calls are kept.
func (s *Service) Retention() time.Duration { return s.retention }

// Validate checks a filter and reports every bad field at once.
func Validate(f Filter) error {
	var fe []apperr.FieldError
	if f.Operation != "" {
		if _, ok := klarna.Routes[klarna.Operation(f.Operation)]; !ok {
			fe = append(fe, apperr.FieldError{Field: "operation", Message: "is not a Klarna operation Partner Desk calls"})
		}
	}
	if f.Outcome != "" {
		ok := false
		for _, o := range Outcomes {
			ok = ok || o == f.Outcome
		}
		if !ok {
			fe = append(fe, apperr.FieldError{Field: "outcome", Message: "one of ok, client_error, server_error, rate_limited, network"})
		}
	}
	if f.ObjectID != "" && f.ObjectKind == "" {
		fe = append(fe, apperr.FieldError{Field: "object_kind", Message: "is required with object_id"})
	}
	if len(f.ObjectKind) > 64 {
		fe = append(fe, apperr.FieldError{Field: "object_kind", Message: "at most 64 characters"})
	}
	for _, v := range []struct{ name, val string }{{"object_id", f.ObjectID}, {"q", f.Search}} {
		if len(v.val) > 255 {
			fe = append(fe, apperr.FieldError{Field: v.name, Message: "at most 255 characters"})
		}
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		fe = append(fe, apperr.FieldError{Field: "status", Message: "an HTTP status from 100 to 599"})
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		fe = append(fe, apperr.FieldError{Field: "to", Message: "must be after from"})
	}
	if len(fe) > 0 {
		return apperr.Validation("Check the filters.", fe...)
	}
	return nil
}

// List is a page of the calls in sc matching f, newest first.
func (s *Service) List(ctx context.Context, sc scope.Scope, f Filter, p Page) ([]Call, string, error) {
	if err := Validate(f); err != nil {
		return nil, "", err
	}
	if p.Limit <= 0 || p.Limit > 200 {
		p.Limit = 50
	}
	calls, next, err := s.store.ListCalls(ctx, sc, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("list klarna calls: %w", err)
	}
	return calls, next, nil
}

// Get is one call in sc; outside sc it is the same NotFound as an unknown id.
func (s *Service) Get(ctx context.Context, sc scope.Scope, id int64) (Call, error) {
	return s.store.Call(ctx, sc, id)
}

// PurgeBatch is how many rows one delete statement removes at most.
const PurgeBatch = 5000

// Purge deletes the calls older than the retention period, in batches.
func (s *Service) Purge(ctx context.Context) (int, error) {
	n, err := s.store.PurgeCalls(ctx, s.now().Add(-s.retention), PurgeBatch)
	if err != nil {
		return n, fmt.Errorf("purge klarna calls: %w", err)
	}
	return n, nil
}
