// Package dispute owns payment disputes. So far it keeps each dispute's
// state as Klarna reports it through webhooks, newest report winning.
package dispute

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// Order is the lifecycle order of states (README §8.2); it breaks ties
// between two reports of the same instant.
var Order = []string{"INITIATED", "REPRESENTMENT", "PRE_ARBITRATION", "ARBITRATION", "CLOSED"}

// State is a dispute's last known state.
type State struct {
	DisputeID       string
	TenantID        uuid.UUID
	KlarnaAccountID string
	State           string
	StateAt         time.Time
	DeadlineAt      *time.Time
}

// Store persists states.
type Store interface {
	// SetStateIfNewer stores st unless a later (or same-time, later-in-order)
	// state is stored already.
	SetStateIfNewer(ctx context.Context, st State) (applied bool, err error)
	SetDeadline(ctx context.Context, disputeID string, deadline time.Time) error
	// State reads a dispute of a tenant in sc; NotFound outside sc.
	State(ctx context.Context, sc scope.Scope, disputeID string) (State, error)
}

// Fetcher reads a dispute from Klarna (to settle doubt about its state).
type Fetcher interface {
	GetDispute(ctx context.Context, id string, opts ...klarna.CallOption) (*klarna.Dispute, error)
}

// Service applies the rules.
type Service struct {
	store  Store
	klarna Fetcher // nil when Klarna is not configured
}

// NewService wires the service.
func NewService(store Store, k Fetcher) *Service { return &Service{store: store, klarna: k} }

// RegisterWebhooks routes dispute events to this package.
func (s *Service) RegisterWebhooks(r *webhook.Registry) {
	r.Handle("payment.dispute.state-change.*", true, s.onStateChange)
	r.Handle("payment.dispute.updated.*", true, s.onUpdated)
}

func (s *Service) onStateChange(ctx context.Context, d webhook.Delivery) error {
	var p klarna.DisputeEventPayload
	if err := d.Envelope.DecodePayload(&p); err != nil {
		return err
	}
	state := string(p.State)
	if state == "" {
		state = strings.ToUpper(strings.ReplaceAll(d.Event.EventType[strings.LastIndex(d.Event.EventType, ".")+1:], "-", "_"))
	}
	at := d.Event.OccurredAt
	if at == nil && !p.UpdatedAt.IsZero() {
		at = &p.UpdatedAt.Time
	}
	if at == nil && s.klarna != nil {
		// No time to order this report by: ask Klarna for the current state,
		// as Klarna advises when in doubt.
		cur, err := s.klarna.GetDispute(ctx, p.PaymentDisputeID)
		if err != nil {
			return err
		}
		state, at = string(cur.State), &cur.UpdatedAt.Time
	}
	if at == nil {
		at = &d.Event.ReceivedAt
	}
	if !slices.Contains(Order, state) {
		state = strings.ToUpper(state) // unknown states are kept as reported
	}
	st := State{DisputeID: p.PaymentDisputeID, TenantID: d.TenantID, KlarnaAccountID: d.Event.SubjectAccountID, State: state, StateAt: *at}
	if dl := deadlineOf(p); dl != nil {
		st.DeadlineAt = dl
	}
	_, err := s.store.SetStateIfNewer(ctx, st)
	return err
}

func deadlineOf(p klarna.DisputeEventPayload) *time.Time {
	if p.Representment != nil && !p.Representment.ExpiresAt.IsZero() {
		return &p.Representment.ExpiresAt.Time
	}
	if !p.ArbitrationExpiresAt.IsZero() {
		return &p.ArbitrationExpiresAt.Time
	}
	return nil
}

func (s *Service) onUpdated(ctx context.Context, d webhook.Delivery) error {
	var p klarna.DisputeEventPayload
	if err := d.Envelope.DecodePayload(&p); err != nil {
		return err
	}
	if dl := deadlineOf(p); dl != nil {
		return s.store.SetDeadline(ctx, p.PaymentDisputeID, *dl)
	}
	return nil
}
