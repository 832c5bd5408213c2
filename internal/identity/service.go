package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// Roles is what the service needs to know about the built-in roles.
type Roles interface {
	RoleExists(name string) bool
}

// GroupRole maps an IdP group claim to a role in a tenant (by slug).
type GroupRole struct {
	Group      string
	TenantSlug string
	Role       string
}

// Service applies the identity rules.
type Service struct {
	store  Store
	roles  Roles
	audit  actor.Recorder
	groups []GroupRole
	now    func() time.Time
	// changed runs after a committed change to roles or users, so this
	// instance's authorization cache is current before the next request
	// (other instances follow through LISTEN/NOTIFY).
	changed func(ctx context.Context)
}

// OnChange sets the hook run after committed role or user changes.
func (s *Service) OnChange(fn func(ctx context.Context)) { s.changed = fn }

// afterCommit runs the change hook when err is nil.
func (s *Service) afterCommit(ctx context.Context, err error) error {
	if err == nil && s.changed != nil {
		s.changed(ctx)
	}
	return err
}

// NewService wires the service. groups maps IdP groups to roles.
func NewService(store Store, roles Roles, audit actor.Recorder, groups []GroupRole) *Service {
	return &Service{store: store, roles: roles, audit: audit, groups: groups, now: time.Now}
}

// Claims is what the IdP tells us about a person at login.
type Claims struct {
	Issuer, Subject, Email, Name string
	Groups                       []string
}

// Login provisions the user from claims: creates or updates them, syncs the
// roles that come from IdP groups, and turns open invitations for their email
// into memberships. A disabled user is refused.
func (s *Service) Login(ctx context.Context, c Claims) (User, error) {
	if c.Issuer == "" || c.Subject == "" {
		return User{}, apperr.E(apperr.Unauthenticated, "The identity provider did not say who you are.")
	}
	var u User
	var synced, accepted bool
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		u, err = s.store.UpsertUser(ctx, User{ID: uuid.New(), Issuer: c.Issuer, Subject: c.Subject, Email: c.Email, Name: c.Name})
		if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return apperr.E(apperr.Forbidden, "Your account is disabled. Ask an administrator to enable it.")
		}
		ctx = actor.With(ctx, actor.Actor{UserID: u.ID, Label: labelOf(u)})
		if synced, err = s.syncGroups(ctx, u, c.Groups); err != nil {
			return err
		}
		accepted, err = s.acceptInvitations(ctx, u)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("login: %w", err)
	}
	if (synced || accepted) && s.changed != nil { // most logins change no role: keep the authorization cache
		s.changed(ctx)
	}
	return u, nil
}

func labelOf(u User) string {
	if u.Email != "" {
		return u.Email
	}
	return u.Subject
}

// syncGroups makes the user's IdP-group roles match groups; changed reports
// whether any role was added or removed.
func (s *Service) syncGroups(ctx context.Context, u User, groups []string) (changed bool, err error) {
	want := map[[2]string]bool{} // tenant id, role
	for _, g := range s.groups {
		if !slices.Contains(groups, g.Group) {
			continue
		}
		t, err := s.store.TenantBySlug(ctx, g.TenantSlug)
		if apperr.Is(err, apperr.NotFound) {
			continue // the partner does not exist (yet)
		}
		if err != nil {
			return false, err
		}
		want[[2]string{t.ID.String(), g.Role}] = true
		added, err := s.store.AddMembership(ctx, Membership{UserID: u.ID, TenantID: t.ID, Role: g.Role, Source: SourceIdPGroup})
		if err != nil {
			return false, err
		}
		if added {
			changed = true
			if err := s.audit(ctx, actor.Change{Action: "user:grant_role", TenantID: &t.ID, TargetType: "user", TargetID: u.ID.String(),
				After: map[string]string{"role": g.Role, "source": SourceIdPGroup, "group": g.Group}}); err != nil {
				return false, err
			}
		}
	}
	ms, err := s.store.Memberships(ctx, u.ID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.Source == SourceIdPGroup && !want[[2]string{m.TenantID.String(), m.Role}] {
			if _, err := s.store.RemoveMembership(ctx, u.ID, m.TenantID, m.Role); err != nil {
				return false, err
			}
			changed = true
			if err := s.audit(ctx, actor.Change{Action: "user:revoke_role", TenantID: &m.TenantID, TargetType: "user", TargetID: u.ID.String(),
				Before: map[string]string{"role": m.Role, "source": SourceIdPGroup}}); err != nil {
				return false, err
			}
		}
	}
	return changed, nil
}

// acceptInvitations turns open invitations for the user's email into
// memberships; changed reports whether there were any.
func (s *Service) acceptInvitations(ctx context.Context, u User) (changed bool, err error) {
	if u.Email == "" {
		return false, nil
	}
	invs, err := s.store.OpenInvitationsFor(ctx, u.Email, s.now())
	if err != nil {
		return false, err
	}
	for _, inv := range invs {
		changed = true
		for _, role := range inv.Roles {
			if _, err := s.store.AddMembership(ctx, Membership{UserID: u.ID, TenantID: inv.TenantID, Role: role, Source: SourceInvitation, GrantedBy: inv.InvitedBy}); err != nil {
				return false, err
			}
		}
		if err := s.store.AcceptInvitation(ctx, inv.ID, u.ID, s.now()); err != nil {
			return false, err
		}
		if err := s.audit(ctx, actor.Change{Action: "user:accept_invitation", TenantID: &inv.TenantID, TargetType: "invitation", TargetID: inv.ID.String(),
			After: map[string]any{"roles": inv.Roles, "user_id": u.ID}}); err != nil {
			return false, err
		}
	}
	return changed, nil
}

// checkRole validates a role for a tenant: it must exist and fit the tenant's kind.
func (s *Service) checkRole(t Tenant, role, field string) error {
	if !s.roles.RoleExists(role) {
		return apperr.Validation("Unknown role.", apperr.FieldError{Field: field, Message: fmt.Sprintf("%q is not a role", role)})
	}
	partnerRole := strings.HasPrefix(role, "merchant-")
	if partnerRole != (t.Kind == KindPartner) {
		where := "the acquirer"
		if t.Kind == KindPartner {
			where = "a partner"
		}
		return apperr.Validation("This role does not fit the tenant.", apperr.FieldError{Field: field, Message: fmt.Sprintf("%q cannot be held in %s", role, where)})
	}
	return nil
}

// Grant gives a user a role in a tenant.
func (s *Service) Grant(ctx context.Context, tenantID, userID uuid.UUID, role string) error {
	return s.afterCommit(ctx, s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		if err := s.checkRole(t, role, "role"); err != nil {
			return err
		}
		if _, err := s.store.User(ctx, userID); err != nil {
			return err
		}
		added, err := s.store.AddMembership(ctx, Membership{UserID: userID, TenantID: tenantID, Role: role, Source: SourceManual, GrantedBy: actorID(ctx)})
		if err != nil || !added {
			return err // granting a held role again changes nothing
		}
		return s.audit(ctx, actor.Change{Action: "user:grant_role", TenantID: &tenantID, TargetType: "user", TargetID: userID.String(), After: map[string]string{"role": role}})
	}))
}

// Revoke takes a role away. Removing the last admin of the acquirer is refused.
func (s *Service) Revoke(ctx context.Context, tenantID, userID uuid.UUID, role string) error {
	return s.afterCommit(ctx, s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		if t.Kind == KindAcquirer && role == "acquirer-admin" {
			users, err := s.store.UsersInTenant(ctx, tenantID)
			if err != nil {
				return err
			}
			admins := 0
			for _, u := range users {
				for _, m := range u.Roles {
					if m.Role == "acquirer-admin" && u.User.DisabledAt == nil {
						admins++
					}
				}
			}
			if admins <= 1 {
				return apperr.E(apperr.Conflict, "This is the last acquirer admin; grant the role to someone else first.")
			}
		}
		removed, err := s.store.RemoveMembership(ctx, userID, tenantID, role)
		if err != nil {
			return err
		}
		if !removed {
			return apperr.E(apperr.NotFound, "The user does not hold this role here.")
		}
		return s.audit(ctx, actor.Change{Action: "user:revoke_role", TenantID: &tenantID, TargetType: "user", TargetID: userID.String(), Before: map[string]string{"role": role}})
	}))
}

// SetDisabled disables or re-enables a user. Disabling revokes their sessions
// and tokens at once (the caller's SessionRevoker does the sessions).
func (s *Service) SetDisabled(ctx context.Context, tenantID, userID uuid.UUID, disabled bool, revokeSessions func(ctx context.Context, userID uuid.UUID) error) error {
	return s.afterCommit(ctx, s.store.InTx(ctx, func(ctx context.Context) error {
		if userID == actor.From(ctx).UserID && disabled {
			return apperr.E(apperr.Conflict, "You cannot disable yourself.")
		}
		u, err := s.store.User(ctx, userID)
		if err != nil {
			return err
		}
		if err := s.mustBeMember(ctx, tenantID, userID); err != nil {
			return err
		}
		var at *time.Time
		if disabled {
			now := s.now()
			at = &now
		}
		if (u.DisabledAt != nil) == disabled {
			return nil
		}
		if err := s.store.SetUserDisabled(ctx, userID, at); err != nil {
			return err
		}
		if disabled {
			if err := revokeSessions(ctx, userID); err != nil {
				return err
			}
		}
		action := "user:enable"
		if disabled {
			action = "user:disable"
		}
		return s.audit(ctx, actor.Change{Action: action, TenantID: &tenantID, TargetType: "user", TargetID: userID.String(),
			Before: map[string]bool{"disabled": u.DisabledAt != nil}, After: map[string]bool{"disabled": disabled}})
	}))
}

// mustBeMember answers NotFound when the user holds no role in the tenant: a
// tenant's admin cannot reach users of other tenants.
func (s *Service) mustBeMember(ctx context.Context, tenantID, userID uuid.UUID) error {
	ms, err := s.store.Memberships(ctx, userID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.TenantID == tenantID {
			return nil
		}
	}
	return apperr.E(apperr.NotFound, "No such user in this tenant.")
}

// Invite invites an email to a tenant with roles.
func (s *Service) Invite(ctx context.Context, tenantID uuid.UUID, email string, roles []string, ttl time.Duration) (Invitation, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	// A plain address only: no display name, <brackets>, comment or quoted
	// local part ("victim@acquirer.example"@evil.example reads as another).
	if err != nil || addr.Name != "" || addr.Address != strings.TrimSpace(email) || strings.ContainsAny(addr.Address, "\"\\ ") {
		return Invitation{}, apperr.Validation("Check the email address.", apperr.FieldError{Field: "email", Message: "must be an email address such as name@example.com"})
	}
	if len(roles) == 0 {
		return Invitation{}, apperr.Validation("Choose at least one role.", apperr.FieldError{Field: "roles", Message: "at least one role is required"})
	}
	inv := Invitation{ID: uuid.New(), TenantID: tenantID, Email: strings.ToLower(addr.Address), Roles: dedupe(roles), CreatedAt: s.now(), ExpiresAt: s.now().Add(ttl)}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		for i, r := range inv.Roles {
			if err := s.checkRole(t, r, fmt.Sprintf("roles[%d]", i)); err != nil {
				return err
			}
		}
		inv.InvitedBy = actorID(ctx)
		if err := s.store.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "user:invite", TenantID: &tenantID, TargetType: "invitation", TargetID: inv.ID.String(),
			After: map[string]any{"email": inv.Email, "roles": inv.Roles, "expires_at": inv.ExpiresAt}})
	})
	return inv, err
}

// RevokeInvitation withdraws an open invitation.
func (s *Service) RevokeInvitation(ctx context.Context, tenantID, id uuid.UUID) error {
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.RevokeInvitation(ctx, tenantID, id, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "user:revoke_invitation", TenantID: &tenantID, TargetType: "invitation", TargetID: id.String()})
	})
}

// actorID is the acting user's id, or nil for the system.
func actorID(ctx context.Context) *uuid.UUID {
	if id := actor.From(ctx).UserID; id != uuid.Nil {
		return &id
	}
	return nil
}

func dedupe(in []string) []string {
	out := []string{}
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// TokenPrefix starts every API token, so leaked tokens are easy to spot.
const TokenPrefix = "pdt_"

// NewToken creates an API token for the acting user with some of the roles
// they hold in the tenant. The secret is returned once and never stored.
func (s *Service) NewToken(ctx context.Context, tenantID uuid.UUID, name string, roles []string, ttl time.Duration) (APIToken, string, error) {
	a := actor.From(ctx)
	name = strings.TrimSpace(name)
	var fields []apperr.FieldError
	if name == "" || len(name) > 100 {
		fields = append(fields, apperr.FieldError{Field: "name", Message: "1 to 100 characters"})
	}
	if ttl < time.Hour || ttl > 366*24*time.Hour {
		fields = append(fields, apperr.FieldError{Field: "expires_in_days", Message: "from 1 hour to 366 days"})
	}
	if len(roles) == 0 {
		fields = append(fields, apperr.FieldError{Field: "roles", Message: "at least one role is required"})
	}
	if len(fields) > 0 {
		return APIToken{}, "", apperr.Validation("Check the token settings.", fields...)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	t := APIToken{ID: uuid.New(), UserID: a.UserID, TenantID: tenantID, Name: name, Roles: dedupe(roles), Hash: HashToken(secret),
		Prefix: secret[:len(TokenPrefix)+6], CreatedAt: s.now(), ExpiresAt: s.now().Add(ttl)}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		ms, err := s.store.Memberships(ctx, a.UserID)
		if err != nil {
			return err
		}
		for i, r := range t.Roles {
			held := false
			for _, m := range ms {
				held = held || (m.TenantID == tenantID && m.Role == r)
			}
			if !held {
				return apperr.Validation("A token can only carry roles you hold in this tenant.", apperr.FieldError{Field: fmt.Sprintf("roles[%d]", i), Message: fmt.Sprintf("you do not hold %q here", r)})
			}
		}
		if err := s.store.CreateToken(ctx, t); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "token:create", TenantID: &tenantID, TargetType: "api_token", TargetID: t.ID.String(),
			After: map[string]any{"name": t.Name, "roles": t.Roles, "expires_at": t.ExpiresAt, "prefix": t.Prefix}})
	})
	if err != nil {
		return APIToken{}, "", err
	}
	return t, secret, nil
}

// RevokeToken revokes one of the acting user's tokens.
func (s *Service) RevokeToken(ctx context.Context, id uuid.UUID) error {
	return s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.RevokeToken(ctx, actor.From(ctx).UserID, id, s.now())
		if err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "token:revoke", TenantID: &t.TenantID, TargetType: "api_token", TargetID: id.String(), Before: map[string]string{"name": t.Name}})
	})
}

// HashToken is how token secrets are stored and looked up.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// AuthenticateToken resolves a bearer secret to its token and owner. Expired,
// revoked and disabled-owner tokens are refused.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (APIToken, User, error) {
	unauth := apperr.E(apperr.Unauthenticated, "The API token is invalid, expired or revoked.")
	if !strings.HasPrefix(secret, TokenPrefix) {
		return APIToken{}, User{}, unauth
	}
	t, err := s.store.TokenByHash(ctx, HashToken(secret))
	if apperr.Is(err, apperr.NotFound) {
		return APIToken{}, User{}, unauth
	}
	if err != nil {
		return APIToken{}, User{}, err
	}
	now := s.now()
	if t.RevokedAt != nil || now.After(t.ExpiresAt) {
		return APIToken{}, User{}, unauth
	}
	u, err := s.store.User(ctx, t.UserID)
	if err != nil {
		return APIToken{}, User{}, err
	}
	if u.DisabledAt != nil {
		return APIToken{}, User{}, unauth
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_ = s.store.TouchToken(ctx, t.ID, now) // last use is informational; a failed write must not fail the call
	}
	return t, u, nil
}

// Store exposes read access for handlers.
func (s *Service) Store() Store { return s.store }

// EnsurePartnerTenant returns the partner tenant with slug, creating it if
// missing. Partner onboarding and demo seeding call it.
func (s *Service) EnsurePartnerTenant(ctx context.Context, slug, name string) (Tenant, error) {
	var t Tenant
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		t, err = s.store.TenantBySlug(ctx, slug)
		if err == nil || !apperr.Is(err, apperr.NotFound) {
			return err
		}
		t = Tenant{ID: uuid.New(), Kind: KindPartner, Slug: slug, Name: name, CreatedAt: s.now()}
		if err := s.store.CreateTenant(ctx, t); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "tenant:create", TenantID: &t.ID, TargetType: "tenant", TargetID: t.ID.String(), After: map[string]string{"kind": t.Kind, "slug": slug, "name": name}})
	})
	return t, err
}
