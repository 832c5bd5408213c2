package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
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

// DisputeStore implements dispute.Store.
type DisputeStore struct{ db *DB }

// Disputes returns the dispute store.
func (db *DB) Disputes() *DisputeStore { return &DisputeStore{db: db} }

var _ dispute.Store = (*DisputeStore)(nil)

func (s *DisputeStore) SetStateIfNewer(ctx context.Context, st dispute.State) (bool, error) {
	res := s.db.conn(ctx).Exec(`INSERT INTO dispute_states (dispute_id, tenant_id, klarna_account_id, state, state_at, deadline_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (dispute_id) DO UPDATE SET state = EXCLUDED.state, state_at = EXCLUDED.state_at,
			deadline_at = coalesce(EXCLUDED.deadline_at, dispute_states.deadline_at), updated_at = now()
		WHERE dispute_states.state_at < EXCLUDED.state_at
		   OR (dispute_states.state_at = EXCLUDED.state_at
		       AND coalesce(array_position(?::text[], dispute_states.state), 0) < coalesce(array_position(?::text[], EXCLUDED.state), 0))`,
		st.DisputeID, st.TenantID, st.KlarnaAccountID, st.State, st.StateAt, st.DeadlineAt, orderArray(), orderArray())
	return res.RowsAffected == 1, res.Error
}

func orderArray() string { return "{" + strings.Join(dispute.Order, ",") + "}" }

func (s *DisputeStore) SetDeadline(ctx context.Context, disputeID string, deadline time.Time) error {
	return s.db.conn(ctx).Exec(`UPDATE dispute_states SET deadline_at = ?, updated_at = now() WHERE dispute_id = ?`, deadline, disputeID).Error
}

func (s *DisputeStore) State(ctx context.Context, sc scope.Scope, disputeID string) (dispute.State, error) {
	var st dispute.State
	cond, args := scopeCond("tenant_id", sc)
	res := s.db.conn(ctx).Raw(`SELECT dispute_id, tenant_id, klarna_account_id, state, state_at, deadline_at FROM dispute_states WHERE dispute_id = ? AND `+cond,
		append([]any{disputeID}, args...)...).Scan(&st)
	if res.Error != nil {
		return st, fmt.Errorf("dispute state: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return st, apperr.E(apperr.NotFound, "No such dispute.")
	}
	return st, nil
}
