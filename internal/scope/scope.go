// Package scope is the tenant scope of a request: the set of tenants whose
// rows it may read or change. It fails closed: the zero value is the empty
// scope, which matches nothing, and "every tenant" is a distinct value
// (All) that only acquirer roles are given. Every store method that reads
// tenant data takes a Scope and filters on it in SQL.
package scope

import (
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Scope is a set of tenants, or every tenant.
type Scope struct {
	all bool
	ids []uuid.UUID // sorted, without duplicates
}

// All is the scope of acquirer roles: every tenant.
func All() Scope { return Scope{all: true} }

// None is the empty scope; it matches nothing (same as the zero value).
func None() Scope { return Scope{} }

// Tenants is the scope of exactly these tenants (none when ids is empty).
func Tenants(ids ...uuid.UUID) Scope {
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if id != uuid.Nil {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return Scope{ids: slices.Compact(out)}
}

// IsAll reports whether the scope is every tenant.
func (s Scope) IsAll() bool { return s.all }

// IsEmpty reports whether the scope matches nothing.
func (s Scope) IsEmpty() bool { return !s.all && len(s.ids) == 0 }

// IDs lists the tenants of a bounded scope (nil for All and for None).
func (s Scope) IDs() []uuid.UUID {
	if s.all {
		return nil
	}
	return slices.Clone(s.ids)
}

// Contains reports whether tenant id is in the scope.
func (s Scope) Contains(id uuid.UUID) bool {
	if s.all {
		return id != uuid.Nil
	}
	_, found := slices.BinarySearchFunc(s.ids, id, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return found
}

// Narrow is the scope limited to one tenant: that tenant when it is in s,
// otherwise the empty scope. A filter can narrow a scope, never widen it.
func (s Scope) Narrow(id uuid.UUID) Scope {
	if s.Contains(id) {
		return Tenants(id)
	}
	return None()
}

// String is for logs and test failures.
func (s Scope) String() string {
	if s.all {
		return "all tenants"
	}
	if len(s.ids) == 0 {
		return "no tenant"
	}
	parts := make([]string, len(s.ids))
	for i, id := range s.ids {
		parts[i] = id.String()
	}
	return "tenants " + strings.Join(parts, ",")
}
