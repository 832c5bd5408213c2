package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
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

// auditReader serves the audit API from the audit service, adding tenant names.
type auditReader struct {
	svc   *audit.Service
	store identity.Store
	rec   actor.Recorder
}

func (r auditReader) filter(q httpapi.AuditQuery) audit.Filter {
	return audit.Filter{ActorLabel: q.Actor, Action: q.Action, TenantIDs: q.TenantIDs, From: q.From, To: q.To}
}

func (r auditReader) List(ctx context.Context, q httpapi.AuditQuery) ([]apigen.AuditEvent, string, error) {
	evs, next, err := r.svc.List(ctx, r.filter(q), audit.Page{Limit: q.Limit, Cursor: q.Cursor})
	if err != nil {
		return nil, "", err
	}
	names := map[uuid.UUID]string{}
	if ts, err := r.store.Tenants(ctx); err == nil {
		for _, t := range ts {
			names[t.ID] = t.Name
		}
	}
	out := make([]apigen.AuditEvent, 0, len(evs))
	for _, e := range evs {
		ae := apigen.AuditEvent{Id: e.ID, OccurredAt: e.OccurredAt.UTC(), ActorId: e.ActorID, ActorLabel: e.ActorLabel, TenantId: e.TenantID, Action: e.Action,
			TargetType: e.TargetType, TargetId: e.TargetID, RequestId: e.RequestID, Ip: e.IP, UserAgent: e.UserAgent}
		if e.TenantID != nil {
			n := names[*e.TenantID]
			ae.TenantName = &n
		}
		if len(e.Diff) > 0 && string(e.Diff) != "null" {
			var d map[string]any
			if json.Unmarshal(e.Diff, &d) == nil {
				ae.Diff = &d
			}
		}
		out = append(out, ae)
	}
	return out, next, nil
}

func (r auditReader) ExportCSV(ctx context.Context, q httpapi.AuditQuery, w io.Writer) error {
	return r.svc.ExportCSV(ctx, r.filter(q), w)
}

func (r auditReader) RecordExport(ctx context.Context, q httpapi.AuditQuery) error {
	return r.store.InTx(ctx, func(ctx context.Context) error {
		return r.rec(ctx, actor.Change{Action: "audit:export", TargetType: "audit_trail", TargetID: "export",
			After: map[string]any{"actor": q.Actor, "action": q.Action, "tenants": q.TenantIDs, "from": q.From, "to": q.To}})
	})
}
