package payment

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// Options configure the service.
type Options struct {
	Store  Store
	Now    func() time.Time
	Expect Expectations
}

// Service ingests payment request events and reads payments.
type Service struct{ o Options }

// New makes the service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Expect == (Expectations{}) {
		o.Expect = DefaultExpectations
	}
	return &Service{o: o}
}

// RegisterWebhooks routes the payment request events here. The subject
// account must be a known partner's: an event of an unknown one is parked.
func (s *Service) RegisterWebhooks(r *webhook.Registry) {
	r.Handle(klarna.EventPaymentRequestPrefix+"*", true, s.onStateChange)
}

// eventState is the state an event type names ("...in-progress" → IN_PROGRESS).
func eventState(eventType string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(eventType, klarna.EventPaymentRequestPrefix), "-", "_"))
}

// ReportOf reads a delivery's state report. The payload's state wins over
// the event type's (both are kept as Klarna spelled them, upper-cased);
// the payload's updated_at orders reports, the event's time stands in.
func ReportOf(d webhook.Delivery) (Report, error) {
	var p klarna.PaymentRequestEventPayload
	if err := d.Envelope.DecodePayload(&p); err != nil {
		return Report{}, err
	}
	if strings.TrimSpace(p.PaymentRequestID) == "" {
		return Report{}, apperr.Validation("The event names no payment request.", apperr.FieldError{Field: "payload.payment_request_id", Message: "is required"})
	}
	state := strings.ToUpper(strings.TrimSpace(p.State))
	if state == "" {
		state = eventState(d.Event.EventType)
	}
	at := d.Event.ReceivedAt
	if d.Event.OccurredAt != nil {
		at = *d.Event.OccurredAt
	}
	if !p.UpdatedAt.IsZero() {
		at = p.UpdatedAt.Time
	}
	pay := Payment{ID: p.PaymentRequestID, TenantID: d.TenantID, KlarnaAccountID: d.Event.SubjectAccountID,
		Reference: p.PaymentRequestReference, PurchaseReference: p.PurchaseReference, PaymentAccountID: p.PaymentAccountID,
		PaymentAccountReference: p.PaymentAccountReference, State: state, StateReason: p.StateReason, Amount: p.Amount,
		Currency: strings.ToUpper(p.Currency), CreatedAt: p.CreatedAt.Time}
	if !p.ExpiresAt.IsZero() {
		v := p.ExpiresAt.Time
		pay.ExpiresAt = &v
	}
	if c := p.StateContext; c != nil {
		pay.TransactionID = c.PaymentTransactionID
		pay.OrderID = c.OrderID
		if pay.OrderID == "" {
			pay.OrderID = klarna.OrderIDOfTransaction(c.PaymentTransactionID)
		}
		pay.CustomerToken = c.CustomerToken != ""
	}
	if c := p.RequestContext; c != nil {
		pay.IntegrationPath, pay.PaymentType = strings.ToUpper(c.IntegrationPath), strings.ToUpper(c.PaymentType)
		pay.InteropSource, pay.InteropToken = strings.ToUpper(c.InteroperabilitySource), c.InteroperabilityToken
	}
	if pay.CustomerToken && pay.PaymentType == "" {
		pay.PaymentType = klarna.PaymentRecurring
	}
	if len(p.Extra) > 0 {
		if b, err := json.Marshal(p.Extra); err == nil {
			pay.Extra = b
		}
	}
	return Report{Payment: pay, EventID: d.Event.EventID, PreviousState: strings.ToUpper(p.PreviousState), At: at.UTC(), CreatedKnown: !p.CreatedAt.IsZero()}, nil
}

func (s *Service) onStateChange(ctx context.Context, d webhook.Delivery) error {
	r, err := ReportOf(d)
	if err != nil {
		return err
	}
	_, err = s.o.Store.Apply(ctx, r, Merge)
	return err
}

// List pages the payments of sc matching f, newest first.
func (s *Service) List(ctx context.Context, sc scope.Scope, f Filter, cursor string, limit int) ([]Payment, string, error) {
	return s.o.Store.List(ctx, sc, f, cursor, limit)
}

// Stream reads every payment of sc matching f, newest first (exports).
func (s *Service) Stream(ctx context.Context, sc scope.Scope, f Filter, fn func(Payment) error) error {
	return s.o.Store.Stream(ctx, sc, f, fn)
}

// Timeline reads one payment of sc with its states, settlement lines and
// disputes, its money and what does not add up; NotFound outside sc.
func (s *Service) Timeline(ctx context.Context, sc scope.Scope, id string) (Timeline, error) {
	p, err := s.o.Store.Get(ctx, sc, id)
	if err != nil {
		return Timeline{}, err
	}
	t := Timeline{Payment: p}
	if t.States, err = s.o.Store.States(ctx, p.TenantID, p.ID); err != nil {
		return Timeline{}, err
	}
	if p.OrderID != "" {
		if t.Lines, err = s.o.Store.Lines(ctx, p.TenantID, p.OrderID); err != nil {
			return Timeline{}, err
		}
	}
	if p.TransactionID != "" || p.OrderID != "" {
		if t.Disputes, err = s.o.Store.Disputes(ctx, p.TenantID, p.TransactionID, p.OrderID); err != nil {
			return Timeline{}, err
		}
	}
	t.Money = MoneyOf(p, t.Lines)
	t.Flags = FlagsOf(t, s.o.Now(), s.o.Expect)
	return t, nil
}

// MaxHealthDays is the longest period the health page reads.
const MaxHealthDays = 366

// Health measures the integration of the partners of sc over f's period.
func (s *Service) Health(ctx context.Context, sc scope.Scope, f HealthFilter) (Health, error) {
	d, err := s.o.Store.Health(ctx, sc, f)
	if err != nil {
		return Health{}, err
	}
	return HealthOf(f, d), nil
}
