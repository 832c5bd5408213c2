package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// ProductStore implements partner.ProductStore (payment product history).
type ProductStore struct{ db *DB }

// Products returns the payment product history store.
func (db *DB) Products() *ProductStore { return &ProductStore{db: db} }

var _ partner.ProductStore = (*ProductStore)(nil)

func (s *ProductStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

const productEventColumns = `id, tenant_id, klarna_account_id, product_id, kind, source, status, previous_status, reason, actor_id, actor_label,
	change_id, request_id, fulfilled_at, event_id, occurred_at, created_at`

type productEventRow struct {
	ID              uuid.UUID
	TenantID        uuid.UUID
	KlarnaAccountID string
	ProductID       string
	Kind            string
	Source          string
	Status          string
	PreviousStatus  string
	Reason          string
	ActorID         *uuid.UUID
	ActorLabel      string
	ChangeID        *uuid.UUID
	RequestID       *uuid.UUID
	FulfilledAt     *time.Time
	EventID         string
	OccurredAt      time.Time
	CreatedAt       time.Time
}

func (r productEventRow) event() partner.ProductEvent {
	return partner.ProductEvent{ID: r.ID, TenantID: r.TenantID, AccountID: r.KlarnaAccountID, ProductID: r.ProductID, Kind: r.Kind, Source: r.Source,
		Status: r.Status, PreviousStatus: r.PreviousStatus, Reason: r.Reason, ActorID: r.ActorID, ActorLabel: r.ActorLabel, ChangeID: r.ChangeID,
		RequestID: r.RequestID, FulfilledAt: r.FulfilledAt, EventID: r.EventID, OccurredAt: r.OccurredAt, CreatedAt: r.CreatedAt}
}

func (s *ProductStore) RecordProductStatus(ctx context.Context, seen partner.ProductStatusSeen) (bool, error) {
	recorded := false
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		db := s.db.conn(ctx)
		var tenants []uuid.UUID
		if err := db.Raw(`SELECT tenant_id FROM partner_accounts WHERE klarna_account_id = ? FOR UPDATE`, seen.AccountID).Scan(&tenants).Error; err != nil {
			return err
		}
		if len(tenants) == 0 {
			return nil
		}
		var last []string
		if err := db.Raw(`SELECT status FROM payment_product_history WHERE klarna_account_id = ? AND product_id = ? AND kind = 'status'
			ORDER BY occurred_at DESC, created_at DESC LIMIT 1`, seen.AccountID, seen.ProductID).Scan(&last).Error; err != nil {
			return err
		}
		prev := seen.PreviousStatus
		if len(last) == 1 {
			if last[0] == seen.Status {
				return nil
			}
			prev = last[0]
		}
		var req []productEventRow
		if err := db.Raw(`UPDATE payment_product_history SET fulfilled_at = ? WHERE id = (
			SELECT id FROM payment_product_history WHERE klarna_account_id = ? AND product_id = ? AND kind = 'request' AND fulfilled_at IS NULL AND status = ?
			ORDER BY occurred_at DESC LIMIT 1) RETURNING `+productEventColumns, seen.At, seen.AccountID, seen.ProductID, seen.Status).Scan(&req).Error; err != nil {
			return err
		}
		row := productEventRow{ID: uuid.New(), TenantID: tenants[0], KlarnaAccountID: seen.AccountID, ProductID: seen.ProductID, Kind: partner.ProductStatusRow,
			Source: seen.Source, Status: seen.Status, PreviousStatus: prev, EventID: seen.EventID, OccurredAt: seen.At}
		if len(req) == 1 {
			r := req[0]
			row.Reason, row.ActorID, row.ActorLabel, row.ChangeID, row.RequestID = r.Reason, r.ActorID, r.ActorLabel, r.ChangeID, &r.ID
		}
		res := db.Exec(`INSERT INTO payment_product_history (id, tenant_id, klarna_account_id, product_id, kind, source, status, previous_status, reason,
			actor_id, actor_label, change_id, request_id, event_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (event_id) WHERE event_id <> '' DO NOTHING`,
			row.ID, row.TenantID, row.KlarnaAccountID, row.ProductID, row.Kind, row.Source, row.Status, row.PreviousStatus, row.Reason,
			row.ActorID, row.ActorLabel, row.ChangeID, row.RequestID, row.EventID, row.OccurredAt)
		recorded = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("record product status: %w", err)
	}
	return recorded, nil
}

func (s *ProductStore) AddProductRequest(ctx context.Context, e partner.ProductEvent) error {
	err := s.db.conn(ctx).Exec(`INSERT INTO payment_product_history (id, tenant_id, klarna_account_id, product_id, kind, source, status, previous_status, reason,
		actor_id, actor_label, change_id, occurred_at) VALUES (?, ?, ?, ?, 'request', 'partner_desk', ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.TenantID, e.AccountID, e.ProductID, e.Status, e.PreviousStatus, e.Reason, e.ActorID, e.ActorLabel, e.ChangeID, e.OccurredAt).Error
	if err != nil {
		return fmt.Errorf("add product request: %w", err)
	}
	return nil
}

func (s *ProductStore) ProductHistory(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, limit int) ([]partner.ProductEvent, error) {
	cond, args := scopeCond("tenant_id", sc)
	var rows []productEventRow
	if err := s.db.conn(ctx).Raw(`SELECT `+productEventColumns+` FROM payment_product_history WHERE tenant_id = ? AND `+cond+`
		ORDER BY occurred_at DESC, created_at DESC LIMIT ?`, append(append([]any{tenantID}, args...), limit)...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("product history: %w", err)
	}
	out := make([]partner.ProductEvent, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.event())
	}
	return out, nil
}

// SeedProductHistory stores history rows as they are (the demo's past
// changes), unless the tenant has requests of its own already; seeded
// reports whether it stored them.
func (s *ProductStore) SeedProductHistory(ctx context.Context, tenantID uuid.UUID, events []partner.ProductEvent) (seeded bool, err error) {
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		db := s.db.conn(ctx)
		var n int64
		if err := db.Raw(`SELECT count(*) FROM payment_product_history WHERE tenant_id = ? AND kind = 'request'`, tenantID).Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, e := range events {
			if err := db.Exec(`INSERT INTO payment_product_history (id, tenant_id, klarna_account_id, product_id, kind, source, status, previous_status, reason,
				actor_label, change_id, request_id, fulfilled_at, event_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.ID, tenantID, e.AccountID, e.ProductID, e.Kind, e.Source, e.Status, e.PreviousStatus, e.Reason, e.ActorLabel, e.ChangeID, e.RequestID,
				e.FulfilledAt, e.EventID, e.OccurredAt).Error; err != nil {
				return err
			}
		}
		seeded = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("seed product history: %w", err)
	}
	return seeded, nil
}
