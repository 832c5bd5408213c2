package partner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/notify"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Kinds of payment product history rows.
const (
	// ProductRequest: an admin here asked Klarna to disable or enable.
	ProductRequest = "request"
	// ProductStatusRow: a status Klarna holds, seen in a webhook or a read.
	ProductStatusRow = "status"
)

// Sources of payment product history rows.
const (
	SourcePartnerDesk = "partner_desk"
	SourceWebhook     = "webhook"
	SourceSync        = "sync"
)

// ProductEvent is one row of a payment product's history.
type ProductEvent struct {
	ID             uuid.UUID
	TenantID       uuid.UUID
	AccountID      string
	ProductID      string
	Kind           string // ProductRequest or ProductStatusRow
	Source         string
	Status         string // reached (status) or asked for (request)
	PreviousStatus string
	Reason         string
	ActorID        *uuid.UUID
	ActorLabel     string
	ChangeID       *uuid.UUID
	// RequestID: for a status row, the request it fulfils.
	RequestID *uuid.UUID
	// FulfilledAt: for a request, when Klarna showed the status asked for.
	FulfilledAt *time.Time
	EventID     string
	OccurredAt  time.Time
	CreatedAt   time.Time
}

// ProductStatusSeen is a status Klarna holds for a product, as a webhook or
// a read of the account showed it.
type ProductStatusSeen struct {
	AccountID, ProductID, Status string
	// PreviousStatus as the event named it; the last recorded status wins.
	PreviousStatus string
	Source         string // SourceWebhook or SourceSync
	EventID        string
	At             time.Time
}

// ProductStatusRecorder keeps the history of the statuses Klarna reports.
type ProductStatusRecorder interface {
	// RecordProductStatus adds a status row unless the status is the last
	// one recorded for the product (a webhook and the read it triggers
	// report the same change once). The newest open request for that
	// status is fulfilled by it and lends it its who and why. It locks the
	// account until the transaction ends; an unknown account records nothing.
	RecordProductStatus(ctx context.Context, s ProductStatusSeen) (recorded bool, err error)
}

// ProductStore keeps payment product history.
type ProductStore interface {
	ProductStatusRecorder
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	AddProductRequest(ctx context.Context, e ProductEvent) error
	// ProductHistory lists a tenant's rows in sc, newest first; empty outside sc.
	ProductHistory(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, limit int) ([]ProductEvent, error)
}

// AnnounceProducts makes every product status change r records (from a
// webhook or a read of the account) a notice to whoever manages the partner,
// here and at the acquirer. tenantOf finds the partner of an account.
func AnnounceProducts(r ProductStatusRecorder, a notify.Announcer, tenantOf func(ctx context.Context, accountID string) (uuid.UUID, bool, error)) ProductStatusRecorder {
	return announcingProducts{r: r, a: a, tenantOf: tenantOf}
}

type announcingProducts struct {
	r        ProductStatusRecorder
	a        notify.Announcer
	tenantOf func(ctx context.Context, accountID string) (uuid.UUID, bool, error)
}

func (p announcingProducts) RecordProductStatus(ctx context.Context, s ProductStatusSeen) (bool, error) {
	recorded, err := p.r.RecordProductStatus(ctx, s)
	if err != nil || !recorded {
		return recorded, err
	}
	tenant, ok, err := p.tenantOf(ctx, s.AccountID)
	if err != nil || !ok {
		return recorded, err
	}
	body := fmt.Sprintf("Klarna reports the payment product %s as %s", s.ProductID, s.Status)
	if s.PreviousStatus != "" {
		body += " (it was " + s.PreviousStatus + ")"
	}
	return recorded, p.a.Announce(ctx, notify.Event{Tenant: &tenant, Action: "partner:manage", Acquirer: true, Notification: notify.Notification{
		Kind: "product_state", Title: "Klarna payment product " + strings.ToLower(s.Status), Body: body + ".",
		Link: "/partners/" + tenant.String() + "?tab=products", DedupeKey: fmt.Sprintf("product-state:%s:%s:%s:%d", s.AccountID, s.ProductID, s.Status, s.At.UnixMilli())}})
}
