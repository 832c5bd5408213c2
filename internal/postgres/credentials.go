package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// CredentialStore implements partner.CredentialStore.
type CredentialStore struct{ db *DB }

// Credentials returns the partner credentials mirror.
func (db *DB) Credentials() *CredentialStore { return &CredentialStore{db: db} }

var _ partner.CredentialStore = (*CredentialStore)(nil)

func (s *CredentialStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func (s *CredentialStore) PartnerAccountOf(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (string, error) {
	cond, args := scopeCond("t.id", sc)
	var rows []struct{ Account string }
	err := s.db.conn(ctx).Raw(`SELECT coalesce((SELECT klarna_account_id FROM partner_accounts pa WHERE pa.tenant_id = t.id
			ORDER BY pa.created_at, pa.klarna_account_id LIMIT 1), '') AS account
		FROM tenants t WHERE t.id = ? AND `+cond, append([]any{tenantID}, args...)...).Scan(&rows).Error
	if err != nil {
		return "", fmt.Errorf("partner account: %w", err)
	}
	if len(rows) == 0 {
		return "", apperr.E(apperr.NotFound, "No such partner.")
	}
	return rows[0].Account, nil
}

const credentialUpsert = `INSERT INTO partner_credentials (tenant_id, klarna_account_id, credential_id, kind, description, status, client_id, origins,
		expires_at, created_at, created_by, created_by_label, last_used_at, synced_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (klarna_account_id, kind, credential_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, description = EXCLUDED.description,
		status = EXCLUDED.status, client_id = EXCLUDED.client_id, origins = EXCLUDED.origins, expires_at = EXCLUDED.expires_at,
		created_at = EXCLUDED.created_at,
		created_by = coalesce(EXCLUDED.created_by, partner_credentials.created_by),
		created_by_label = CASE WHEN EXCLUDED.created_by_label <> '' THEN EXCLUDED.created_by_label ELSE partner_credentials.created_by_label END,
		last_used_at = coalesce(EXCLUDED.last_used_at, partner_credentials.last_used_at), synced_at = EXCLUDED.synced_at`

func upsertArgs(c partner.Credential) []any {
	origins := c.Origins
	if origins == nil {
		origins = []string{}
	}
	return []any{c.TenantID, c.KlarnaAccountID, c.CredentialID, c.Kind, c.Description, c.Status, c.ClientID, pq.Array(origins),
		c.ExpiresAt, c.CreatedAt, c.CreatedBy, c.CreatedByLabel, c.LastUsedAt, c.SyncedAt}
}

func (s *CredentialStore) UpsertCredential(ctx context.Context, c partner.Credential) error {
	if err := s.db.conn(ctx).Exec(credentialUpsert, upsertArgs(c)...).Error; err != nil {
		return fmt.Errorf("upsert credential: %w", err)
	}
	return nil
}

func (s *CredentialStore) ReplaceCredentials(ctx context.Context, tenantID uuid.UUID, accountID, kind string, cs []partner.Credential, at time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		ids := make([]string, 0, len(cs))
		for _, c := range cs {
			if err := s.UpsertCredential(ctx, c); err != nil {
				return err
			}
			ids = append(ids, c.CredentialID)
		}
		// What Klarna no longer lists is gone there (deleted after ten
		// months disabled, README §2.1).
		err := s.db.conn(ctx).Exec(`DELETE FROM partner_credentials WHERE klarna_account_id = ? AND kind = ? AND NOT (credential_id = ANY(?))`,
			accountID, kind, pq.Array(ids)).Error
		if err != nil {
			return fmt.Errorf("replace credentials: %w", err)
		}
		return nil
	})
}

const credentialColumns = `c.id, c.tenant_id, t.slug, t.name, c.klarna_account_id, c.credential_id, c.kind, c.description, c.status, c.client_id, c.origins,
	c.expires_at, c.created_at, c.created_by, c.created_by_label, c.last_used_at, c.synced_at`

func scanCredential(rows *sql.Rows) (partner.Credential, error) {
	var c partner.Credential
	var origins pq.StringArray
	err := rows.Scan(&c.ID, &c.TenantID, &c.TenantSlug, &c.TenantName, &c.KlarnaAccountID, &c.CredentialID, &c.Kind, &c.Description, &c.Status, &c.ClientID, &origins,
		&c.ExpiresAt, &c.CreatedAt, &c.CreatedBy, &c.CreatedByLabel, &c.LastUsedAt, &c.SyncedAt)
	c.Origins = []string(origins)
	if c.Origins == nil {
		c.Origins = []string{}
	}
	return c, err
}

// autoDisableExpr is when Klarna disables an enabled API key left unused
// (partner.Credential.AutoDisableAt).
const autoDisableExpr = `(coalesce(c.last_used_at, c.created_at) + interval '2 months')`

func credentialWhere(sc scope.Scope, f partner.CredentialFilter) (string, []any) {
	if f.TenantID != uuid.Nil {
		sc = sc.Narrow(f.TenantID)
	}
	cond, args := scopeCond("c.tenant_id", sc)
	conds := []string{cond}
	if f.Kind != "" {
		conds, args = append(conds, "c.kind = ?"), append(args, f.Kind)
	}
	if f.Status != "" {
		conds, args = append(conds, "c.status = ?"), append(args, f.Status)
	}
	if !f.CreatedBefore.IsZero() {
		conds, args = append(conds, "c.created_at <= ?"), append(args, f.CreatedBefore)
	}
	if !f.AutoDisableBefore.IsZero() {
		conds = append(conds, "c.kind = 'api_key' AND c.status = 'ENABLED' AND "+autoDisableExpr+" <= ?")
		args = append(args, f.AutoDisableBefore)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		p := "%" + likeEscape(q) + "%"
		conds = append(conds, `(c.credential_id ILIKE ? ESCAPE '\' OR c.description ILIKE ? ESCAPE '\' OR c.client_id ILIKE ? ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// CountCredentials counts what Credentials pages through for f.
func (s *CredentialStore) CountCredentials(ctx context.Context, sc scope.Scope, f partner.CredentialFilter) (int64, error) {
	where, args := credentialWhere(sc, f)
	var n int64
	if err := s.db.conn(ctx).Raw(`SELECT count(*) FROM partner_credentials c`+where, args...).Row().Scan(&n); err != nil {
		return 0, fmt.Errorf("count credentials: %w", err)
	}
	return n, nil
}

func (s *CredentialStore) Credentials(ctx context.Context, sc scope.Scope, f partner.CredentialFilter, cursor string, limit int) ([]partner.Credential, string, error) {
	where, args := credentialWhere(sc, f)
	if cursor != "" {
		cur, err := keyset.Decode(cursor)
		if err != nil {
			return nil, "", err
		}
		where += " AND (c.created_at, c.id) < (?, ?)"
		args = append(args, cur.At, cur.ID)
	}
	rows, err := s.db.conn(ctx).Raw(`SELECT `+credentialColumns+` FROM partner_credentials c JOIN tenants t ON t.id = c.tenant_id`+where+
		` ORDER BY c.created_at DESC, c.id DESC LIMIT ?`, append(args, limit+1)...).Rows()
	if err != nil {
		return nil, "", fmt.Errorf("credentials: %w", err)
	}
	defer rows.Close()
	out := make([]partner.Credential, 0, limit)
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, "", fmt.Errorf("credentials: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("credentials: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[len(out)-1]
		next = keyset.Encode(keyset.Cursor{At: last.CreatedAt, ID: last.ID})
	}
	return out, next, nil
}

func (s *CredentialStore) Credential(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, kind, credentialID string) (partner.Credential, error) {
	where, args := credentialWhere(sc, partner.CredentialFilter{TenantID: tenantID, Kind: kind})
	rows, err := s.db.conn(ctx).Raw(`SELECT `+credentialColumns+` FROM partner_credentials c JOIN tenants t ON t.id = c.tenant_id`+where+
		` AND c.credential_id = ?`, append(args, credentialID)...).Rows()
	if err != nil {
		return partner.Credential{}, fmt.Errorf("credential: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return partner.Credential{}, fmt.Errorf("credential: %w", err)
		}
		return partner.Credential{}, apperr.E(apperr.NotFound, "No such credential.")
	}
	c, err := scanCredential(rows)
	if err != nil {
		return c, fmt.Errorf("credential: %w", err)
	}
	return c, nil
}
