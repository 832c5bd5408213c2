package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// OffboardingStore implements partner.OffboardingStore.
type OffboardingStore struct{ db *DB }

// Offboardings returns the offboarding store.
func (db *DB) Offboardings() *OffboardingStore { return &OffboardingStore{db: db} }

var _ partner.OffboardingStore = (*OffboardingStore)(nil)

func (s *OffboardingStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

type offboardingRow struct {
	ID               uuid.UUID
	TenantID         uuid.UUID
	Reason           string
	Status           string
	Steps            string
	RequestedBy      *uuid.UUID
	RequestedByLabel string
	Runs             int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	CompletedAt      *time.Time
}

const offboardingColumns = `id, tenant_id, reason, status, steps::text AS steps, requested_by, requested_by_label, runs, created_at, updated_at, completed_at`

func (r offboardingRow) offboarding() (partner.Offboarding, error) {
	o := partner.Offboarding{ID: r.ID, TenantID: r.TenantID, Reason: r.Reason, Status: r.Status, RequestedBy: r.RequestedBy, RequestedByLabel: r.RequestedByLabel,
		Runs: r.Runs, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, CompletedAt: r.CompletedAt}
	if err := json.Unmarshal([]byte(r.Steps), &o.Steps); err != nil {
		return o, fmt.Errorf("offboarding steps: %w", err)
	}
	return o, nil
}

func (s *OffboardingStore) CreateOffboarding(ctx context.Context, o partner.Offboarding) error {
	steps, err := json.Marshal(o.Steps)
	if err != nil {
		return err
	}
	res := s.db.conn(ctx).Exec(`INSERT INTO partner_offboardings (id, tenant_id, reason, status, steps, requested_by, requested_by_label, runs)
		VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING`, o.ID, o.TenantID, o.Reason, o.Status, string(steps), o.RequestedBy, o.RequestedByLabel, o.Runs)
	if res.Error != nil {
		return fmt.Errorf("create offboarding: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.E(apperr.Conflict, "This partner's offboarding has already started; resume it if a step failed.")
	}
	return nil
}

func (s *OffboardingStore) read(ctx context.Context, q string, args ...any) (partner.Offboarding, error) {
	var rows []offboardingRow
	if err := s.db.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return partner.Offboarding{}, fmt.Errorf("offboarding: %w", err)
	}
	if len(rows) == 0 {
		return partner.Offboarding{}, apperr.E(apperr.NotFound, "This partner has no offboarding.")
	}
	return rows[0].offboarding()
}

func (s *OffboardingStore) Offboarding(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (partner.Offboarding, error) {
	cond, args := scopeCond("tenant_id", sc)
	return s.read(ctx, `SELECT `+offboardingColumns+` FROM partner_offboardings WHERE tenant_id = ? AND `+cond, append([]any{tenantID}, args...)...)
}

func (s *OffboardingStore) OffboardingByID(ctx context.Context, id uuid.UUID) (partner.Offboarding, error) {
	return s.read(ctx, `SELECT `+offboardingColumns+` FROM partner_offboardings WHERE id = ? FOR UPDATE`, id)
}

func (s *OffboardingStore) SaveOffboarding(ctx context.Context, o partner.Offboarding) error {
	steps, err := json.Marshal(o.Steps)
	if err != nil {
		return err
	}
	err = s.db.conn(ctx).Exec(`UPDATE partner_offboardings SET status = ?, steps = ?::jsonb, runs = ?, completed_at = ?, updated_at = now() WHERE id = ?`,
		o.Status, string(steps), o.Runs, o.CompletedAt, o.ID).Error
	if err != nil {
		return fmt.Errorf("save offboarding: %w", err)
	}
	return nil
}
