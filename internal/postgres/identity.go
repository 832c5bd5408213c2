package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/authz"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Row types: the database's shape, converted to domain types by name.

type tenantRow struct {
	ID        uuid.UUID
	Kind      string
	Slug      string
	Name      string
	CreatedAt time.Time
}

func (tenantRow) TableName() string { return "tenants" }

func (r tenantRow) domain() identity.Tenant {
	return identity.Tenant{ID: r.ID, Kind: r.Kind, Slug: r.Slug, Name: r.Name, CreatedAt: r.CreatedAt}
}

type userRow struct {
	ID              uuid.UUID
	Issuer          string
	Subject         string
	Email           string
	Name            string
	DisabledAt      *time.Time
	CreatedAt       time.Time
	LastLoginAt     *time.Time
	LastLoginClaims pq.StringArray `gorm:"type:text[]"`
}

func (userRow) TableName() string { return "users" }

func (r userRow) domain() identity.User {
	return identity.User{ID: r.ID, Issuer: r.Issuer, Subject: r.Subject, Email: r.Email, Name: r.Name, DisabledAt: r.DisabledAt, CreatedAt: r.CreatedAt, LastLoginAt: r.LastLoginAt,
		LastLoginClaims: []string(r.LastLoginClaims)}
}

type membershipRow struct {
	UserID    uuid.UUID
	TenantID  uuid.UUID
	Role      string
	Source    string
	GrantedBy *uuid.UUID
	CreatedAt time.Time
}

func (membershipRow) TableName() string { return "memberships" }

func (r membershipRow) domain() identity.Membership {
	return identity.Membership{UserID: r.UserID, TenantID: r.TenantID, Role: r.Role, Source: r.Source, GrantedBy: r.GrantedBy, CreatedAt: r.CreatedAt}
}

type invitationRow struct {
	ID         uuid.UUID
	TenantID   uuid.UUID
	Email      string
	Roles      pq.StringArray `gorm:"type:text[]"`
	InvitedBy  *uuid.UUID
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	AcceptedBy *uuid.UUID
	RevokedAt  *time.Time
}

func (invitationRow) TableName() string { return "invitations" }

func (r invitationRow) domain() identity.Invitation {
	return identity.Invitation{ID: r.ID, TenantID: r.TenantID, Email: r.Email, Roles: r.Roles, InvitedBy: r.InvitedBy, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, AcceptedAt: r.AcceptedAt, RevokedAt: r.RevokedAt}
}

type tokenRow struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	TenantID   uuid.UUID
	Name       string
	Roles      pq.StringArray `gorm:"type:text[]"`
	TokenHash  []byte
	Prefix     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

func (r tokenRow) domain() identity.APIToken {
	return identity.APIToken{ID: r.ID, UserID: r.UserID, TenantID: r.TenantID, Name: r.Name, Roles: r.Roles, Hash: r.TokenHash, Prefix: r.Prefix, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
}

// notFound turns GORM's not-found into apperr.NotFound.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.E(apperr.NotFound, "No such %s.", what)
	}
	return err
}

// IdentityStore implements identity.Store.
type IdentityStore struct{ db *DB }

// Identity returns the identity store.
func (db *DB) Identity() *IdentityStore { return &IdentityStore{db: db} }

var _ identity.Store = (*IdentityStore)(nil)

func (s *IdentityStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func (s *IdentityStore) CreateTenant(ctx context.Context, t identity.Tenant) error {
	row := tenantRow{ID: t.ID, Kind: t.Kind, Slug: t.Slug, Name: t.Name, CreatedAt: t.CreatedAt}
	if row.CreatedAt.IsZero() {
		row.CreatedAt = time.Now()
	}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return apperr.Validation("This tenant already exists.", apperr.FieldError{Field: "slug", Message: "is already taken"})
		}
		return fmt.Errorf("create tenant: %w", err)
	}
	return nil
}

func (s *IdentityStore) tenantWhere(ctx context.Context, query string, arg any) (identity.Tenant, error) {
	var r tenantRow
	if err := s.db.conn(ctx).Where(query, arg).Take(&r).Error; err != nil {
		return identity.Tenant{}, notFound(err, "tenant")
	}
	return r.domain(), nil
}

func (s *IdentityStore) Tenant(ctx context.Context, id uuid.UUID) (identity.Tenant, error) {
	return s.tenantWhere(ctx, "id = ?", id)
}

func (s *IdentityStore) TenantBySlug(ctx context.Context, slug string) (identity.Tenant, error) {
	return s.tenantWhere(ctx, "slug = ?", slug)
}

func (s *IdentityStore) Acquirer(ctx context.Context) (identity.Tenant, error) {
	return s.tenantWhere(ctx, "kind = ?", identity.KindAcquirer)
}

func (s *IdentityStore) Tenants(ctx context.Context) ([]identity.Tenant, error) {
	var rows []tenantRow
	if err := s.db.conn(ctx).Order("kind, name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("tenants: %w", err)
	}
	out := make([]identity.Tenant, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (s *IdentityStore) UpsertUser(ctx context.Context, u identity.User) (identity.User, error) {
	now := time.Now()
	claims := pq.StringArray(u.LastLoginClaims)
	if claims == nil {
		claims = pq.StringArray{}
	}
	row := userRow{ID: u.ID, Issuer: u.Issuer, Subject: u.Subject, Email: u.Email, Name: u.Name, CreatedAt: now, LastLoginAt: &now, LastLoginClaims: claims}
	err := s.db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "issuer"}, {Name: "subject"}},
		DoUpdates: clause.AssignmentColumns([]string{"email", "name", "last_login_at", "last_login_claims"}),
	}, clause.Returning{}).Create(&row).Error
	if err != nil {
		return identity.User{}, fmt.Errorf("upsert user: %w", err)
	}
	return row.domain(), nil
}

// RecentLogins lists the users who logged in last: every user for the All
// scope, otherwise those holding a role in a tenant of sc.
func (s *IdentityStore) RecentLogins(ctx context.Context, sc scope.Scope, limit int) ([]identity.User, error) {
	cond, args := scopeCond("m.tenant_id", sc)
	if !sc.IsAll() {
		cond = "EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND " + cond + ")"
	}
	var rows []userRow
	if err := s.db.conn(ctx).Where("last_login_at IS NOT NULL").Where(cond, args...).Order("last_login_at DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("recent logins: %w", err)
	}
	out := make([]identity.User, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (s *IdentityStore) User(ctx context.Context, id uuid.UUID) (identity.User, error) {
	var r userRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return identity.User{}, notFound(err, "user")
	}
	return r.domain(), nil
}

func (s *IdentityStore) SetUserDisabled(ctx context.Context, id uuid.UUID, at *time.Time) error {
	if err := s.db.conn(ctx).Model(&userRow{}).Where("id = ?", id).Update("disabled_at", at).Error; err != nil {
		return fmt.Errorf("set user disabled: %w", err)
	}
	return nil
}

func (s *IdentityStore) IsMember(ctx context.Context, tenantID, userID uuid.UUID) (bool, error) {
	var ok bool
	err := s.db.conn(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = ? AND user_id = ?)
		OR EXISTS (SELECT 1 FROM invitations WHERE tenant_id = ? AND accepted_by = ?)
		OR EXISTS (SELECT 1 FROM tenant_suspensions WHERE tenant_id = ? AND user_id = ?)`,
		tenantID, userID, tenantID, userID, tenantID, userID).Scan(&ok).Error
	if err != nil {
		return false, fmt.Errorf("is member: %w", err)
	}
	return ok, nil
}

// CloseTenantAccess takes a tenant id rather than a scope: only the
// offboarding of that partner, authorized by its route, calls it.
func (s *IdentityStore) CloseTenantAccess(ctx context.Context, tenantID uuid.UUID, at time.Time) error {
	if err := s.db.conn(ctx).Exec(`UPDATE tenants SET access_closed_at = coalesce(access_closed_at, ?) WHERE id = ? AND kind = 'partner'`, at, tenantID).Error; err != nil {
		return fmt.Errorf("close tenant access: %w", err)
	}
	return nil
}

func (s *IdentityStore) SetSuspended(ctx context.Context, tenantID, userID uuid.UUID, at *time.Time, by *uuid.UUID) (bool, error) {
	var res *gorm.DB
	if at != nil {
		res = s.db.conn(ctx).Exec(`INSERT INTO tenant_suspensions (user_id, tenant_id, suspended_at, suspended_by) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			userID, tenantID, *at, by)
	} else {
		res = s.db.conn(ctx).Exec(`DELETE FROM tenant_suspensions WHERE user_id = ? AND tenant_id = ?`, userID, tenantID)
	}
	if res.Error != nil {
		return false, fmt.Errorf("set suspended: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

func (s *IdentityStore) Suspended(ctx context.Context, tenantID, userID uuid.UUID) (bool, error) {
	var ok bool
	if err := s.db.conn(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM tenant_suspensions WHERE tenant_id = ? AND user_id = ?)
		OR EXISTS (SELECT 1 FROM tenants WHERE id = ? AND access_closed_at IS NOT NULL)`, tenantID, userID, tenantID).Scan(&ok).Error; err != nil {
		return false, fmt.Errorf("suspended: %w", err)
	}
	return ok, nil
}

func (s *IdentityStore) LockTenant(ctx context.Context, id uuid.UUID) error {
	var n int
	if err := s.db.conn(ctx).Raw(`SELECT 1 FROM tenants WHERE id = ? FOR UPDATE`, id).Scan(&n).Error; err != nil {
		return fmt.Errorf("lock tenant: %w", err)
	}
	if n == 0 {
		return apperr.E(apperr.NotFound, "No such tenant.")
	}
	return nil
}

func (s *IdentityStore) CountEnabledWithRole(ctx context.Context, tenantID uuid.UUID, role string) (int, error) {
	var n int
	err := s.db.conn(ctx).Raw(`SELECT count(DISTINCT m.user_id) FROM memberships m
		JOIN users u ON u.id = m.user_id AND u.disabled_at IS NULL
		JOIN tenants t ON t.id = m.tenant_id AND t.access_closed_at IS NULL
		WHERE m.tenant_id = ? AND m.role = ?
		AND NOT EXISTS (SELECT 1 FROM tenant_suspensions ts WHERE ts.user_id = m.user_id AND ts.tenant_id = m.tenant_id)`, tenantID, role).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count role holders: %w", err)
	}
	return n, nil
}

func (s *IdentityStore) UsersInTenant(ctx context.Context, tenantID uuid.UUID) ([]identity.UserWithRoles, error) {
	var ms []membershipRow
	if err := s.db.conn(ctx).Where("tenant_id = ?", tenantID).Order("created_at").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("users in tenant: %w", err)
	}
	ids := []uuid.UUID{}
	byUser := map[uuid.UUID][]identity.Membership{}
	for _, m := range ms {
		if byUser[m.UserID] == nil {
			ids = append(ids, m.UserID)
		}
		byUser[m.UserID] = append(byUser[m.UserID], m.domain())
	}
	var sus []struct {
		UserID      uuid.UUID
		SuspendedAt time.Time
	}
	if err := s.db.conn(ctx).Raw(`SELECT user_id, suspended_at FROM tenant_suspensions WHERE tenant_id = ?`, tenantID).Scan(&sus).Error; err != nil {
		return nil, fmt.Errorf("users in tenant: %w", err)
	}
	suspended := map[uuid.UUID]*time.Time{}
	for _, x := range sus {
		at := x.SuspendedAt
		suspended[x.UserID] = &at
		if byUser[x.UserID] == nil { // suspended with no role left: still listed, so it can be lifted
			ids = append(ids, x.UserID)
			byUser[x.UserID] = []identity.Membership{}
		}
	}
	var users []userRow
	if len(ids) > 0 {
		if err := s.db.conn(ctx).Where("id IN ?", ids).Order("lower(email), id").Find(&users).Error; err != nil {
			return nil, fmt.Errorf("users in tenant: %w", err)
		}
	}
	out := make([]identity.UserWithRoles, len(users))
	for i, u := range users {
		out[i] = identity.UserWithRoles{User: u.domain(), Roles: byUser[u.ID], SuspendedAt: suspended[u.ID]}
	}
	return out, nil
}

func (s *IdentityStore) Memberships(ctx context.Context, userID uuid.UUID) ([]identity.Membership, error) {
	var rows []membershipRow
	if err := s.db.conn(ctx).Where("user_id = ?", userID).Order("tenant_id, role").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	out := make([]identity.Membership, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (s *IdentityStore) AddMembership(ctx context.Context, m identity.Membership) (bool, error) {
	row := membershipRow{UserID: m.UserID, TenantID: m.TenantID, Role: m.Role, Source: m.Source, GrantedBy: m.GrantedBy, CreatedAt: time.Now()}
	res := s.db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, fmt.Errorf("add membership: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (s *IdentityStore) RemoveMembership(ctx context.Context, userID, tenantID uuid.UUID, role string) (bool, error) {
	res := s.db.conn(ctx).Where("user_id = ? AND tenant_id = ? AND role = ?", userID, tenantID, role).Delete(&membershipRow{})
	if res.Error != nil {
		return false, fmt.Errorf("remove membership: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (s *IdentityStore) CreateInvitation(ctx context.Context, inv identity.Invitation) error {
	row := invitationRow{ID: inv.ID, TenantID: inv.TenantID, Email: inv.Email, Roles: inv.Roles, InvitedBy: inv.InvitedBy, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return apperr.Validation("This address already has an open invitation here.", apperr.FieldError{Field: "email", Message: "already invited"})
		}
		return fmt.Errorf("create invitation: %w", err)
	}
	return nil
}

func (s *IdentityStore) Invitations(ctx context.Context, tenantID uuid.UUID) ([]identity.Invitation, error) {
	var rows []invitationRow
	if err := s.db.conn(ctx).Where("tenant_id = ? AND accepted_at IS NULL AND revoked_at IS NULL", tenantID).Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	out := make([]identity.Invitation, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (s *IdentityStore) OpenInvitationsFor(ctx context.Context, email string, now time.Time) ([]identity.Invitation, error) {
	var rows []invitationRow
	err := s.db.conn(ctx).Where("lower(email) = lower(?) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", email, now).
		Clauses(clause.Locking{Strength: "UPDATE"}).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("open invitations: %w", err)
	}
	out := make([]identity.Invitation, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (s *IdentityStore) AcceptInvitation(ctx context.Context, id, userID uuid.UUID, at time.Time) error {
	return s.db.conn(ctx).Model(&invitationRow{}).Where("id = ?", id).Updates(map[string]any{"accepted_at": at, "accepted_by": userID}).Error
}

func (s *IdentityStore) RevokeInvitation(ctx context.Context, tenantID, id uuid.UUID, at time.Time) error {
	res := s.db.conn(ctx).Model(&invitationRow{}).Where("id = ? AND tenant_id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id, tenantID).Update("revoked_at", at)
	if res.Error != nil {
		return fmt.Errorf("revoke invitation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.E(apperr.NotFound, "No such open invitation.")
	}
	return nil
}

func (s *IdentityStore) CreateToken(ctx context.Context, t identity.APIToken) error {
	row := tokenRow{ID: t.ID, UserID: t.UserID, TenantID: t.TenantID, Name: t.Name, Roles: t.Roles, TokenHash: t.Hash, Prefix: t.Prefix, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

func (s *IdentityStore) TokensOf(ctx context.Context, userID uuid.UUID) ([]identity.APIToken, error) {
	var rows []tokenRow
	if err := s.db.conn(ctx).Where("user_id = ?", userID).Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	out := make([]identity.APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (s *IdentityStore) TokenByHash(ctx context.Context, hash []byte) (identity.APIToken, error) {
	var r tokenRow
	if err := s.db.conn(ctx).Where("token_hash = ?", hash).Take(&r).Error; err != nil {
		return identity.APIToken{}, notFound(err, "token")
	}
	return r.domain(), nil
}

func (s *IdentityStore) RevokeToken(ctx context.Context, userID, id uuid.UUID, at time.Time) (identity.APIToken, error) {
	var r tokenRow
	res := s.db.conn(ctx).Model(&r).Clauses(clause.Returning{}).Where("id = ? AND user_id = ? AND revoked_at IS NULL", id, userID).Update("revoked_at", at)
	if res.Error != nil {
		return identity.APIToken{}, fmt.Errorf("revoke token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return identity.APIToken{}, apperr.E(apperr.NotFound, "No such active token.")
	}
	return r.domain(), nil
}

func (s *IdentityStore) RevokeTokensOf(ctx context.Context, userID uuid.UUID, tenantID *uuid.UUID, at time.Time) (int64, error) {
	q := s.db.conn(ctx).Model(&tokenRow{}).Where("user_id = ? AND revoked_at IS NULL", userID)
	if tenantID != nil {
		q = q.Where("tenant_id = ?", *tenantID)
	}
	res := q.Update("revoked_at", at)
	if res.Error != nil {
		return 0, fmt.Errorf("revoke tokens: %w", res.Error)
	}
	return res.RowsAffected, nil
}

func (s *IdentityStore) TouchToken(ctx context.Context, id uuid.UUID, at time.Time) error {
	return s.db.conn(ctx).Model(&tokenRow{}).Where("id = ?", id).Update("last_used_at", at).Error
}

// Assignments implements authz.Source: every role of every enabled user,
// except in tenants where the user is suspended, with acquirer roles in the
// global domain.
func (s *IdentityStore) Assignments(ctx context.Context) ([]authz.Assignment, error) {
	type row struct {
		UserID   uuid.UUID
		TenantID uuid.UUID
		Kind     string
		Role     string
	}
	var rows []row
	err := s.db.conn(ctx).Raw(`SELECT m.user_id, m.tenant_id, t.kind, m.role FROM memberships m
		JOIN users u ON u.id = m.user_id AND u.disabled_at IS NULL
		JOIN tenants t ON t.id = m.tenant_id AND t.access_closed_at IS NULL
		WHERE NOT EXISTS (SELECT 1 FROM tenant_suspensions s WHERE s.user_id = m.user_id AND s.tenant_id = m.tenant_id)`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("assignments: %w", err)
	}
	out := make([]authz.Assignment, len(rows))
	for i, r := range rows {
		dom := r.TenantID.String()
		if r.Kind == identity.KindAcquirer {
			dom = authz.Global
		}
		out[i] = authz.Assignment{UserID: r.UserID.String(), Domain: dom, Role: r.Role}
	}
	return out, nil
}
