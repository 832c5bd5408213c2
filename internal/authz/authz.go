// Package authz decides who may do what in which tenant. It wraps a casbin
// enforcer (the only package that imports casbin) behind Authorizer, keeps a
// decision cache, and reloads when role assignments change on any instance.
package authz

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

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
	Roles() []Role
	RoleExists(name string) bool
}

type snapshot struct {
	enf   *casbin.Enforcer
	cache sync.Map // "sub\x00dom\x00act" → bool
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
	for _, a := range as {
		g = append(g, []string{a.UserID, a.Role, a.Domain})
	}
	if len(g) > 0 {
		if _, err := enf.AddGroupingPolicies(g); err != nil {
			return fmt.Errorf("authz: assignments: %w", err)
		}
	}
	e.current.Store(&snapshot{enf: enf})
	e.log.Debug("authorization reloaded", "assignments", len(as))
	return nil
}

// Allowed reports whether p may perform action in tenantID.
func (e *Enforcer) Allowed(p Principal, tenantID, action string) bool {
	if p.UserID == "" {
		return false
	}
	if p.Token != nil {
		if p.Token.Domain != Global && p.Token.Domain != tenantID {
			return false
		}
		granted := false
		for _, r := range p.Token.Roles {
			if e.byRole[r][action] {
				granted = true
				break
			}
		}
		if !granted {
			return false
		}
	}
	return e.userAllowed(p.UserID, tenantID, action)
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
