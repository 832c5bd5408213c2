package app

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

// DemoProductHistoryPartner is the demo partner whose payment product was
// disabled and enabled again by the acquirer admin, each with a reason.
const DemoProductHistoryPartner = "cascade-coffee"

// seedProductHistory gives the demo partner a payment product history: a
// week ago the acquirer admin disabled it over a spike in disputes (Klarna
// confirmed it by webhook), two days later enabled it again. Nothing is
// seeded when the partner is missing or has a history of its own.
func (a *App) seedProductHistory(ctx context.Context) error {
	if a.Klarna == nil {
		return nil
	}
	t, err := a.DB.Identity().TenantBySlug(ctx, DemoProductHistoryPartner)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	accountID, err := a.Klarna.ResolvePartnerAccountID(ctx, DemoProductHistoryPartner)
	if err != nil {
		return fmt.Errorf("seed product history: %w", err)
	}
	products, err := a.Klarna.ListPaymentProducts(ctx, accountID)
	if err != nil || len(products) == 0 {
		return err
	}
	productID := products[0].PaymentProductID
	const who = "admin@acquirer.example"
	at := func(days float64) time.Time {
		return time.Now().Add(-time.Duration(days * 24 * float64(time.Hour))).UTC()
	}
	ptr := func(t time.Time) *time.Time { return &t }
	disable, enable := uuid.New(), uuid.New()
	first, reason1 := at(7), "Dispute rate tripled this week; pausing new payments while risk reviews the merchant."
	second, reason2 := at(5), "Risk review closed: the disputes came from one fraudulent customer, now blocked."
	ev := func(kind, source, status, prev, reason string, when time.Time) partner.ProductEvent {
		return partner.ProductEvent{ID: uuid.New(), AccountID: accountID, ProductID: productID, Kind: kind, Source: source, Status: status,
			PreviousStatus: prev, Reason: reason, ActorLabel: who, OccurredAt: when}
	}
	rows := []partner.ProductEvent{
		ev(partner.ProductStatusRow, partner.SourceSync, "ENABLED", "", "", at(30)),
		ev(partner.ProductRequest, partner.SourcePartnerDesk, "DISABLED", "ENABLED", reason1, first),
		ev(partner.ProductStatusRow, partner.SourceWebhook, "DISABLED", "ENABLED", reason1, first.Add(40*time.Second)),
		ev(partner.ProductRequest, partner.SourcePartnerDesk, "ENABLED", "DISABLED", reason2, second),
		ev(partner.ProductStatusRow, partner.SourceWebhook, "ENABLED", "DISABLED", reason2, second.Add(35*time.Second)),
	}
	rows[0].ActorLabel = ""
	rows[1].ID, rows[3].ID = disable, enable
	rows[1].FulfilledAt, rows[3].FulfilledAt = ptr(rows[2].OccurredAt), ptr(rows[4].OccurredAt)
	rows[2].RequestID, rows[4].RequestID = &disable, &enable
	rows[2].EventID, rows[4].EventID = "demo-"+uuid.NewString(), "demo-"+uuid.NewString()
	_, err = a.DB.Products().SeedProductHistory(ctx, t.ID, rows)
	return err
}
