// Package authz decides who may do what in which tenant. It wraps a casbin
// enforcer (the only package that imports casbin) behind Authorizer, keeps a
// decision cache, and reloads when role assignments change on any instance.
package authz

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/policies"
)

// Global is the domain of roles held in the acquirer tenant: they apply to
// every tenant.
const Global = "*"

// Assignment is one role a user holds in a tenant (Global for the acquirer).
type Assignment struct {
	UserID string
	Domain string
	Role   string
}

// Source lists the current assignments of enabled users.
type Source interface {
	Assignments(ctx context.Context) ([]Assignment, error)
}

// Principal is who is asking: a user, possibly through an API token that
// narrows them to some of their roles in one tenant.
type Principal struct {
	UserID string
	Token  *TokenScope
}

// TokenScope is what an API token carries.
type TokenScope struct {
	Domain string // the token's tenant id, or Global for an acquirer token
	Roles  []string
}

// Role describes a built-in role.
type Role struct {
	Name    string   `json:"name"`
	Scope   string   `json:"scope"` // "acquirer" or "partner"
	Actions []string `json:"actions"`
}

// Authorizer answers authorization questions.
type Authorizer interface {
	Allowed(p Principal, tenantID, action string) bool
	Actions(p Principal, tenantID string) []string
	// Scope is the set of tenants where p may perform action: All only
	// through an acquirer role, else the tenants of p's own roles granting
	// it. It costs O(p's assignments), never O(tenants).
	Scope(p Principal, action string) scope.Scope
	// Visible is the set of tenants where p may perform any action (the
	// tenants p can see at all), at the same cost as Scope.
	Visible(p Principal) scope.Scope
	Roles() []Role
	RoleExists(name string) bool
}

type snapshot struct {
	enf    *casbin.Enforcer
	cache  sync.Map // "sub\x00dom\x00act" → bool
	byUser map[string][]held
}

// held is one assignment indexed by user, for scopes: global assignments
// (acquirer roles held in the acquirer tenant) reach every tenant.
type held struct {
	domain string
	tenant uuid.UUID // uuid.Nil for a global assignment or an unparsable domain
	global bool
	role   string
}

// Enforcer is the cached casbin Authorizer.
type Enforcer struct {
	src      Source
	log      *slog.Logger
	model    model.Model
	rules    [][]string // p rules: role, action
	roles    []Role
	byRole   map[string]map[string]bool
	actions  []string
	current  atomic.Pointer[snapshot]
	reloadMu sync.Mutex
}

var _ Authorizer = (*Enforcer)(nil)

// New loads the model and built-in policies and the current assignments.
func New(ctx context.Context, src Source, log *slog.Logger) (*Enforcer, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	rules, err := parsePolicy(policies.Roles)
	if err != nil {
		return nil, err
	}
	e := &Enforcer{src: src, log: log, model: m, rules: rules, byRole: map[string]map[string]bool{}}
	seen := map[string]bool{}
	for _, r := range rules {
		if e.byRole[r[0]] == nil {
			e.byRole[r[0]] = map[string]bool{}
		}
		e.byRole[r[0]][r[1]] = true
		if !seen[r[1]] {
			seen[r[1]] = true
			e.actions = append(e.actions, r[1])
		}
	}
	sort.Strings(e.actions)
	for name, acts := range e.byRole {
		r := Role{Name: name, Scope: ScopeOf(name)}
		for a := range acts {
			r.Actions = append(r.Actions, a)
		}
		sort.Strings(r.Actions)
		e.roles = append(e.roles, r)
	}
	sort.Slice(e.roles, func(i, j int) bool { return e.roles[i].Name < e.roles[j].Name })
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// ScopeOf tells whether a role is held in the acquirer tenant or a partner's.
func ScopeOf(role string) string {
	if strings.HasPrefix(role, "merchant-") {
		return "partner"
	}
	return "acquirer"
}

func parsePolicy(text string) ([][]string, error) {
	var rules [][]string
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ",")
		if len(parts) != 3 || strings.TrimSpace(parts[0]) != "p" {
			return nil, fmt.Errorf("authz: policy line %d: want `p, role, action`, got %q", n, line)
		}
		rules = append(rules, []string{strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])})
	}
	return rules, sc.Err()
}

// Reload rebuilds the enforcer from the current assignments and swaps it in
// atomically; decisions in flight finish on the old one.
func (e *Enforcer) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	as, err := e.src.Assignments(ctx)
	if err != nil {
		return fmt.Errorf("authz: load assignments: %w", err)
	}
	enf, err := casbin.NewEnforcer(e.model.Copy())
	if err != nil {
		return fmt.Errorf("authz: enforcer: %w", err)
	}
	enf.EnableAutoSave(false)
	if _, err := enf.AddPolicies(e.rules); err != nil {
		return fmt.Errorf("authz: policies: %w", err)
	}
	g := make([][]string, 0, len(as))
	byUser := map[string][]held{}
	for _, a := range as {
		if a.Domain == Global && ScopeOf(a.Role) != "acquirer" {
			// Only acquirer roles may reach every tenant; a partner role
			// held in the acquirer tenant grants nothing.
			e.log.Warn("ignoring a partner role held in the acquirer tenant", "user_id", a.UserID, "role", a.Role)
			continue
		}
		g = append(g, []string{a.UserID, a.Role, a.Domain})
		h := held{domain: a.Domain, global: a.Domain == Global, role: a.Role}
		if !h.global {
			if id, err := uuid.Parse(a.Domain); err == nil {
				h.tenant = id
			}
		}
		byUser[a.UserID] = append(byUser[a.UserID], h)
	}
	if len(g) > 0 {
		if _, err := enf.AddGroupingPolicies(g); err != nil {
			return fmt.Errorf("authz: assignments: %w", err)
		}
	}
	e.current.Store(&snapshot{enf: enf, byUser: byUser})
	e.log.Debug("authorization reloaded", "assignments", len(as))
	return nil
}

// Allowed reports whether p may perform action in tenantID.
func (e *Enforcer) Allowed(p Principal, tenantID, action string) bool {
	if p.UserID == "" {
		return false
	}
	if p.Token != nil {
		// A token acts only through roles it carries that its owner still
		// holds, in the token's tenant.
		if p.Token.Domain != Global && p.Token.Domain != tenantID {
			return false
		}
		for _, h := range e.current.Load().byUser[p.UserID] {
			if e.byRole[h.role][action] && slices.Contains(p.Token.Roles, h.role) && (h.global || h.domain == tenantID) {
				return true
			}
		}
		return false
	}
	return e.userAllowed(p.UserID, tenantID, action)
}

// Scope implements Authorizer.
func (e *Enforcer) Scope(p Principal, action string) scope.Scope {
	return e.scopeWhere(p, func(role string) bool { return e.byRole[role][action] })
}

// Visible implements Authorizer.
func (e *Enforcer) Visible(p Principal) scope.Scope {
	return e.scopeWhere(p, func(role string) bool { return len(e.byRole[role]) > 0 })
}

// scopeWhere walks p's own assignments (never the tenants): a global one
// whose role grants yields All, unless a partner token narrows it to the
// token's tenant; the others yield their tenant.
func (e *Enforcer) scopeWhere(p Principal, grants func(role string) bool) scope.Scope {
	if p.UserID == "" {
		return scope.None()
	}
	var ids []uuid.UUID
	for _, h := range e.current.Load().byUser[p.UserID] {
		if !grants(h.role) || (p.Token != nil && !slices.Contains(p.Token.Roles, h.role)) {
			continue
		}
		switch {
		case h.global && (p.Token == nil || p.Token.Domain == Global):
			return scope.All()
		case h.global:
			if id, err := uuid.Parse(p.Token.Domain); err == nil {
				ids = append(ids, id)
			}
		case p.Token == nil || p.Token.Domain == Global || p.Token.Domain == h.domain:
			ids = append(ids, h.tenant)
		}
	}
	return scope.Tenants(ids...)
}

func (e *Enforcer) userAllowed(user, tenantID, action string) bool {
	s := e.current.Load()
	key := user + "\x00" + tenantID + "\x00" + action
	if v, ok := s.cache.Load(key); ok {
		return v.(bool)
	}
	ok, err := s.enf.Enforce(user, tenantID, action)
	if err != nil {
		e.log.Error("authorization check failed", "error", err)
		return false
	}
	s.cache.Store(key, ok)
	return ok
}

// Actions lists what p may do in tenantID.
func (e *Enforcer) Actions(p Principal, tenantID string) []string {
	out := []string{}
	for _, a := range e.actions {
		if e.Allowed(p, tenantID, a) {
			out = append(out, a)
		}
	}
	return out
}

// Roles lists the built-in roles with their actions.
func (e *Enforcer) Roles() []Role { return e.roles }

// RoleExists reports whether name is a built-in role.
func (e *Enforcer) RoleExists(name string) bool { return e.byRole[name] != nil }

// AllActions lists every action any role grants.
func (e *Enforcer) AllActions() []string { return e.actions }
