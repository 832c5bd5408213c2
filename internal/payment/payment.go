// Package payment follows each payment request Klarna reports
// (payment.request.state-change.* webhooks) and joins it to what happened
// after: its settlement lines and the payouts they landed in, and its
// disputes. It also measures each partner's integration against Klarna's
// rules (integration health).
package payment

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Payment is one payment request as last reported.
type Payment struct {
	ID                      string // Klarna's payment_request_id
	TenantID                uuid.UUID
	PartnerName             string // read with the payment, not stored
	KlarnaAccountID         string
	Reference               string // payment_request_reference
	PurchaseReference       string
	TransactionID           string
	OrderID                 string
	PaymentAccountID        string
	PaymentAccountReference string
	State                   string // as Klarna spelled it; unknown states are kept
	StateReason             string
	StateAt                 time.Time
	Amount                  *int64
	Currency                string
	IntegrationPath         string // klarna.IntegrationHosted, klarna.IntegrationServerSide or ""
	PaymentType             string // klarna.PaymentOneTime, klarna.PaymentRecurring or ""
	CustomerToken           bool
	InteropSource           string
	InteropToken            bool
	CreatedAt               time.Time
	SubmittedAt             *time.Time
	AuthorizedAt            *time.Time
	FinalAt                 *time.Time
	ExpiresAt               *time.Time
	Events                  int
	UpdatedAt               time.Time
	Extra                   []byte // unknown payload fields of the newest report (JSON object)
}

// Report is one state report: a webhook event's payment, its state and
// Klarna's time of it.
type Report struct {
	Payment       Payment // ID, TenantID, State and the fields the event carried
	EventID       string
	PreviousState string
	At            time.Time
	// CreatedKnown is true when the event carried the request's created_at.
	CreatedKnown bool
}

// StateChange is one reported state on a payment's timeline.
type StateChange struct {
	EventID       string
	State         string
	PreviousState string
	Reason        string
	At            time.Time
	ReceivedAt    time.Time
}

// Final reports whether state is one a payment request does not leave.
func Final(state string) bool {
	switch state {
	case klarna.PaymentAuthorized, klarna.PaymentCompleted, klarna.PaymentCanceled, klarna.PaymentExpired, klarna.PaymentDeclined:
		return true
	}
	return false
}

// Authorized reports whether the state gave the partner a payment
// (AUTHORIZED in v1, COMPLETED in v2).
func Authorized(state string) bool {
	return state == klarna.PaymentAuthorized || state == klarna.PaymentCompleted
}

// Known reports whether state is one Klarna documents.
func Known(state string) bool { return slices.Contains(klarna.PaymentRequestStates, state) }

// rank orders states reported at the same instant: a final state wins,
// then the later documented state; unknown states come first.
func rank(state string) int {
	if Final(state) {
		return 100
	}
	return slices.Index(klarna.PaymentRequestStates, state)
}

// Merge applies report r to the payment as known (cur nil: first report).
// The newest report by Klarna's time sets the state; an older one only
// fills fields that are still empty. Times of the milestones (submitted,
// authorized, final) are the earliest reported, whatever order the
// reports arrive in.
func Merge(cur *Payment, r Report) Payment {
	in := r.Payment
	if cur == nil {
		p := in
		p.StateAt = r.At
		if !r.CreatedKnown || p.CreatedAt.IsZero() {
			p.CreatedAt = r.At
		}
		p.SubmittedAt, p.AuthorizedAt, p.FinalAt = nil, nil, nil
		milestones(&p, in.State, r.At)
		p.Events = 1
		return p
	}
	p := *cur
	newer := r.At.After(p.StateAt) || r.At.Equal(p.StateAt) && rank(in.State) > rank(p.State)
	if newer {
		p.State, p.StateReason, p.StateAt = in.State, in.StateReason, r.At
		if len(in.Extra) > 0 {
			p.Extra = in.Extra
		}
	}
	fill := func(dst *string, v string) {
		if v != "" && (*dst == "" || newer) {
			*dst = v
		}
	}
	fill(&p.KlarnaAccountID, in.KlarnaAccountID)
	fill(&p.Reference, in.Reference)
	fill(&p.PurchaseReference, in.PurchaseReference)
	fill(&p.TransactionID, in.TransactionID)
	fill(&p.OrderID, in.OrderID)
	fill(&p.PaymentAccountID, in.PaymentAccountID)
	fill(&p.PaymentAccountReference, in.PaymentAccountReference)
	fill(&p.Currency, in.Currency)
	fill(&p.IntegrationPath, in.IntegrationPath)
	fill(&p.PaymentType, in.PaymentType)
	fill(&p.InteropSource, in.InteropSource)
	if in.Amount != nil && (p.Amount == nil || newer) {
		v := *in.Amount
		p.Amount = &v
	}
	if in.ExpiresAt != nil && (p.ExpiresAt == nil || newer) {
		v := *in.ExpiresAt
		p.ExpiresAt = &v
	}
	p.CustomerToken = p.CustomerToken || in.CustomerToken
	p.InteropToken = p.InteropToken || in.InteropToken
	if r.CreatedKnown && !in.CreatedAt.IsZero() {
		p.CreatedAt = in.CreatedAt
	} else if r.At.Before(p.CreatedAt) {
		p.CreatedAt = r.At
	}
	milestones(&p, in.State, r.At)
	p.Events++
	return p
}

func milestones(p *Payment, state string, at time.Time) {
	earliest := func(dst **time.Time) {
		if *dst == nil || at.Before(**dst) {
			v := at
			*dst = &v
		}
	}
	if state == klarna.PaymentSubmitted {
		earliest(&p.SubmittedAt)
	}
	if Authorized(state) {
		earliest(&p.AuthorizedAt)
	}
	if Final(state) {
		earliest(&p.FinalAt)
	}
}

// Day is what one payment adds to its partner's figures of the day it was
// created (payment_days).
type Day struct {
	TenantID uuid.UUID
	Day      time.Time // UTC midnight
	Figures
}

// Figures are counts over a set of payments (and the settlement lag of
// their partner's payouts in the same period).
type Figures struct {
	Payments, Authorized, Declined, Expired, Canceled, Open int64
	// StaleOpen are the open ones created before yesterday (read, not kept).
	StaleOpen                       int64
	AuthTimed                       int64
	AuthSeconds                     float64
	InteropExpected, InteropCarried int64
	Hosted, ServerSide, Recurring   int64
	SaleLagLines                    int64
	SaleLagSeconds                  float64
}

// Add adds o to f.
func (f *Figures) Add(o Figures, sign int64) {
	f.Payments += sign * o.Payments
	f.Authorized += sign * o.Authorized
	f.Declined += sign * o.Declined
	f.Expired += sign * o.Expired
	f.Canceled += sign * o.Canceled
	f.Open += sign * o.Open
	f.StaleOpen += sign * o.StaleOpen
	f.AuthTimed += sign * o.AuthTimed
	f.AuthSeconds += float64(sign) * o.AuthSeconds
	f.InteropExpected += sign * o.InteropExpected
	f.InteropCarried += sign * o.InteropCarried
	f.Hosted += sign * o.Hosted
	f.ServerSide += sign * o.ServerSide
	f.Recurring += sign * o.Recurring
	f.SaleLagLines += sign * o.SaleLagLines
	f.SaleLagSeconds += float64(sign) * o.SaleLagSeconds
}

// Contribution is what p adds to its day's figures.
func Contribution(p Payment) Day {
	d := Day{TenantID: p.TenantID, Day: p.CreatedAt.UTC().Truncate(24 * time.Hour)}
	f := &d.Figures
	f.Payments = 1
	switch {
	case Authorized(p.State):
		f.Authorized = 1
		if p.SubmittedAt != nil && p.AuthorizedAt != nil && !p.AuthorizedAt.Before(*p.SubmittedAt) {
			f.AuthTimed, f.AuthSeconds = 1, p.AuthorizedAt.Sub(*p.SubmittedAt).Seconds()
		}
	case p.State == klarna.PaymentDeclined:
		f.Declined = 1
	case p.State == klarna.PaymentExpired:
		f.Expired = 1
	case p.State == klarna.PaymentCanceled:
		f.Canceled = 1
	default:
		f.Open = 1
	}
	if p.InteropSource != "" {
		f.InteropExpected = 1
		if p.InteropToken {
			f.InteropCarried = 1
		}
	}
	switch p.IntegrationPath {
	case klarna.IntegrationHosted:
		f.Hosted = 1
	case klarna.IntegrationServerSide:
		f.ServerSide = 1
	}
	if p.PaymentType == klarna.PaymentRecurring {
		f.Recurring = 1
	}
	return d
}

// Filter selects payments. Zero fields do not filter.
type Filter struct {
	Tenants    []uuid.UUID
	States     []string
	Currencies []string
	// Paths are integration paths; "" selects payments whose path no
	// event told.
	Paths []string
	// Interop: true selects payments that carried the interoperability
	// token, false those that should have and did not.
	Interop  *bool
	From, To time.Time // created
	// Query is an exact payment request id or reference, purchase
	// reference, payment transaction id or order id.
	Query string
}

// Store persists payments. Every read takes the scope of tenants it may
// return and filters on it in SQL (NotFound outside it).
type Store interface {
	// Apply records r in one transaction: the state report once per event
	// id (recorded=false for an event already recorded), the payment merged
	// with merge, and the day figures moved from the old contribution to
	// the new one.
	Apply(ctx context.Context, r Report, merge func(cur *Payment, r Report) Payment) (recorded bool, err error)
	List(ctx context.Context, sc scope.Scope, f Filter, cursor string, limit int) ([]Payment, string, error)
	Stream(ctx context.Context, sc scope.Scope, f Filter, fn func(Payment) error) error
	Get(ctx context.Context, sc scope.Scope, id string) (Payment, error)
	// States are the state reports of the tenant's payment id, in Klarna's time.
	States(ctx context.Context, tenant uuid.UUID, id string) ([]StateChange, error)
	// Lines are the settlement lines of an order in the tenant, with their payout.
	Lines(ctx context.Context, tenant uuid.UUID, orderID string) ([]Line, error)
	// Disputes are the tenant's disputes of a transaction or order, with their timelines.
	Disputes(ctx context.Context, tenant uuid.UUID, transactionID, orderID string) ([]Dispute, error)
	// Health sums the day figures (and the payouts' settlement lag) of the
	// filter's period, in total, per day and per partner.
	Health(ctx context.Context, sc scope.Scope, f HealthFilter) (HealthData, error)
}
