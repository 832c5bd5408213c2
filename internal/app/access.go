package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/audit"
	"github.com/partnerdesk/partnerdesk/internal/auth"
	"github.com/partnerdesk/partnerdesk/internal/authz"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/httpapi"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// access is identity and access wired together.
type access struct {
	Audit    *audit.Service
	Authz    *authz.Enforcer
	Identity *identity.Service
	Auth     *auth.Service
	record   actor.Recorder
}

// recorderFor adapts the audit service to the domain packages' Recorder:
// the actor comes from the context.
func recorderFor(a *audit.Service) actor.Recorder {
	return func(ctx context.Context, c actor.Change) error {
		who := actor.From(ctx)
		ae := audit.Actor{Label: who.Label}
		if who.UserID != uuid.Nil {
			id := who.UserID
			ae.ID = &id
		}
		return a.Record(ctx, audit.Entry{Actor: ae, TenantID: c.TenantID, Action: c.Action, TargetType: c.TargetType, TargetID: c.TargetID, Before: c.Before, After: c.After})
	}
}

func newAccess(ctx context.Context, cfg *config.Config, db *postgres.DB, log *slog.Logger, oidc auth.Config) (*access, error) {
	au := audit.NewService(db.Audit(), audit.Options{})
	rec := recorderFor(au)
	enf, err := authz.New(ctx, db.Identity(), log.With("component", "authz"))
	if err != nil {
		return nil, err
	}
	groups := make([]identity.GroupRole, 0, len(cfg.OIDCGroupRoles))
	for _, g := range cfg.GroupRoles() {
		if !enf.RoleExists(g.Role) {
			return nil, &config.FieldError{Var: config.Prefix + "OIDC_GROUP_ROLES", Message: fmt.Sprintf("unknown role %q (known: %s)", g.Role, roleNames(enf))}
		}
		groups = append(groups, identity.GroupRole{Group: g.Group, TenantSlug: g.TenantSlug, Role: g.Role})
	}
	ident := identity.NewService(db.Identity(), enf, rec, groups)
	ident.OnChange(func(ctx context.Context) {
		if err := enf.Reload(ctx); err != nil {
			log.Error("reloading authorization", "error", err)
		}
	})
	return &access{Audit: au, Authz: enf, Identity: ident, Auth: auth.New(oidc, db.Sessions(), ident, rec, log.With("component", "auth")), record: rec}, nil
}

func roleNames(e *authz.Enforcer) string {
	var n []string
	for _, r := range e.Roles() {
		n = append(n, r.Name)
	}
	return strings.Join(n, ", ")
}

// ensureAcquirer creates the acquirer tenant on first start and invites the
// bootstrap admins while the acquirer has no admin.
func (a *access) ensureAcquirer(ctx context.Context, store identity.Store, name string, bootstrap []string) (identity.Tenant, error) {
	t, err := store.Acquirer(ctx)
	if apperr.Is(err, apperr.NotFound) {
		t = identity.Tenant{ID: uuid.New(), Kind: identity.KindAcquirer, Slug: "acquirer", Name: name}
		err = store.InTx(ctx, func(ctx context.Context) error {
			if err := store.CreateTenant(ctx, t); err != nil {
				return err
			}
			return a.record(ctx, actor.Change{Action: "tenant:create", TenantID: &t.ID, TargetType: "tenant", TargetID: t.ID.String(), After: map[string]string{"kind": t.Kind, "name": t.Name}})
		})
	}
	if err != nil {
		return t, fmt.Errorf("acquirer tenant: %w", err)
	}
	if len(bootstrap) == 0 {
		return t, nil
	}
	users, err := store.UsersInTenant(ctx, t.ID)
	if err != nil {
		return t, err
	}
	for _, u := range users {
		for _, m := range u.Roles {
			if m.Role == "acquirer-admin" {
				return t, nil
			}
		}
	}
	open, err := store.Invitations(ctx, t.ID)
	if err != nil {
		return t, err
	}
	for _, email := range bootstrap {
		invited := false
		for _, inv := range open {
			invited = invited || strings.EqualFold(inv.Email, email)
		}
		if !invited {
			if _, err := a.Identity.Invite(ctx, t.ID, email, []string{"acquirer-admin"}, 365*24*time.Hour); err != nil {
				return t, fmt.Errorf("bootstrap admin %s: %w", email, err)
			}
		}
	}
	return t, nil
}

// auditReader serves the audit API: the audit service (domain types, every
// read scoped in SQL) plus the audited record of an export.
type auditReader struct {
	*audit.Service
	store identity.Store
	rec   actor.Recorder
}

var _ httpapi.AuditReader = auditReader{}

func (r auditReader) RecordExport(ctx context.Context, sc scope.Scope, f audit.Filter) error {
	var tenants any = "all"
	if !sc.IsAll() {
		tenants = sc.IDs()
	}
	return r.store.InTx(ctx, func(ctx context.Context) error {
		return r.rec(ctx, actor.Change{Action: "audit:export", TargetType: "audit_trail", TargetID: "export",
			After: map[string]any{"actor": f.ActorLabel, "action": f.Action, "tenants": tenants, "from": f.From, "to": f.To}})
	})
}
