package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// ChangeStore implements partner.ChangeStore. Reads for people (Change,
// ListChanges) take the scope and filter on it in SQL; the rest serve the
// change worker and the services that already checked the partner's tenant
// (a change carries its tenant id), so they name no scope.
type ChangeStore struct{ db *DB }

// Changes returns the store of changes pushed to Klarna.
func (db *DB) Changes() *ChangeStore { return &ChangeStore{db: db} }

var _ partner.ChangeStore = (*ChangeStore)(nil)

func (s *ChangeStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

type changeRow struct {
	ID               uuid.UUID
	Seq              int64
	TenantID         uuid.UUID
	KlarnaAccountID  string
	Kind             string
	Operation        string
	ResourceID       string
	ResourceRef      string
	Payload          []byte
	Before           []byte
	Reason           string
	Status           string
	Attempts         int
	Error            string
	FieldErrors      []byte
	Result           []byte
	RequestedBy      *uuid.UUID
	RequestedByLabel string
	IdempotencyKey   uuid.UUID
	CreatedAt        time.Time
	UpdatedAt        time.Time
	AppliedAt        *time.Time
	NextAttemptAt    *time.Time
}

func (r changeRow) domain() (partner.Change, error) {
	c := partner.Change{ID: r.ID, TenantID: r.TenantID, AccountID: r.KlarnaAccountID, Kind: r.Kind, Operation: r.Operation,
		ResourceID: r.ResourceID, ResourceRef: r.ResourceRef, Payload: r.Payload, Before: r.Before, Reason: r.Reason,
		Status: partner.ChangeStatus(r.Status), Attempts: r.Attempts, Error: r.Error, Result: r.Result,
		RequestedBy: r.RequestedBy, RequestedByLabel: r.RequestedByLabel, IdempotencyKey: r.IdempotencyKey,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, AppliedAt: r.AppliedAt, NextAttemptAt: r.NextAttemptAt}
	if len(r.FieldErrors) > 0 {
		if err := json.Unmarshal(r.FieldErrors, &c.FieldErrors); err != nil {
			return c, fmt.Errorf("change %s: %w", r.ID, err)
		}
	}
	return c, nil
}

// rawOrNull is a jsonb parameter: the raw text, or NULL when empty.
func rawOrNull(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func (s *ChangeStore) InsertChange(ctx context.Context, c *partner.Change) error {
	fe, err := jsonOrNull(c.FieldErrors, len(c.FieldErrors) == 0)
	if err != nil {
		return err
	}
	err = s.db.conn(ctx).Exec(`INSERT INTO partner_changes (id, tenant_id, klarna_account_id, kind, operation, resource_id, resource_ref,
		payload, before, reason, status, attempts, error, field_errors, result, requested_by, requested_by_label, idempotency_key,
		created_at, updated_at, applied_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.TenantID, c.AccountID, c.Kind, c.Operation, c.ResourceID, c.ResourceRef,
		string(c.Payload), rawOrNull(c.Before), c.Reason, string(c.Status), c.Attempts, c.Error, fe, rawOrNull(c.Result),
		c.RequestedBy, c.RequestedByLabel, c.IdempotencyKey, c.CreatedAt, c.UpdatedAt, c.AppliedAt).Error
	if err != nil {
		return fmt.Errorf("insert change: %w", err)
	}
	return nil
}

func (s *ChangeStore) UpdateChange(ctx context.Context, c *partner.Change) error {
	fe, err := jsonOrNull(c.FieldErrors, len(c.FieldErrors) == 0)
	if err != nil {
		return err
	}
	res := s.db.conn(ctx).Exec(`UPDATE partner_changes SET resource_id = ?, status = ?, attempts = ?, error = ?, field_errors = ?::jsonb,
		result = ?::jsonb, updated_at = ?, applied_at = ?, next_attempt_at = ? WHERE id = ?`,
		c.ResourceID, string(c.Status), c.Attempts, c.Error, fe, rawOrNull(c.Result), c.UpdatedAt, c.AppliedAt, c.NextAttemptAt, c.ID)
	if res.Error != nil {
		return fmt.Errorf("update change: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.E(apperr.NotFound, "No such change.")
	}
	return nil
}

const changeSelect = `SELECT id, seq, tenant_id, klarna_account_id, kind, operation, resource_id, resource_ref, payload, before, reason,
	status, attempts, error, field_errors, result, requested_by, requested_by_label, idempotency_key, created_at, updated_at, applied_at,
	next_attempt_at FROM partner_changes`

func (s *ChangeStore) one(ctx context.Context, q string, args ...any) (partner.Change, error) {
	var rows []changeRow
	if err := s.db.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return partner.Change{}, fmt.Errorf("change: %w", err)
	}
	if len(rows) == 0 {
		return partner.Change{}, apperr.E(apperr.NotFound, "No such change.")
	}
	return rows[0].domain()
}

func (s *ChangeStore) Change(ctx context.Context, sc scope.Scope, id uuid.UUID) (partner.Change, error) {
	cond, args := scopeCond("tenant_id", sc)
	return s.one(ctx, changeSelect+` WHERE id = ? AND `+cond, append([]any{id}, args...)...)
}

// LockChange is the worker's and the retry's read, across tenants (the
// caller has checked the change's tenant or is the job queue).
func (s *ChangeStore) LockChange(ctx context.Context, id uuid.UUID) (partner.Change, error) {
	if _, err := mustTx(ctx, "lock change"); err != nil {
		return partner.Change{}, err
	}
	return s.one(ctx, changeSelect+` WHERE id = ? FOR UPDATE`, id)
}

func (s *ChangeStore) NextPending(ctx context.Context, accountID string) (uuid.UUID, bool, error) {
	var ids []uuid.UUID
	if err := s.db.conn(ctx).Raw(`SELECT id FROM partner_changes WHERE klarna_account_id = ? AND status = 'pending' ORDER BY seq LIMIT 1`,
		accountID).Scan(&ids).Error; err != nil {
		return uuid.Nil, false, fmt.Errorf("next change: %w", err)
	}
	if len(ids) == 0 {
		return uuid.Nil, false, nil
	}
	return ids[0], true, nil
}

// ReservePace books the account's next slot in one statement, so two
// instances never get the same one.
func (s *ChangeStore) ReservePace(ctx context.Context, accountID string, gap time.Duration) (time.Time, error) {
	var slot []time.Time
	err := s.db.conn(ctx).Raw(`INSERT INTO partner_change_pace AS p (klarna_account_id, next_at) VALUES (?, clock_timestamp() + ?::interval)
		ON CONFLICT (klarna_account_id) DO UPDATE SET next_at = greatest(clock_timestamp(), p.next_at) + ?::interval
		RETURNING next_at - ?::interval`, accountID, gap.String(), gap.String(), gap.String()).Scan(&slot).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("reserve pace: %w", err)
	}
	if len(slot) == 0 {
		return time.Time{}, fmt.Errorf("reserve pace: no slot")
	}
	return slot[0], nil
}

func (s *ChangeStore) ListChanges(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, f partner.ChangeFilter) ([]partner.Change, string, error) {
	cond, args := scopeCond("tenant_id", sc)
	q := changeSelect + ` WHERE tenant_id = ? AND ` + cond
	args = append([]any{tenantID}, args...)
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.Resource != "" {
		q += ` AND (resource_id = ? OR (resource_ref = ? AND resource_ref <> ''))`
		args = append(args, f.Resource, f.Resource)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Cursor != "" {
		seq, err := keyset.DecodeOrdinal(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		q += ` AND seq < ?`
		args = append(args, seq)
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, f.Limit+1)
	var rows []changeRow
	if err := s.db.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list changes: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = keyset.EncodeOrdinal(rows[len(rows)-1].Seq)
	}
	out := make([]partner.Change, 0, len(rows))
	for _, r := range rows {
		c, err := r.domain()
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	return out, next, nil
}
