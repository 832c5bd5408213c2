package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// PartnerStore implements partner.Store.
type PartnerStore struct{ db *DB }

// Partners returns the partner store.
func (db *DB) Partners() *PartnerStore { return &PartnerStore{db: db} }

var _ partner.Store = (*PartnerStore)(nil)

func (s *PartnerStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func (s *PartnerStore) LinkAccount(ctx context.Context, accountID string, tenantID uuid.UUID) (bool, error) {
	// Events of the account being processed now finish first, and later
	// ones wait for this link (WebhookStore.HoldAccount).
	if err := s.db.conn(ctx).Exec(`SELECT pg_advisory_xact_lock(`+accountLock+`)`, accountID).Error; err != nil {
		return false, fmt.Errorf("link account: %w", err)
	}
	res := s.db.conn(ctx).Exec(`INSERT INTO partner_accounts (klarna_account_id, tenant_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, accountID, tenantID)
	if res.Error != nil {
		return false, fmt.Errorf("link account: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	var owners []uuid.UUID
	if err := s.db.conn(ctx).Raw(`SELECT tenant_id FROM partner_accounts WHERE klarna_account_id = ?`, accountID).Scan(&owners).Error; err != nil {
		return false, fmt.Errorf("link account: %w", err)
	}
	if len(owners) != 1 || owners[0] != tenantID {
		return false, apperr.Validation("This Klarna account belongs to another partner.", apperr.FieldError{Field: "klarna_account_id", Message: "is linked to another partner"})
	}
	return false, nil
}

func (s *PartnerStore) Account(ctx context.Context, sc scope.Scope, accountID string) (partner.Account, error) {
	var a partner.Account
	cond, args := scopeCond("tenant_id", sc)
	res := s.db.conn(ctx).Raw(`SELECT klarna_account_id, tenant_id, state, state_at FROM partner_accounts WHERE klarna_account_id = ? AND `+cond,
		append([]any{accountID}, args...)...).Scan(&a)
	if res.Error != nil {
		return a, fmt.Errorf("account: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return a, apperr.E(apperr.NotFound, "No such Klarna account.")
	}
	return a, nil
}

func (s *PartnerStore) SetAccountStateIfNewer(ctx context.Context, accountID, state string, at time.Time) (bool, error) {
	res := s.db.conn(ctx).Exec(`UPDATE partner_accounts SET state = ?, state_at = ?, updated_at = now(),
		partially_operational_at = CASE WHEN ? = 'PARTIALLY_OPERATIONAL' THEN coalesce(partially_operational_at, created_at) ELSE partially_operational_at END,
		operational_at = CASE WHEN ? = 'OPERATIONAL' THEN coalesce(operational_at, ?) ELSE operational_at END
		WHERE klarna_account_id = ? AND (state_at IS NULL OR state_at < ?)`, state, at, state, state, at, accountID, at)
	return res.RowsAffected == 1, res.Error
}

func (s *PartnerStore) SetProductStatusIfNewer(ctx context.Context, accountID, productID, status string, at time.Time) (bool, error) {
	res := s.db.conn(ctx).Exec(`INSERT INTO partner_account_products (klarna_account_id, product_id, status, status_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (klarna_account_id, product_id) DO UPDATE SET status = EXCLUDED.status, status_at = EXCLUDED.status_at
		WHERE partner_account_products.status_at < EXCLUDED.status_at`, accountID, productID, status, at)
	if res.Error != nil || res.RowsAffected != 1 {
		return false, res.Error
	}
	// The directory shows the payment product's status.
	err := s.db.conn(ctx).Exec(`UPDATE partner_accounts SET product_status = ?, updated_at = now() WHERE klarna_account_id = ?`, status, accountID).Error
	return err == nil, err
}
