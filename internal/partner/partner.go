// Package partner owns Partner Desk's view of the partners' Klarna accounts:
// which account belongs to which partner tenant, and the lifecycle and
// payment product states Klarna reports for it. (Onboarding and account data
// management build on this.)
package partner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// Account is a partner's Klarna account.
type Account struct {
	KlarnaAccountID string
	TenantID        uuid.UUID
	State           string
	StateAt         *time.Time
}

// Store persists accounts. Updates apply only when newer than what is
// stored (Klarna may deliver events out of order).
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	LinkAccount(ctx context.Context, accountID string, tenantID uuid.UUID) (linked bool, err error)
	// Account reads an account of a tenant in sc; NotFound outside sc.
	Account(ctx context.Context, sc scope.Scope, accountID string) (Account, error)
	SetAccountStateIfNewer(ctx context.Context, accountID, state string, at time.Time) (applied bool, err error)
	SetProductStatusIfNewer(ctx context.Context, accountID, productID, status string, at time.Time) (applied bool, err error)
}

// Unparker releases webhook events waiting for an account.
type Unparker interface {
	Unpark(ctx context.Context, accountID string) (int, error)
}

// Service applies the rules.
type Service struct {
	store     Store
	unparker  Unparker
	audit     actor.Recorder
	directory *Directory
	products  ProductStatusRecorder
}

// NewService wires the service.
func NewService(store Store, unparker Unparker, audit actor.Recorder) *Service {
	return &Service{store: store, unparker: unparker, audit: audit}
}

// UseDirectory makes links and account webhooks refresh the directory's
// cache of the account (set before webhooks are processed).
func (s *Service) UseDirectory(d *Directory) { s.directory = d }

// UseProductHistory makes product state-change webhooks add to the payment
// product's history.
func (s *Service) UseProductHistory(r ProductStatusRecorder) { s.products = r }

// accountChanged tells the directory about an account event.
func (s *Service) accountChanged(ctx context.Context, d webhook.Delivery, p klarna.AccountEventPayload) error {
	if s.directory == nil {
		return nil
	}
	return s.directory.OnAccountEvent(ctx, d.Event.EventType, d.Event.SubjectAccountID, p)
}

// LinkAccount binds a Klarna account to a partner tenant and, in the same
// transaction, queues the webhook events that were waiting for it.
func (s *Service) LinkAccount(ctx context.Context, tenantID uuid.UUID, accountID string) error {
	accountID = strings.TrimSpace(accountID)
	if !strings.HasPrefix(accountID, "krn:partner:") {
		return apperr.Validation("That is not a Klarna partner account id.", apperr.FieldError{Field: "klarna_account_id", Message: "must look like krn:partner:global:account:…"})
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		linked, err := s.store.LinkAccount(ctx, accountID, tenantID)
		if err != nil || !linked {
			return err
		}
		n, err := s.unparker.Unpark(ctx, accountID)
		if err != nil {
			return err
		}
		if s.directory != nil {
			if err := s.directory.OnLink(ctx, accountID); err != nil {
				return err
			}
		}
		return s.audit(ctx, actor.Change{Action: "partner:link_account", TenantID: &tenantID, TargetType: "klarna_account", TargetID: accountID,
			After: map[string]any{"tenant_id": tenantID, "parked_events_released": n}})
	})
}

// RegisterWebhooks routes the account events to this package.
func (s *Service) RegisterWebhooks(r *webhook.Registry) {
	r.Handle("partner.account.state-change.*", true, s.onStateChange)
	r.Handle("partner.account.product.payment.state-change.*", true, s.onProductChange)
	r.Handle("partner.account.*", true, s.onOther)
}

func eventTime(d webhook.Delivery) time.Time {
	if d.Event.OccurredAt != nil {
		return *d.Event.OccurredAt
	}
	return d.Event.ReceivedAt
}

func (s *Service) onStateChange(ctx context.Context, d webhook.Delivery) error {
	var p klarna.AccountEventPayload
	if err := d.Envelope.DecodePayload(&p); err != nil {
		return err
	}
	state := p.State
	if state == "" { // derive from the type: …state-change.operational → OPERATIONAL
		state = strings.ToUpper(strings.ReplaceAll(d.Event.EventType[strings.LastIndex(d.Event.EventType, ".")+1:], "-", "_"))
	}
	// A webhook handler is a system caller: it names its scope explicitly.
	before, err := s.store.Account(ctx, scope.All(), d.Event.SubjectAccountID)
	if err != nil {
		return err
	}
	applied, err := s.store.SetAccountStateIfNewer(ctx, d.Event.SubjectAccountID, state, eventTime(d))
	if err != nil {
		return err
	}
	if err := s.accountChanged(ctx, d, p); err != nil || !applied {
		return err
	}
	return s.audit(ctx, actor.Change{Action: "partner:account_state", TenantID: &d.TenantID, TargetType: "klarna_account", TargetID: d.Event.SubjectAccountID,
		Before: map[string]string{"state": before.State}, After: map[string]string{"state": state, "event_id": d.Event.EventID}})
}

func (s *Service) onProductChange(ctx context.Context, d webhook.Delivery) error {
	var p klarna.AccountEventPayload
	if err := d.Envelope.DecodePayload(&p); err != nil {
		return err
	}
	product := p.PaymentProductID
	if product == "" {
		product = d.Envelope.Metadata.ProductInstanceID
	}
	if product == "" {
		return fmt.Errorf("product event %s names no product", d.Event.EventID)
	}
	status := p.Status
	if status == "" {
		status = strings.ToUpper(d.Event.EventType[strings.LastIndex(d.Event.EventType, ".")+1:])
	}
	applied, err := s.store.SetProductStatusIfNewer(ctx, d.Event.SubjectAccountID, product, status, eventTime(d))
	if err != nil {
		return err
	}
	if applied && s.products != nil {
		if _, err := s.products.RecordProductStatus(ctx, ProductStatusSeen{AccountID: d.Event.SubjectAccountID, ProductID: product, Status: status,
			PreviousStatus: p.PreviousStatus, Source: SourceWebhook, EventID: d.Event.EventID, At: eventTime(d)}); err != nil {
			return err
		}
	}
	return s.accountChanged(ctx, d, p)
}

// onOther accepts the remaining account events (e.g. brand.data-incomplete):
// the event itself is stored and shown in the inbox; the directory records
// the warning it raises and reads the account again.
func (s *Service) onOther(ctx context.Context, d webhook.Delivery) error {
	// An event whose payload is not the account shape still refreshes.
	var p klarna.AccountEventPayload
	_ = d.Envelope.DecodePayload(&p)
	return s.accountChanged(ctx, d, p)
}
