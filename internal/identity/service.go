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
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/scope"
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
	// EmailVerified is the IdP's email_verified claim. Only a verified
	// address accepts invitations (and so becomes a bootstrap admin).
	EmailVerified bool
	Groups        []string
	// ClaimNames are the names of every claim the IdP released (kept for
	// the Settings page; values are never stored).
	ClaimNames []string
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
		u, err = s.store.UpsertUser(ctx, User{ID: uuid.New(), Issuer: c.Issuer, Subject: c.Subject, Email: c.Email, Name: c.Name, LastLoginClaims: c.ClaimNames})
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
		if !c.EmailVerified {
			return nil // the user logs in, but an unproven address claims no invitation
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

// GroupRoles is the configured IdP group → role mapping.
func (s *Service) GroupRoles() []GroupRole { return append([]GroupRole(nil), s.groups...) }

// RecentLogins are the users of the tenants in sc who logged in last (at
// most limit), newest first.
func (s *Service) RecentLogins(ctx context.Context, sc scope.Scope, limit int) ([]User, error) {
	us, err := s.store.RecentLogins(ctx, sc, limit)
	if err != nil {
		return nil, fmt.Errorf("recent logins: %w", err)
	}
	return us, nil
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
			last, err := s.isLastAcquirerAdmin(ctx, m.TenantID, u, m.Role)
			if err != nil {
				return false, err
			}
			if last {
				continue // never lock the acquirer out, even when the IdP drops the group
			}
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

// Grant gives a role in a tenant to a user who already belongs to it (holds
// a role there or accepted its invitation); anyone else, known or not, is
// the same NotFound. New people join through invitations.
func (s *Service) Grant(ctx context.Context, tenantID, userID uuid.UUID, role string) error {
	err := s.afterCommit(ctx, s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		if err := s.checkRole(t, role, "role"); err != nil {
			return err
		}
		if err := s.mustBeMember(ctx, tenantID, userID); err != nil {
			return err
		}
		added, err := s.store.AddMembership(ctx, Membership{UserID: userID, TenantID: tenantID, Role: role, Source: SourceManual, GrantedBy: actorID(ctx)})
		if err != nil || !added {
			return err // granting a held role again changes nothing
		}
		return s.audit(ctx, actor.Change{Action: "user:grant_role", TenantID: &tenantID, TargetType: "user", TargetID: userID.String(), After: map[string]string{"role": role}})
	}))
	if err != nil {
		return fmt.Errorf("grant role: %w", err)
	}
	return nil
}

// Revoke takes a role away. Removing the last enabled admin of the acquirer
// is refused.
func (s *Service) Revoke(ctx context.Context, tenantID, userID uuid.UUID, role string) error {
	err := s.afterCommit(ctx, s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.LockTenant(ctx, tenantID); err != nil {
			return err
		}
		if err := s.mustBeMember(ctx, tenantID, userID); err != nil {
			return err
		}
		u, err := s.store.User(ctx, userID)
		if err != nil {
			return err
		}
		last, err := s.isLastAcquirerAdmin(ctx, tenantID, u, role)
		if err != nil {
			return err
		}
		if last {
			return errLastAdmin
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
	if err != nil {
		return fmt.Errorf("revoke role: %w", err)
	}
	return nil
}

// AcquirerAdminRole is the role that can always reach everything; the last
// enabled holder can never be locked out.
const AcquirerAdminRole = "acquirer-admin"

var errLastAdmin = apperr.E(apperr.Conflict, "This is the last enabled acquirer admin; grant the role to someone else first.")

// isLastAcquirerAdmin reports whether taking role in tenantID away from u
// (or disabling u) would leave the acquirer without an enabled admin.
func (s *Service) isLastAcquirerAdmin(ctx context.Context, tenantID uuid.UUID, u User, role string) (bool, error) {
	if role != AcquirerAdminRole || u.DisabledAt != nil {
		return false, nil
	}
	t, err := s.store.Tenant(ctx, tenantID)
	if err != nil || t.Kind != KindAcquirer {
		return false, err
	}
	ms, err := s.store.Memberships(ctx, u.ID)
	if err != nil {
		return false, err
	}
	holds := false
	for _, m := range ms {
		holds = holds || (m.TenantID == tenantID && m.Role == role)
	}
	if !holds {
		return false, nil
	}
	n, err := s.store.CountEnabledWithRole(ctx, tenantID, role)
	if err != nil {
		return false, err
	}
	return n <= 1, nil
}

// SetDisabled disables or re-enables a user, with a meaning that depends on
// where the admin acts:
//
//   - in the acquirer tenant (only acquirer admins hold user:manage there) it
//     is global: the account is disabled, every session ends and every API
//     token is revoked for good (re-enabling revives none of them);
//   - in a partner tenant it is a suspension in that tenant only: the user's
//     roles there stop authorizing at once and their tokens for that tenant
//     are revoked for good; other tenants and their sessions are untouched.
//     Re-enabling lifts the suspension (the roles apply again).
//
// The target must belong to the tenant (a partner admin reaches nobody
// else); an unknown id answers the same NotFound. The last enabled acquirer
// admin cannot be disabled, and nobody can disable themselves.
func (s *Service) SetDisabled(ctx context.Context, tenantID, userID uuid.UUID, disabled bool, revokeSessions func(ctx context.Context, userID uuid.UUID) error) error {
	err := s.afterCommit(ctx, s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		if t.Kind == KindAcquirer {
			// Serialize with other admin changes so two admins cannot
			// disable each other at the same time.
			if err := s.store.LockTenant(ctx, tenantID); err != nil {
				return err
			}
		}
		if err := s.mustBeMember(ctx, tenantID, userID); err != nil && t.Kind != KindAcquirer {
			return err
		}
		u, err := s.store.User(ctx, userID)
		if apperr.Is(err, apperr.NotFound) {
			return errNoSuchMember
		}
		if err != nil {
			return err
		}
		if userID == actor.From(ctx).UserID && disabled {
			return apperr.E(apperr.Conflict, "You cannot disable yourself.")
		}
		if t.Kind == KindAcquirer {
			return s.setDisabledGlobally(ctx, t, u, disabled, revokeSessions)
		}
		return s.setSuspended(ctx, t, u, disabled)
	}))
	if err != nil {
		return fmt.Errorf("set user disabled: %w", err)
	}
	return nil
}

func (s *Service) setDisabledGlobally(ctx context.Context, t Tenant, u User, disabled bool, revokeSessions func(ctx context.Context, userID uuid.UUID) error) error {
	if (u.DisabledAt != nil) == disabled {
		return nil
	}
	var at *time.Time
	revoked := int64(0)
	if disabled {
		last, err := s.isLastAcquirerAdmin(ctx, t.ID, u, AcquirerAdminRole)
		if err != nil {
			return err
		}
		if last {
			return errLastAdmin
		}
		now := s.now()
		at = &now
	}
	if err := s.store.SetUserDisabled(ctx, u.ID, at); err != nil {
		return fmt.Errorf("disable user: %w", err)
	}
	if disabled {
		if err := revokeSessions(ctx, u.ID); err != nil {
			return err
		}
		var err error
		if revoked, err = s.store.RevokeTokensOf(ctx, u.ID, nil, *at); err != nil {
			return err
		}
	}
	action := "user:enable"
	after := map[string]any{"disabled": disabled, "scope": "global"}
	if disabled {
		action = "user:disable"
		after["tokens_revoked"] = revoked
	}
	return s.audit(ctx, actor.Change{Action: action, TenantID: &t.ID, TargetType: "user", TargetID: u.ID.String(),
		Before: map[string]bool{"disabled": u.DisabledAt != nil}, After: after})
}

func (s *Service) setSuspended(ctx context.Context, t Tenant, u User, disabled bool) error {
	var at *time.Time
	if disabled {
		now := s.now()
		at = &now
	}
	changed, err := s.store.SetSuspended(ctx, t.ID, u.ID, at, actorID(ctx))
	if err != nil || !changed {
		return err
	}
	action := "user:enable"
	after := map[string]any{"disabled": disabled, "scope": "tenant"}
	if disabled {
		action = "user:disable"
		n, err := s.store.RevokeTokensOf(ctx, u.ID, &t.ID, *at)
		if err != nil {
			return err
		}
		after["tokens_revoked"] = n
	}
	return s.audit(ctx, actor.Change{Action: action, TenantID: &t.ID, TargetType: "user", TargetID: u.ID.String(),
		Before: map[string]bool{"disabled": !disabled}, After: after})
}

// SuspendTenant revokes everyone's access to a partner tenant (its
// offboarding): each user not suspended there yet is suspended as a tenant
// admin's "disable" would (roles stop authorizing at once, their tokens for
// the tenant are revoked), and its open invitations are withdrawn, each
// audited. The tenant and its data stay; the acquirer still reads them.
// It returns how many users were suspended now; running it again changes
// nothing.
func (s *Service) SuspendTenant(ctx context.Context, tenantID uuid.UUID) (int, error) {
	n := 0
	err := s.afterCommit(ctx, s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		if t.Kind != KindPartner {
			return apperr.E(apperr.Conflict, "Only a partner tenant can be offboarded.")
		}
		// Closed for good: whoever gets a role here later (an IdP group,
		// an invitation) holds none of it either.
		if err := s.store.CloseTenantAccess(ctx, tenantID, s.now()); err != nil {
			return err
		}
		users, err := s.store.UsersInTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.SuspendedAt != nil {
				continue
			}
			if err := s.setSuspended(ctx, t, u.User, true); err != nil {
				return err
			}
			n++
		}
		invs, err := s.store.Invitations(ctx, tenantID)
		if err != nil {
			return err
		}
		now := s.now()
		for _, inv := range invs {
			if inv.AcceptedAt != nil || inv.RevokedAt != nil || !inv.ExpiresAt.After(now) {
				continue
			}
			if err := s.store.RevokeInvitation(ctx, tenantID, inv.ID, now); err != nil {
				return err
			}
			if err := s.audit(ctx, actor.Change{Action: "user:revoke_invitation", TenantID: &tenantID, TargetType: "invitation", TargetID: inv.ID.String()}); err != nil {
				return err
			}
		}
		return nil
	}))
	if err != nil {
		return 0, fmt.Errorf("suspend tenant: %w", err)
	}
	return n, nil
}

var errNoSuchMember = apperr.E(apperr.NotFound, "No such user in this tenant.")

// mustBeMember answers NotFound when the user does not belong to the tenant
// (or does not exist at all: the same answer): a tenant's admin cannot reach
// users of other tenants.
func (s *Service) mustBeMember(ctx context.Context, tenantID, userID uuid.UUID) error {
	ok, err := s.store.IsMember(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	if !ok {
		return errNoSuchMember
	}
	return nil
}

// Invite invites an email to a tenant with roles. The address must be a
// plain addr-spec (no display name, no quoted local part) and is stored in
// lower case; every invalid field is reported at once.
func (s *Service) Invite(ctx context.Context, tenantID uuid.UUID, email string, roles []string, ttl time.Duration) (Invitation, error) {
	var fields []apperr.FieldError
	addr, ok := plainEmail(email)
	if !ok {
		fields = append(fields, apperr.FieldError{Field: "email", Message: "must be an email address such as name@example.com"})
	}
	roles = dedupe(roles)
	if len(roles) == 0 {
		fields = append(fields, apperr.FieldError{Field: "roles", Message: "at least one role is required"})
	}
	inv := Invitation{ID: uuid.New(), TenantID: tenantID, Email: addr, Roles: roles, CreatedAt: s.now(), ExpiresAt: s.now().Add(ttl)}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		for i, r := range inv.Roles {
			if err := s.checkRole(t, r, fmt.Sprintf("roles[%d]", i)); err != nil {
				if e := apperr.As(err); e != nil {
					fields = append(fields, e.Fields...)
					continue
				}
				return err
			}
		}
		if len(fields) > 0 {
			return apperr.Validation("Check the invitation.", fields...)
		}
		inv.InvitedBy = actorID(ctx)
		if err := s.store.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "user:invite", TenantID: &tenantID, TargetType: "invitation", TargetID: inv.ID.String(),
			After: map[string]any{"email": inv.Email, "roles": inv.Roles, "expires_at": inv.ExpiresAt}})
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: %w", err)
	}
	return inv, nil
}

// plainEmail accepts a bare address such as name@example.com and returns it
// in lower case. Display names ("A <a@x.com>"), quoted local parts
// ("\"a b\"@x.com"), comments, spaces and control characters are refused.
func plainEmail(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 254 || !utf8.ValidString(raw) || strings.ContainsAny(raw, "\"<>()[]\\,;: \t") {
		return "", false
	}
	for _, r := range raw {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return "", false
		}
	}
	addr, err := mail.ParseAddress(raw)
	if err != nil || addr.Name != "" || addr.Address != raw {
		return "", false
	}
	local, domain, ok := strings.Cut(raw, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") {
		return "", false
	}
	return strings.ToLower(raw), true
}

// RevokeInvitation withdraws an open invitation.
func (s *Service) RevokeInvitation(ctx context.Context, tenantID, id uuid.UUID) error {
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.RevokeInvitation(ctx, tenantID, id, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "user:revoke_invitation", TenantID: &tenantID, TargetType: "invitation", TargetID: id.String()})
	})
	if err != nil {
		return fmt.Errorf("revoke invitation: %w", err)
	}
	return nil
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

// Token limits.
const (
	TokenNameMax = 100
	TokenDaysMax = 366
)

// CheckTokenInput validates what a person asks for in a new token and
// returns every invalid field (nothing is clamped).
func CheckTokenInput(name string, roles []string, days int) []apperr.FieldError {
	var fields []apperr.FieldError
	if msg := checkName(name, TokenNameMax); msg != "" {
		fields = append(fields, apperr.FieldError{Field: "name", Message: msg})
	}
	if days < 1 || days > TokenDaysMax {
		fields = append(fields, apperr.FieldError{Field: "expires_in_days", Message: fmt.Sprintf("must be a whole number of days from 1 to %d", TokenDaysMax)})
	}
	if len(dedupe(roles)) == 0 {
		fields = append(fields, apperr.FieldError{Field: "roles", Message: "at least one role is required"})
	}
	return fields
}

// checkName returns why name is not an acceptable label, or "".
func checkName(name string, max int) string {
	// U+FFFD is what a JSON decoder makes of invalid UTF-8 bytes.
	if !utf8.ValidString(name) || strings.ContainsRune(name, utf8.RuneError) {
		return "must be valid UTF-8 text"
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "must not contain control characters"
		}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(name)); n == 0 || n > max {
		return fmt.Sprintf("1 to %d characters", max)
	}
	return ""
}

// NewToken creates an API token for the acting user with some of the roles
// they hold in the tenant, valid for days days. The secret is returned once
// and never stored. A token cannot create tokens: only a person can.
func (s *Service) NewToken(ctx context.Context, tenantID uuid.UUID, name string, roles []string, days int) (APIToken, string, error) {
	a := actor.From(ctx)
	if a.TokenID != nil {
		return APIToken{}, "", apperr.E(apperr.Forbidden, "An API token cannot create tokens; log in as a person to create one.")
	}
	if fields := CheckTokenInput(name, roles, days); len(fields) > 0 {
		return APIToken{}, "", apperr.Validation("Check the token settings.", fields...)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	t := APIToken{ID: uuid.New(), UserID: a.UserID, TenantID: tenantID, Name: strings.TrimSpace(name), Roles: dedupe(roles), Hash: HashToken(secret),
		Prefix: secret[:len(TokenPrefix)+6], CreatedAt: s.now(), ExpiresAt: s.now().AddDate(0, 0, days)}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		ms, err := s.store.Memberships(ctx, a.UserID)
		if err != nil {
			return err
		}
		suspended, err := s.store.Suspended(ctx, tenantID, a.UserID)
		if err != nil {
			return err
		}
		var fields []apperr.FieldError
		for i, r := range t.Roles {
			held := false
			for _, m := range ms {
				held = held || (m.TenantID == tenantID && m.Role == r)
			}
			if !held || suspended {
				fields = append(fields, apperr.FieldError{Field: fmt.Sprintf("roles[%d]", i), Message: fmt.Sprintf("you do not hold %q here", r)})
			}
		}
		if len(fields) > 0 {
			return apperr.Validation("A token can only carry roles you hold in this tenant.", fields...)
		}
		if err := s.store.CreateToken(ctx, t); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "token:create", TenantID: &tenantID, TargetType: "api_token", TargetID: t.ID.String(),
			After: map[string]any{"name": t.Name, "roles": t.Roles, "expires_at": t.ExpiresAt, "prefix": t.Prefix}})
	})
	if err != nil {
		return APIToken{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// RevokeToken revokes one of the acting user's tokens.
func (s *Service) RevokeToken(ctx context.Context, id uuid.UUID) error {
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.RevokeToken(ctx, actor.From(ctx).UserID, id, s.now())
		if err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "token:revoke", TenantID: &t.TenantID, TargetType: "api_token", TargetID: id.String(), Before: map[string]string{"name": t.Name}})
	})
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
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

// Tenant returns one tenant.
func (s *Service) Tenant(ctx context.Context, id uuid.UUID) (Tenant, error) {
	t, err := s.store.Tenant(ctx, id)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant: %w", err)
	}
	return t, nil
}

// User returns one user.
func (s *Service) User(ctx context.Context, id uuid.UUID) (User, error) {
	u, err := s.store.User(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("user: %w", err)
	}
	return u, nil
}

// UsersInTenant lists the users of a tenant with their roles there.
func (s *Service) UsersInTenant(ctx context.Context, tenantID uuid.UUID) ([]UserWithRoles, error) {
	us, err := s.store.UsersInTenant(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("users in tenant: %w", err)
	}
	return us, nil
}

// Invitations lists a tenant's open invitations.
func (s *Service) Invitations(ctx context.Context, tenantID uuid.UUID) ([]Invitation, error) {
	invs, err := s.store.Invitations(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	return invs, nil
}

// Tokens lists a user's API tokens, newest first.
func (s *Service) Tokens(ctx context.Context, userID uuid.UUID) ([]APIToken, error) {
	ts, err := s.store.TokensOf(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	return ts, nil
}

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
	if err != nil {
		return Tenant{}, fmt.Errorf("ensure partner tenant: %w", err)
	}
	return t, nil
}
