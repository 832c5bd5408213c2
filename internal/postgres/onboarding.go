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

// OnboardingStore implements partner.OnboardingStore.
type OnboardingStore struct{ db *DB }

// Onboarding returns the onboarding draft store.
func (db *DB) Onboarding() *OnboardingStore { return &OnboardingStore{db: db} }

var _ partner.OnboardingStore = (*OnboardingStore)(nil)

func (s *OnboardingStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

type draftRow struct {
	ID              uuid.UUID
	Kind            string
	TenantID        *uuid.UUID
	KlarnaAccountID string
	Payload         []byte
	Step            string
	Status          string
	IdempotencyKey  uuid.UUID
	Version         int
	FieldErrors     []byte
	Conflict        []byte
	LastError       string
	Attempts        int
	Result          []byte
	Existing        []byte
	NextAttemptAt   *time.Time
	CreatedBy       *uuid.UUID
	UpdatedBy       *uuid.UUID
	CreatedByEmail  string
	UpdatedByEmail  string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	SubmittedAt     *time.Time
	CompletedAt     *time.Time
}

func (r draftRow) domain() (partner.Draft, error) {
	d := partner.Draft{ID: r.ID, Kind: r.Kind, TenantID: r.TenantID, KlarnaAccountID: r.KlarnaAccountID, Step: r.Step, Status: partner.DraftStatus(r.Status),
		IdempotencyKey: r.IdempotencyKey, Version: r.Version, LastError: r.LastError, Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt,
		CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, CreatedByEmail: r.CreatedByEmail, UpdatedByEmail: r.UpdatedByEmail,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SubmittedAt: r.SubmittedAt, CompletedAt: r.CompletedAt}
	for _, f := range []struct {
		raw []byte
		v   any
	}{{r.Payload, &d.Payload}, {r.FieldErrors, &d.FieldErrors}, {r.Conflict, &d.Conflict}, {r.Result, &d.Result}, {r.Existing, &d.Existing}} {
		if len(f.raw) == 0 {
			continue
		}
		if err := json.Unmarshal(f.raw, f.v); err != nil {
			return d, fmt.Errorf("draft %s: %w", r.ID, err)
		}
	}
	return d, nil
}

// jsonOrNull is v as jsonb text, or NULL for a nil value.
func jsonOrNull(v any, isNil bool) (any, error) {
	if isNil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func draftColumns(d *partner.Draft) ([]any, error) {
	payload, err := json.Marshal(d.Payload)
	if err != nil {
		return nil, err
	}
	fe, err := jsonOrNull(d.FieldErrors, len(d.FieldErrors) == 0)
	if err != nil {
		return nil, err
	}
	cf, err := jsonOrNull(d.Conflict, len(d.Conflict) == 0)
	if err != nil {
		return nil, err
	}
	res, err := jsonOrNull(d.Result, d.Result == nil)
	if err != nil {
		return nil, err
	}
	ex, err := jsonOrNull(d.Existing, d.Existing == nil)
	if err != nil {
		return nil, err
	}
	return []any{d.TenantID, d.KlarnaAccountID, d.Payload.PartnerAccountReference, d.Payload.PartnerAccountName, d.Payload.Contact.Email,
		string(payload), d.Step, string(d.Status), d.Version, fe, cf, d.LastError, d.Attempts, res, ex, d.NextAttemptAt,
		d.UpdatedBy, d.SubmittedAt, d.CompletedAt}, nil
}

const draftSet = `tenant_id = ?, klarna_account_id = ?, partner_account_reference = ?, partner_account_name = ?, contact_email = ?,
	payload = ?::jsonb, step = ?, status = ?, version = ?, field_errors = ?::jsonb, conflict = ?::jsonb, last_error = ?, attempts = ?,
	result = ?::jsonb, existing = ?::jsonb, next_attempt_at = ?, updated_by = ?, submitted_at = ?, completed_at = ?`

func (s *OnboardingStore) CreateDraft(ctx context.Context, d *partner.Draft) error {
	cols, err := draftColumns(d)
	if err != nil {
		return err
	}
	if err := s.db.conn(ctx).Exec(`INSERT INTO onboarding_drafts (id, kind, idempotency_key, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		d.ID, d.Kind, d.IdempotencyKey, d.CreatedBy, d.CreatedAt, d.UpdatedAt).Error; err != nil {
		return fmt.Errorf("create draft: %w", err)
	}
	if err := s.db.conn(ctx).Exec(`UPDATE onboarding_drafts SET `+draftSet+` WHERE id = ?`, append(cols, d.ID)...).Error; err != nil {
		return fmt.Errorf("create draft: %w", err)
	}
	return nil
}

func (s *OnboardingStore) UpdateDraft(ctx context.Context, d *partner.Draft) error {
	cols, err := draftColumns(d)
	if err != nil {
		return err
	}
	res := s.db.conn(ctx).Exec(`UPDATE onboarding_drafts SET `+draftSet+`, updated_at = now() WHERE id = ?`, append(cols, d.ID)...)
	if res.Error != nil {
		return fmt.Errorf("update draft: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.E(apperr.NotFound, "No such onboarding draft.")
	}
	return nil
}

const draftSelect = `SELECT d.id, d.kind, d.tenant_id, d.klarna_account_id, d.payload, d.step, d.status, d.idempotency_key, d.version,
	d.field_errors, d.conflict, d.last_error, d.attempts, d.result, d.existing, d.next_attempt_at, d.created_by, d.updated_by,
	coalesce(cu.email, '') AS created_by_email, coalesce(uu.email, '') AS updated_by_email,
	d.created_at, d.updated_at, d.submitted_at, d.completed_at
	FROM onboarding_drafts d LEFT JOIN users cu ON cu.id = d.created_by LEFT JOIN users uu ON uu.id = d.updated_by`

func (s *OnboardingStore) one(ctx context.Context, sc scope.Scope, id uuid.UUID, lock bool) (partner.Draft, error) {
	cond, args := scopeCond("d.tenant_id", sc)
	q := draftSelect + ` WHERE d.id = ? AND ` + cond
	if lock {
		q += ` FOR UPDATE OF d`
	}
	var rows []draftRow
	if err := s.db.conn(ctx).Raw(q, append([]any{id}, args...)...).Scan(&rows).Error; err != nil {
		return partner.Draft{}, fmt.Errorf("draft: %w", err)
	}
	if len(rows) == 0 {
		return partner.Draft{}, apperr.E(apperr.NotFound, "No such onboarding draft.")
	}
	return rows[0].domain()
}

func (s *OnboardingStore) Draft(ctx context.Context, sc scope.Scope, id uuid.UUID) (partner.Draft, error) {
	return s.one(ctx, sc, id, false)
}

func (s *OnboardingStore) LockDraft(ctx context.Context, sc scope.Scope, id uuid.UUID) (partner.Draft, error) {
	if _, err := mustTx(ctx, "lock draft"); err != nil {
		return partner.Draft{}, err
	}
	return s.one(ctx, sc, id, true)
}

func (s *OnboardingStore) DeleteDraft(ctx context.Context, id uuid.UUID) error {
	return s.db.conn(ctx).Exec(`DELETE FROM onboarding_drafts WHERE id = ?`, id).Error
}

// CountDrafts counts what ListDrafts lists for status.
func (s *OnboardingStore) CountDrafts(ctx context.Context, sc scope.Scope, status partner.DraftStatus) (int64, error) {
	cond, args := scopeCond("d.tenant_id", sc)
	var n int64
	if err := s.db.conn(ctx).Raw(`SELECT count(*) FROM onboarding_drafts d WHERE `+cond+` AND d.status = ?`, append(args, string(status))...).Row().Scan(&n); err != nil {
		return 0, fmt.Errorf("count drafts: %w", err)
	}
	return n, nil
}

func (s *OnboardingStore) ListDrafts(ctx context.Context, sc scope.Scope, f partner.DraftFilter) ([]partner.Draft, string, error) {
	cond, args := scopeCond("d.tenant_id", sc)
	q := draftSelect + ` WHERE ` + cond
	if f.Status != "" {
		q += ` AND d.status = ?`
		args = append(args, string(f.Status))
	}
	if f.Cursor != "" {
		c, err := keyset.DecodeUUID(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		q += ` AND (d.updated_at, d.id) < (?, ?)`
		args = append(args, c.At, c.ID)
	}
	q += ` ORDER BY d.updated_at DESC, d.id DESC LIMIT ?`
	args = append(args, f.Limit+1)
	var rows []draftRow
	if err := s.db.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list drafts: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		next = keyset.EncodeUUID(keyset.UUIDCursor{At: last.UpdatedAt, ID: last.ID})
	}
	out := make([]partner.Draft, 0, len(rows))
	for _, r := range rows {
		d, err := r.domain()
		if err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	return out, next, nil
}

func (s *OnboardingStore) AccountOfTenant(ctx context.Context, tenantID uuid.UUID) (string, error) {
	var ids []string
	if err := s.db.conn(ctx).Raw(`SELECT klarna_account_id FROM partner_accounts WHERE tenant_id = ? ORDER BY created_at, klarna_account_id LIMIT 1`, tenantID).Scan(&ids).Error; err != nil {
		return "", fmt.Errorf("account of tenant: %w", err)
	}
	if len(ids) == 0 {
		return "", apperr.E(apperr.Conflict, "This partner has no Klarna account yet; onboard it as a new partner first.")
	}
	return ids[0], nil
}

func (s *OnboardingStore) SlugTenant(ctx context.Context, slug string) (uuid.UUID, []string, bool, error) {
	var ids []uuid.UUID
	if err := s.db.conn(ctx).Raw(`SELECT id FROM tenants WHERE slug = ?`, slug).Scan(&ids).Error; err != nil {
		return uuid.Nil, nil, false, fmt.Errorf("slug tenant: %w", err)
	}
	if len(ids) == 0 {
		return uuid.Nil, nil, false, nil
	}
	var accounts []string
	if err := s.db.conn(ctx).Raw(`SELECT klarna_account_id FROM partner_accounts WHERE tenant_id = ? ORDER BY klarna_account_id`, ids[0]).Scan(&accounts).Error; err != nil {
		return uuid.Nil, nil, false, fmt.Errorf("slug tenant: %w", err)
	}
	return ids[0], accounts, true, nil
}
