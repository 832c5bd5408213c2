package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

var _ identity.DirectoryStore = (*IdentityStore)(nil)

// MemberTenants implements identity.DirectoryStore: one query over the
// user's memberships.
func (s *IdentityStore) MemberTenants(ctx context.Context, userID uuid.UUID) ([]identity.TenantRoles, error) {
	type row struct {
		ID        uuid.UUID
		Kind      string
		Slug      string
		Name      string
		CreatedAt time.Time
		Roles     pq.StringArray `gorm:"type:text[]"`
	}
	var rows []row
	err := s.db.conn(ctx).Raw(`SELECT t.id, t.kind, t.slug, t.name, t.created_at, array_agg(m.role ORDER BY m.role) AS roles
		FROM memberships m JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = ?
		GROUP BY t.id ORDER BY t.kind, t.name, t.id`, userID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("member tenants: %w", err)
	}
	out := make([]identity.TenantRoles, len(rows))
	for i, r := range rows {
		out[i] = identity.TenantRoles{Tenant: identity.Tenant{ID: r.ID, Kind: r.Kind, Slug: r.Slug, Name: r.Name, CreatedAt: r.CreatedAt}, Roles: r.Roles}
	}
	return out, nil
}

// TenantIn implements identity.DirectoryStore.
func (s *IdentityStore) TenantIn(ctx context.Context, sc scope.Scope, id uuid.UUID) (identity.Tenant, error) {
	cond, args := scopeCond("id", sc)
	var rows []tenantRow
	if err := s.db.conn(ctx).Raw(`SELECT id, kind, slug, name, created_at FROM tenants WHERE id = ? AND `+cond, append([]any{id}, args...)...).Scan(&rows).Error; err != nil {
		return identity.Tenant{}, fmt.Errorf("tenant: %w", err)
	}
	if len(rows) == 0 {
		return identity.Tenant{}, apperr.E(apperr.NotFound, "No such tenant.")
	}
	return rows[0].domain(), nil
}

// SearchTenants implements identity.DirectoryStore: keyset paging on
// (kind, name, id), the tenants_directory index.
func (s *IdentityStore) SearchTenants(ctx context.Context, sc scope.Scope, q string, after *identity.TenantCursor, limit int) ([]identity.Tenant, error) {
	cond, args := scopeCond("id", sc)
	if q != "" {
		pat := "%" + likeEscape(q) + "%"
		if id, err := uuid.Parse(q); err == nil {
			cond += ` AND (id = ? OR name ILIKE ? ESCAPE '\' OR slug ILIKE ? ESCAPE '\')`
			args = append(args, id, pat, pat)
		} else {
			cond += ` AND (name ILIKE ? ESCAPE '\' OR slug ILIKE ? ESCAPE '\')`
			args = append(args, pat, pat)
		}
	}
	if after != nil {
		cond += ` AND (kind, name, id) > (?, ?, ?)`
		args = append(args, after.Kind, after.Name, after.ID)
	}
	var rows []tenantRow
	err := s.db.conn(ctx).Raw(`SELECT id, kind, slug, name, created_at FROM tenants WHERE `+cond+` ORDER BY kind, name, id LIMIT ?`, append(args, limit)...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("search tenants: %w", err)
	}
	out := make([]identity.Tenant, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}
