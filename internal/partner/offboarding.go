package partner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Offboarding steps, in the order they run.
const (
	StepDisableProducts    = "disable_payment_products"
	StepDisableCredentials = "disable_credentials"
	StepRevokeAccess       = "revoke_user_access"
	StepMarkOffboarded     = "mark_offboarded"
)

// OffboardingSteps is the order of the steps.
var OffboardingSteps = []string{StepDisableProducts, StepDisableCredentials, StepRevokeAccess, StepMarkOffboarded}

// Offboarding and step statuses.
const (
	OffboardingNotStarted = "not_started" // no offboarding yet (never stored)
	OffboardingRunning    = "running"
	OffboardingFailed     = "failed"
	OffboardingCompleted  = "completed"

	StepPending = "pending"
	StepRunning = "running"
	StepDone    = "done"
	StepFailed  = "failed"
)

// OffboardingStep is one step of an offboarding with its outcome.
type OffboardingStep struct {
	Name       string         `json:"name"`
	Status     string         `json:"status"`
	Result     map[string]any `json:"result,omitempty"`
	Error      string         `json:"error,omitempty"`
	Attempts   int            `json:"attempts"`
	StartedAt  *time.Time     `json:"started_at,omitempty"`
	FinishedAt *time.Time     `json:"finished_at,omitempty"`
}

// Offboarding is the guided offboarding of one partner.
type Offboarding struct {
	ID               uuid.UUID
	TenantID         uuid.UUID
	Reason           string
	Status           string
	Steps            []OffboardingStep
	RequestedBy      *uuid.UUID
	RequestedByLabel string
	Runs             int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	CompletedAt      *time.Time
}

// OffboardingStore keeps offboardings.
type OffboardingStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// CreateOffboarding stores a new offboarding; Conflict when the tenant
	// has one already.
	CreateOffboarding(ctx context.Context, o Offboarding) error
	// Offboarding is a tenant's offboarding in sc; NotFound when it has none
	// or it is outside sc.
	Offboarding(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (Offboarding, error)
	// OffboardingByID reads one for the job, locking it until the
	// transaction ends.
	OffboardingByID(ctx context.Context, id uuid.UUID) (Offboarding, error)
	SaveOffboarding(ctx context.Context, o Offboarding) error
}

// OffboardingEnqueuer queues the run of an offboarding in the transaction of
// ctx; run tells a resumed run's job from the previous one.
type OffboardingEnqueuer interface {
	EnqueueOffboarding(ctx context.Context, id uuid.UUID, run int) error
}

// ProductOffboarder disables a partner's payment products through the
// change core and tells when Klarna applied it.
type ProductOffboarder interface {
	// DisableAllProducts asks Klarna to disable each payment product of
	// the tenant that is not disabled yet, in the transaction of ctx; it
	// returns the changes to wait for (none when nothing was to do).
	DisableAllProducts(ctx context.Context, tenantID uuid.UUID, reason string) ([]uuid.UUID, error)
	// ChangesOutcome says whether the changes are all applied, or the
	// first failure (Klarna's message).
	ChangesOutcome(ctx context.Context, tenantID uuid.UUID, ids []uuid.UUID) (applied bool, failure string, err error)
}

// CredentialDisabler disables every API key and client identifier of a
// partner (the credentials service).
type CredentialDisabler interface {
	DisableAllForPartner(ctx context.Context, tenantID uuid.UUID) (int, error)
}

// AccessRevoker suspends every user of a partner tenant there.
type AccessRevoker interface {
	SuspendTenant(ctx context.Context, tenantID uuid.UUID) (int, error)
}

// OffboardingOptions wire the offboarding service.
type OffboardingOptions struct {
	Store       OffboardingStore
	Partners    DirectoryStore // the partner in the caller's scope
	Enqueuer    OffboardingEnqueuer
	Products    ProductOffboarder
	Credentials CredentialDisabler
	Access      AccessRevoker
	Audit       actor.Recorder
	// Poll is how often the job looks again while Klarna applies the
	// product changes (default 1 s).
	Poll time.Duration
	Now  func() time.Time
}

// OffboardingService runs the guided offboarding of partners.
type OffboardingService struct{ o OffboardingOptions }

// NewOffboardingService wires the service.
func NewOffboardingService(o OffboardingOptions) *OffboardingService {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	return &OffboardingService{o: o}
}

// UseCredentials sets the credentials service (wired after it is built).
func (s *OffboardingService) UseCredentials(c CredentialDisabler) { s.o.Credentials = c }

// MaxReason is the longest reason a product change or an offboarding takes.
const MaxReason = 500

// CheckReason validates a required reason (field "reason").
func CheckReason(reason string) (string, error) {
	r := strings.TrimSpace(reason)
	switch {
	case r == "":
		return "", apperr.Validation("Say why.", apperr.FieldError{Field: "reason", Message: "is required"})
	case utf8.RuneCountInString(r) > MaxReason:
		return "", apperr.Validation("The reason is too long.", apperr.FieldError{Field: "reason", Message: fmt.Sprintf("at most %d characters", MaxReason)})
	}
	return r, nil
}

// Get is a tenant's offboarding, status OffboardingNotStarted (every step
// pending) when it has none; NotFound outside sc.
func (s *OffboardingService) Get(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (Offboarding, error) {
	if _, err := s.o.Partners.Partner(ctx, sc, tenantID, s.o.Now()); err != nil {
		return Offboarding{}, err
	}
	o, err := s.o.Store.Offboarding(ctx, sc, tenantID)
	if apperr.Is(err, apperr.NotFound) {
		return Offboarding{TenantID: tenantID, Status: OffboardingNotStarted, Steps: pendingSteps()}, nil
	}
	return o, err
}

func pendingSteps() []OffboardingStep {
	out := make([]OffboardingStep, 0, len(OffboardingSteps))
	for _, n := range OffboardingSteps {
		out = append(out, OffboardingStep{Name: n, Status: StepPending})
	}
	return out
}

// Start begins the offboarding of a partner in sc, audited, and queues its
// run. Conflict when the partner has one already (resume a failed one).
func (s *OffboardingService) Start(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, reason string) (Offboarding, error) {
	reason, err := CheckReason(reason)
	if err != nil {
		return Offboarding{}, err
	}
	if _, err := s.o.Partners.Partner(ctx, sc, tenantID, s.o.Now()); err != nil {
		return Offboarding{}, err
	}
	a := actor.From(ctx)
	o := Offboarding{ID: uuid.New(), TenantID: tenantID, Reason: reason, Status: OffboardingRunning, RequestedByLabel: a.Label, Runs: 1, Steps: pendingSteps()}
	if a.UserID != uuid.Nil {
		id := a.UserID
		o.RequestedBy = &id
	}
	err = s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.CreateOffboarding(ctx, o); err != nil {
			return err
		}
		if err := s.o.Enqueuer.EnqueueOffboarding(ctx, o.ID, o.Runs); err != nil {
			return err
		}
		return s.o.Audit(ctx, actor.Change{Action: "partner:offboard", TenantID: &tenantID, TargetType: "partner_offboarding", TargetID: o.ID.String(),
			After: map[string]any{"reason": reason, "steps": OffboardingSteps}})
	})
	if err != nil {
		return Offboarding{}, err
	}
	return s.o.Store.Offboarding(ctx, sc, tenantID)
}

// Resume runs a failed offboarding again from the step that failed; the
// steps done stay done. Conflict unless it failed.
func (s *OffboardingService) Resume(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (Offboarding, error) {
	if _, err := s.o.Partners.Partner(ctx, sc, tenantID, s.o.Now()); err != nil {
		return Offboarding{}, err
	}
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.o.Store.Offboarding(ctx, sc, tenantID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.E(apperr.Conflict, "This partner's offboarding has not started, so there is nothing to resume.")
		}
		if err != nil {
			return err
		}
		o, err := s.o.Store.OffboardingByID(ctx, cur.ID)
		if err != nil {
			return err
		}
		if o.Status != OffboardingFailed {
			return apperr.E(apperr.Conflict, "Only a failed offboarding can be resumed; this one is %s.", o.Status)
		}
		from := ""
		for i := range o.Steps {
			if o.Steps[i].Status == StepFailed {
				o.Steps[i].Status, o.Steps[i].Error = StepPending, ""
				// A failed product change is asked for again.
				if o.Steps[i].Name == StepDisableProducts {
					o.Steps[i].Result = nil
				}
				if from == "" {
					from = o.Steps[i].Name
				}
			}
		}
		o.Status, o.Runs = OffboardingRunning, o.Runs+1
		if err := s.o.Store.SaveOffboarding(ctx, o); err != nil {
			return err
		}
		if err := s.o.Enqueuer.EnqueueOffboarding(ctx, o.ID, o.Runs); err != nil {
			return err
		}
		return s.o.Audit(ctx, actor.Change{Action: "partner:offboard_resume", TenantID: &tenantID, TargetType: "partner_offboarding", TargetID: o.ID.String(),
			After: map[string]any{"from_step": from, "run": o.Runs}})
	})
	if err != nil {
		return Offboarding{}, err
	}
	return s.o.Store.Offboarding(ctx, sc, tenantID)
}

// Run carries an offboarding forward from its first step not done: the
// job's work. A failing step is recorded (with its error, audited) and
// stops the run; *RetryLater asks to look again while Klarna applies the
// product changes.
func (s *OffboardingService) Run(ctx context.Context, id uuid.UUID) error {
	var o Offboarding
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		o, err = s.o.Store.OffboardingByID(ctx, id)
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil || o.Status != OffboardingRunning {
		return err
	}
	// The steps act (and are audited) on behalf of whoever started it.
	who := actor.Actor{Label: o.RequestedByLabel}
	if o.RequestedBy != nil {
		who.UserID = *o.RequestedBy
	}
	ctx = actor.With(ctx, who)
	for i := range o.Steps {
		if o.Steps[i].Status == StepDone {
			continue
		}
		wait, err := s.runStep(ctx, &o, i)
		if err != nil {
			return err
		}
		if wait {
			return &RetryLater{After: s.o.Poll, Err: errors.New("waiting for Klarna to apply the payment product changes")}
		}
		if o.Steps[i].Status != StepDone {
			return nil // failed: stopped here until resumed
		}
	}
	return nil
}

// runStep runs step i and stores its outcome; wait is true while the step
// waits on Klarna.
func (s *OffboardingService) runStep(ctx context.Context, o *Offboarding, i int) (wait bool, err error) {
	st := &o.Steps[i]
	now := s.o.Now()
	if st.Status != StepRunning {
		st.Status, st.StartedAt, st.FinishedAt, st.Error = StepRunning, &now, nil, ""
		st.Attempts++
		if err := s.o.Store.SaveOffboarding(ctx, *o); err != nil {
			return false, err
		}
	}
	var result map[string]any
	var failure error
	switch st.Name {
	case StepDisableProducts:
		return s.disableProducts(ctx, o, i)
	case StepDisableCredentials:
		if s.o.Credentials == nil {
			failure = errors.New("the credentials service is not available")
			break
		}
		n, err := s.o.Credentials.DisableAllForPartner(ctx, o.TenantID)
		failure, result = err, map[string]any{"credentials_disabled": n}
	case StepRevokeAccess:
		n, err := s.o.Access.SuspendTenant(ctx, o.TenantID)
		failure, result = err, map[string]any{"users_suspended": n}
	case StepMarkOffboarded:
		result = map[string]any{}
	}
	return false, s.finishStep(ctx, o, i, result, failure)
}

// disableProducts asks for the product changes once, then waits until
// Klarna applied them.
func (s *OffboardingService) disableProducts(ctx context.Context, o *Offboarding, i int) (bool, error) {
	st := &o.Steps[i]
	if st.Result == nil {
		var ids []uuid.UUID
		err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
			var err error
			if ids, err = s.o.Products.DisableAllProducts(ctx, o.TenantID, "Offboarding: "+o.Reason); err != nil {
				return err
			}
			st.Result = map[string]any{"changes": ids}
			return s.o.Store.SaveOffboarding(ctx, *o)
		})
		if err != nil {
			st.Result = nil
			if apperr.CodeOf(err) == apperr.Internal {
				return false, err
			}
			return false, s.finishStep(ctx, o, i, nil, err)
		}
		if len(ids) > 0 {
			return true, nil
		}
		return false, s.finishStep(ctx, o, i, map[string]any{"changes": ids}, nil)
	}
	ids := changeIDs(st.Result["changes"])
	applied, failure, err := s.o.Products.ChangesOutcome(ctx, o.TenantID, ids)
	if err != nil {
		return false, err
	}
	switch {
	case failure != "":
		return false, s.finishStep(ctx, o, i, st.Result, errors.New("Klarna did not disable the payment product: "+failure))
	case !applied:
		return true, nil
	}
	return false, s.finishStep(ctx, o, i, st.Result, nil)
}

// changeIDs reads the change ids a step stored (uuids, or their JSON strings).
func changeIDs(v any) []uuid.UUID {
	var out []uuid.UUID
	switch x := v.(type) {
	case []uuid.UUID:
		return x
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				if id, err := uuid.Parse(s); err == nil {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

// finishStep records a step's outcome, audited; the last step done
// completes the offboarding, a failure stops it.
func (s *OffboardingService) finishStep(ctx context.Context, o *Offboarding, i int, result map[string]any, failure error) error {
	st := &o.Steps[i]
	now := s.o.Now()
	st.FinishedAt = &now
	action := "partner:offboard_step"
	after := map[string]any{"step": st.Name, "attempt": st.Attempts}
	if failure != nil {
		st.Status, st.Error = StepFailed, plainError(failure)
		o.Status = OffboardingFailed
		action, after["error"] = "partner:offboard_step_failed", st.Error
	} else {
		st.Status, st.Result = StepDone, result
		after["result"] = result
		if i == len(o.Steps)-1 {
			o.Status, o.CompletedAt = OffboardingCompleted, &now
		}
	}
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.SaveOffboarding(ctx, *o); err != nil {
			return err
		}
		if err := s.o.Audit(ctx, actor.Change{Action: action, TenantID: &o.TenantID, TargetType: "partner_offboarding", TargetID: o.ID.String(), After: after}); err != nil {
			return err
		}
		if o.Status == OffboardingCompleted {
			return s.o.Audit(ctx, actor.Change{Action: "partner:offboarded", TenantID: &o.TenantID, TargetType: "tenant", TargetID: o.TenantID.String(),
				After: map[string]any{"offboarding_id": o.ID, "reason": o.Reason}})
		}
		return nil
	})
}
