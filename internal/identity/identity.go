// Package identity owns users, tenants, memberships (roles per tenant),
// invitations and API tokens, and the rules for provisioning a user at login.
package identity

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Tenant kinds.
const (
	KindAcquirer = "acquirer"
	KindPartner  = "partner"
)

// Membership sources.
const (
	SourceManual     = "manual"
	SourceInvitation = "invitation"
	SourceIdPGroup   = "idp_group"
	SourceSeed       = "seed"
)

// Tenant is the acquirer or one partner.
type Tenant struct {
	ID        uuid.UUID
	Kind      string
	Slug      string
	Name      string
	CreatedAt time.Time
}

// User is a person known through the IdP.
type User struct {
	ID          uuid.UUID
	Issuer      string
	Subject     string
	Email       string
	Name        string
	DisabledAt  *time.Time
	CreatedAt   time.Time
	LastLoginAt *time.Time
	// LastLoginClaims are the names of the claims the IdP released at the
	// last login (never their values).
	LastLoginClaims []string
}

// Membership is one role a user holds in a tenant.
type Membership struct {
	UserID    uuid.UUID
	TenantID  uuid.UUID
	Role      string
	Source    string
	GrantedBy *uuid.UUID
	CreatedAt time.Time
}

// Invitation grants roles in a tenant to whoever first logs in with Email.
type Invitation struct {
	ID         uuid.UUID
	TenantID   uuid.UUID
	Email      string
	Roles      []string
	InvitedBy  *uuid.UUID
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	RevokedAt  *time.Time
}

// APIToken is a credential for automation carrying some of its owner's roles
// in one tenant. Only a hash of the secret is stored.
type APIToken struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	TenantID   uuid.UUID
	Name       string
	Roles      []string
	Hash       []byte
	Prefix     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// UserWithRoles is a row of the users page of one tenant. SuspendedAt is
// set when a tenant admin disabled the user in this tenant only.
type UserWithRoles struct {
	User        User
	Roles       []Membership
	SuspendedAt *time.Time
}

// Store persists identities. Every method filters by the tenant it is given.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	CreateTenant(ctx context.Context, t Tenant) error
	Tenant(ctx context.Context, id uuid.UUID) (Tenant, error)
	TenantBySlug(ctx context.Context, slug string) (Tenant, error)
	Acquirer(ctx context.Context) (Tenant, error)
	Tenants(ctx context.Context) ([]Tenant, error)

	UpsertUser(ctx context.Context, u User) (User, error) // by (issuer, subject); sets last login
	User(ctx context.Context, id uuid.UUID) (User, error)
	// RecentLogins are the users of tenants in sc who logged in last, newest first.
	RecentLogins(ctx context.Context, sc scope.Scope, limit int) ([]User, error)
	SetUserDisabled(ctx context.Context, id uuid.UUID, at *time.Time) error
	UsersInTenant(ctx context.Context, tenantID uuid.UUID) ([]UserWithRoles, error)
	// IsMember reports whether the user belongs to the tenant: holds a role
	// there, accepted one of its invitations, or is suspended there.
	IsMember(ctx context.Context, tenantID, userID uuid.UUID) (bool, error)
	// SetSuspended suspends (at != nil) or reinstates (at == nil) a user in
	// one tenant; changed is false when nothing changed.
	SetSuspended(ctx context.Context, tenantID, userID uuid.UUID, at *time.Time, by *uuid.UUID) (changed bool, err error)
	// CloseTenantAccess makes every role in the tenant ineffective from at
	// on, for members present and future (offboarding).
	CloseTenantAccess(ctx context.Context, tenantID uuid.UUID, at time.Time) error
	Suspended(ctx context.Context, tenantID, userID uuid.UUID) (bool, error)
	// LockTenant takes a row lock on the tenant until the transaction ends,
	// serializing changes that must see each other (the last-admin rule).
	LockTenant(ctx context.Context, id uuid.UUID) error
	// CountEnabledWithRole counts enabled users holding role in the tenant.
	CountEnabledWithRole(ctx context.Context, tenantID uuid.UUID, role string) (int, error)

	Memberships(ctx context.Context, userID uuid.UUID) ([]Membership, error)
	AddMembership(ctx context.Context, m Membership) (added bool, err error)
	RemoveMembership(ctx context.Context, userID, tenantID uuid.UUID, role string) (removed bool, err error)

	CreateInvitation(ctx context.Context, inv Invitation) error
	Invitations(ctx context.Context, tenantID uuid.UUID) ([]Invitation, error)
	OpenInvitationsFor(ctx context.Context, email string, now time.Time) ([]Invitation, error)
	AcceptInvitation(ctx context.Context, id, userID uuid.UUID, at time.Time) error
	RevokeInvitation(ctx context.Context, tenantID, id uuid.UUID, at time.Time) error

	CreateToken(ctx context.Context, t APIToken) error
	TokensOf(ctx context.Context, userID uuid.UUID) ([]APIToken, error)
	TokenByHash(ctx context.Context, hash []byte) (APIToken, error)
	RevokeToken(ctx context.Context, userID, id uuid.UUID, at time.Time) (APIToken, error)
	// RevokeTokensOf revokes the user's active tokens, in one tenant or
	// (tenantID nil) everywhere, and returns how many.
	RevokeTokensOf(ctx context.Context, userID uuid.UUID, tenantID *uuid.UUID, at time.Time) (int64, error)
	TouchToken(ctx context.Context, id uuid.UUID, at time.Time) error
}
