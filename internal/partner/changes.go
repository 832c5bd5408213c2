package partner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// ChangeStatus is where a change pushed to Klarna stands.
type ChangeStatus string

const (
	ChangePending ChangeStatus = "pending"
	ChangeApplied ChangeStatus = "applied"
	ChangeFailed  ChangeStatus = "failed"
)

// Change is one change of a partner's account pushed to Klarna with the
// resource's own call (README §5.3: at once, never a re-onboard).
type Change struct {
	ID, TenantID uuid.UUID
	// AccountID is the partner's Klarna account id.
	AccountID string
	// Kind is the resource: account, business_entity, brand, store_group,
	// store, payment_product.
	Kind string
	// Operation is what to do with it (create, update, disable, enable): any
	// operation an Applier is registered for.
	Operation string
	// ResourceID is Klarna's id; empty for a create until it is applied.
	ResourceID  string
	ResourceRef string
	// Payload is what to send; Before the resource before the change.
	Payload json.RawMessage
	Before  json.RawMessage
	Reason  string

	Status   ChangeStatus
	Attempts int
	// Error is Klarna's message when failed, or the last transient error
	// while pending; FieldErrors Klarna's validation errors (Field is
	// Klarna's parameter path).
	Error       string
	FieldErrors []apperr.FieldError
	// Result is Klarna's answer once applied.
	Result json.RawMessage

	RequestedBy      *uuid.UUID
	RequestedByLabel string
	// IdempotencyKey is fixed per change and sent as Klarna-Idempotency-Key,
	// so a retried call is applied once.
	IdempotencyKey       uuid.UUID
	CreatedAt, UpdatedAt time.Time
	AppliedAt            *time.Time
	// NextAttemptAt is when a change waiting on Klarna is tried again.
	NextAttemptAt *time.Time
}

// Target is the audit target of the change's resource: its Klarna id, or
// our reference for a resource Klarna has not created yet.
func (c Change) Target() string {
	if c.ResourceID != "" {
		return c.ResourceID
	}
	return c.ResourceRef
}

// ChangeFilter narrows a tenant's changes: one kind, one resource (Klarna
// id or our reference), one status.
type ChangeFilter struct {
	Kind, Resource, Status string
	Cursor                 string
	Limit                  int
}

// Applier makes the one Klarna call of a change. opts carry the change's
// idempotency key; pass them on. It returns Klarna's answer (kept as the
// change's Result) and the resource's Klarna id for a create ("" keeps
// the change's ResourceID).
type Applier func(ctx context.Context, k *klarna.Client, c Change, opts ...klarna.CallOption) (result any, resourceID string, err error)

// ChangeStore keeps the changes and the per-account pace.
type ChangeStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	InsertChange(ctx context.Context, c *Change) error
	// Change reads one change in sc.
	Change(ctx context.Context, sc scope.Scope, id uuid.UUID) (Change, error)
	// LockChange reads a change for update, in the transaction ctx carries.
	LockChange(ctx context.Context, id uuid.UUID) (Change, error)
	// NextPending is the oldest pending change of an account.
	NextPending(ctx context.Context, accountID string) (uuid.UUID, bool, error)
	UpdateChange(ctx context.Context, c *Change) error
	// ReservePace books the account's next call slot, gap after the one
	// before, and returns the slot's time.
	ReservePace(ctx context.Context, accountID string, gap time.Duration) (time.Time, error)
	ListChanges(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, f ChangeFilter) ([]Change, string, error)
}

// ChangeEnqueuer inserts a change's job in the transaction ctx carries.
type ChangeEnqueuer interface {
	EnqueueChange(ctx context.Context, id uuid.UUID, at time.Time) error
}

// ChangeOptions configure the change service.
type ChangeOptions struct {
	Store    ChangeStore
	Enqueuer ChangeEnqueuer
	// Klarna makes the calls; nil leaves changes pending with an error.
	Klarna *klarna.Client
	Audit  actor.Recorder
	// Applied runs after a change is applied (the directory re-reads the
	// account, so the tree shows what Klarna now holds).
	Applied func(ctx context.Context, c Change)
	// Gap is the least time between two calls for one account (1 s).
	Gap time.Duration
	// MaxAttempts is how many calls a change gets before it fails.
	MaxAttempts int
	RetryBase   time.Duration
	Now         func() time.Time
}

// ChangeService pushes a partner's changes to Klarna: each change is
// stored with its job in the caller's transaction, then applied per account
// in order, at most one call per account per Gap, retried on 429, 5xx and
// timeouts with the same idempotency key.
type ChangeService struct {
	o        ChangeOptions
	mu       sync.RWMutex
	appliers map[string]Applier
}

// NewChangeService returns the service; register the Appliers before the
// job queue starts.
func NewChangeService(o ChangeOptions) *ChangeService {
	if o.Gap <= 0 {
		o.Gap = time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 2 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &ChangeService{o: o, appliers: map[string]Applier{}}
}

// Register adds the Klarna call for changes of kind with operation.
func (s *ChangeService) Register(kind, operation string, a Applier) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appliers[kind+"/"+operation] = a
}

func (s *ChangeService) applier(c Change) Applier {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.appliers[c.Kind+"/"+c.Operation]
}

// Enqueue stores c as pending with its job, in the transaction ctx carries
// (or one of its own), and audits action on c's resource with the resource
// before and the payload after. Validate c before: the worker sends it as
// it is.
func (s *ChangeService) Enqueue(ctx context.Context, action string, c Change) (Change, error) {
	if c.TenantID == uuid.Nil || c.AccountID == "" || c.Kind == "" || c.Operation == "" {
		return Change{}, errors.New("partner: a change needs a tenant, an account, a kind and an operation")
	}
	if s.applier(c) == nil {
		return Change{}, fmt.Errorf("partner: no Klarna call for %s/%s", c.Kind, c.Operation)
	}
	now := s.o.Now()
	a := actor.From(ctx)
	c.ID, c.IdempotencyKey, c.Status, c.Attempts = uuid.New(), uuid.New(), ChangePending, 0
	c.CreatedAt, c.UpdatedAt, c.AppliedAt = now, now, nil
	if a.UserID != uuid.Nil {
		id := a.UserID
		c.RequestedBy = &id
	}
	c.RequestedByLabel = a.Label
	if len(c.Payload) == 0 {
		c.Payload = json.RawMessage(`{}`)
	}
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.InsertChange(ctx, &c); err != nil {
			return err
		}
		if err := s.o.Enqueuer.EnqueueChange(ctx, c.ID, now); err != nil {
			return fmt.Errorf("queue change: %w", err)
		}
		after := map[string]any{"change_id": c.ID, "operation": c.Operation, "payload": c.Payload}
		if c.Reason != "" {
			after["reason"] = c.Reason
		}
		var before any
		if len(c.Before) > 0 {
			before = c.Before
		}
		return s.record(ctx, action, c, before, after)
	})
	if err != nil {
		return Change{}, err
	}
	return c, nil
}

func (s *ChangeService) record(ctx context.Context, action string, c Change, before, after any) error {
	if s.o.Audit == nil {
		return nil
	}
	tid := c.TenantID
	return s.o.Audit(ctx, actor.Change{Action: action, TenantID: &tid, TargetType: c.Kind, TargetID: c.Target(), Before: before, After: after})
}

// List is a tenant's changes, newest first.
func (s *ChangeService) List(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, f ChangeFilter) ([]Change, string, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.Status != "" && f.Status != string(ChangePending) && f.Status != string(ChangeApplied) && f.Status != string(ChangeFailed) {
		return nil, "", apperr.Validation("The filter is not valid.", apperr.FieldError{Field: "status", Message: "must be pending, applied or failed"})
	}
	return s.o.Store.ListChanges(ctx, sc, tenantID, f)
}

// Retry puts a failed change back in the queue with its idempotency key.
func (s *ChangeService) Retry(ctx context.Context, sc scope.Scope, tenantID, id uuid.UUID) (Change, error) {
	var out Change
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if c, err := s.o.Store.Change(ctx, sc, id); err != nil || c.TenantID != tenantID {
			return orNotFound(err)
		}
		c, err := s.o.Store.LockChange(ctx, id)
		if err != nil {
			return err
		}
		if c.Status == ChangePending {
			out = c
			return nil // a double click
		}
		if c.Status != ChangeFailed {
			return apperr.E(apperr.Conflict, "Klarna has applied this change already.")
		}
		now := s.o.Now()
		c.Status, c.Attempts, c.Error, c.FieldErrors, c.NextAttemptAt, c.UpdatedAt = ChangePending, 0, "", nil, nil, now
		if err := s.o.Store.UpdateChange(ctx, &c); err != nil {
			return err
		}
		if err := s.o.Enqueuer.EnqueueChange(ctx, c.ID, now); err != nil {
			return fmt.Errorf("queue change: %w", err)
		}
		out = c
		return s.record(ctx, "partner_change:retry", c, nil, map[string]any{"change_id": c.ID})
	})
	return out, err
}

// Apply makes the Klarna call of change id when it is its account's next
// one and the account's pace allows. A *RetryLater error asks for another
// run later (an older change goes first, the pace, or Klarna asked to wait).
func (s *ChangeService) Apply(ctx context.Context, id uuid.UUID) error {
	c, err := s.o.Store.Change(ctx, scope.All(), id)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Status != ChangePending {
		return nil // applied or failed already (a duplicate job)
	}
	next, ok, err := s.o.Store.NextPending(ctx, c.AccountID)
	if err != nil {
		return err
	}
	if ok && next != c.ID {
		return &RetryLater{After: s.o.Gap / 2, Err: errors.New("an older change of this account goes first")}
	}
	if s.o.Klarna == nil {
		return s.fail(ctx, c, "Klarna is not configured.", nil, nil)
	}
	a := s.applier(c)
	if a == nil {
		return s.fail(ctx, c, fmt.Sprintf("Partner Desk has no Klarna call for %s/%s.", c.Kind, c.Operation), nil, nil)
	}
	slot, err := s.o.Store.ReservePace(ctx, c.AccountID, s.o.Gap)
	if err != nil {
		return err
	}
	if wait := slot.Sub(s.o.Now()); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	c.Attempts++
	// About names the change's resource (a brand, a store, a payment
	// product…) for the Klarna call log, so its page links to the calls.
	result, resourceID, callErr := a(ctx, s.o.Klarna, c, klarna.WithIdempotencyKey(c.IdempotencyKey.String()), klarna.About(c.Kind, c.Target()))
	ctx = context.WithoutCancel(ctx) // the outcome is kept even when the job is being stopped
	if callErr == nil {
		return s.succeed(ctx, c, result, resourceID)
	}
	var ke *klarna.Error
	errors.As(callErr, &ke)
	status := klarna.HTTPStatusOf(callErr)
	switch {
	case status == http.StatusConflict && ke != nil && strings.Contains(strings.ToLower(ke.ErrorMessage), "partially"),
		status == 0 || status == http.StatusTooManyRequests || status >= 500:
		if c.Attempts >= s.o.MaxAttempts {
			return s.fail(ctx, c, fmt.Sprintf("Klarna did not answer after %d attempts: %s", c.Attempts, plainError(callErr)), nil, nil)
		}
		after := s.o.RetryBase << min(c.Attempts-1, 6)
		if ke != nil && ke.RetryAfter > after {
			after = ke.RetryAfter
		}
		at := s.o.Now().Add(after)
		c.Error, c.NextAttemptAt, c.UpdatedAt = plainError(callErr), &at, s.o.Now()
		if err := s.o.Store.UpdateChange(ctx, &c); err != nil {
			return err
		}
		return &RetryLater{After: after, Err: callErr}
	default:
		var fields []apperr.FieldError
		if ke != nil {
			for _, v := range ke.ValidationErrors {
				msg := v.Reason
				if msg == "" {
					msg = v.ErrorMessage
				}
				fields = append(fields, apperr.FieldError{Field: v.Parameter, Message: msg})
			}
		}
		msg := plainError(callErr)
		if ke != nil {
			msg = "Klarna refused the change: " + klarnaMessage(ke)
		}
		return s.fail(ctx, c, msg, fields, ke)
	}
}

func (s *ChangeService) succeed(ctx context.Context, c Change, result any, resourceID string) error {
	raw, err := json.Marshal(result)
	if err != nil || result == nil {
		raw = json.RawMessage(`{}`)
	}
	now := s.o.Now()
	c.Status, c.Result, c.Error, c.FieldErrors, c.NextAttemptAt, c.AppliedAt, c.UpdatedAt = ChangeApplied, raw, "", nil, nil, &now, now
	if resourceID != "" {
		c.ResourceID = resourceID
	}
	err = s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.UpdateChange(ctx, &c); err != nil {
			return err
		}
		return s.record(actor.With(ctx, actor.System), "partner_change:applied", c, nil, map[string]any{"change_id": c.ID, "klarna": raw})
	})
	if err != nil {
		return err
	}
	if s.o.Applied != nil {
		s.o.Applied(ctx, c)
	}
	return nil
}

func (s *ChangeService) fail(ctx context.Context, c Change, msg string, fields []apperr.FieldError, ke *klarna.Error) error {
	c.Status, c.Error, c.FieldErrors, c.NextAttemptAt, c.UpdatedAt = ChangeFailed, msg, fields, nil, s.o.Now()
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.UpdateChange(ctx, &c); err != nil {
			return err
		}
		answer := map[string]any{"change_id": c.ID, "error": msg}
		if len(fields) > 0 {
			answer["field_errors"] = fields
		}
		if ke != nil {
			answer["klarna_status"] = ke.HTTPStatus
			answer["klarna_error_code"] = ke.ErrorCode
		}
		return s.record(actor.With(ctx, actor.System), "partner_change:failed", c, nil, answer)
	})
}

// orNotFound is err, or NotFound for a change of another partner.
func orNotFound(err error) error {
	if err != nil {
		return err
	}
	return apperr.E(apperr.NotFound, "No such change.")
}
