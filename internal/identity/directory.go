package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// TenantRoles is a tenant with the roles a user holds there.
type TenantRoles struct {
	Tenant Tenant
	Roles  []string
}

// TenantCursor is a position in the directory's (kind, name, id) order.
type TenantCursor struct {
	Kind string    `json:"k"`
	Name string    `json:"n"`
	ID   uuid.UUID `json:"i"`
}

// DirectoryStore finds tenants without loading them all: every method costs
// O(its answer), and every read of other tenants takes the viewer's scope.
type DirectoryStore interface {
	// MemberTenants lists the tenants where user holds a role, with the
	// roles, acquirer first then by name.
	MemberTenants(ctx context.Context, userID uuid.UUID) ([]TenantRoles, error)
	// TenantIn returns tenant id when it is in sc; NotFound otherwise.
	TenantIn(ctx context.Context, sc scope.Scope, id uuid.UUID) (Tenant, error)
	// SearchTenants lists the tenants of sc whose name or slug contains q
	// (case-insensitive; every tenant of sc for ""), or whose id is q, in
	// (kind, name, id) order after the cursor, at most limit.
	SearchTenants(ctx context.Context, sc scope.Scope, q string, after *TenantCursor, limit int) ([]Tenant, error)
}

// Directory answers "which tenants" questions for the API at a cost that
// does not grow with the number of tenants.
type Directory struct{ store DirectoryStore }

// NewDirectory wires the directory.
func NewDirectory(store DirectoryStore) *Directory { return &Directory{store: store} }

// OfUser lists the tenants where user holds roles, with the roles.
func (d *Directory) OfUser(ctx context.Context, userID uuid.UUID) ([]TenantRoles, error) {
	ts, err := d.store.MemberTenants(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("tenants of user: %w", err)
	}
	return ts, nil
}

// Tenant returns tenant id when it is in sc; NotFound (the answer for a
// tenant that does not exist) otherwise.
func (d *Directory) Tenant(ctx context.Context, sc scope.Scope, id uuid.UUID) (Tenant, error) {
	return d.store.TenantIn(ctx, sc, id)
}

// Search page sizes.
const (
	DefaultTenantPage = 20
	MaxTenantPage     = 100
	maxTenantQuery    = 200
)

// Search returns one page of the tenants of sc matching q and the cursor of
// the next page ("" on the last). limit is already validated (1..MaxTenantPage).
func (d *Directory) Search(ctx context.Context, sc scope.Scope, q, cursor string, limit int) ([]Tenant, string, error) {
	q = strings.TrimSpace(q)
	var fe []apperr.FieldError
	if !utf8.ValidString(q) || strings.ContainsRune(q, 0) || len(q) > maxTenantQuery {
		fe = append(fe, apperr.FieldError{Field: "q", Message: fmt.Sprintf("text of at most %d characters", maxTenantQuery)})
	}
	var after *TenantCursor
	if cursor != "" {
		c, err := decodeTenantCursor(cursor)
		if err != nil {
			fe = append(fe, apperr.FieldError{Field: "cursor", Message: "is not a cursor this list returned"})
		} else {
			after = &c
		}
	}
	if len(fe) > 0 {
		return nil, "", apperr.Validation("Check the search.", fe...)
	}
	ts, err := d.store.SearchTenants(ctx, sc, q, after, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("search tenants: %w", err)
	}
	next := ""
	if len(ts) > limit {
		ts = ts[:limit]
		last := ts[len(ts)-1]
		next = encodeTenantCursor(TenantCursor{Kind: last.Kind, Name: last.Name, ID: last.ID})
	}
	return ts, next, nil
}

func encodeTenantCursor(c TenantCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeTenantCursor(s string) (TenantCursor, error) {
	var c TenantCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err == nil && (c.ID == uuid.Nil || !utf8.ValidString(c.Name) || strings.ContainsRune(c.Name+c.Kind, 0)) {
		err = fmt.Errorf("incomplete cursor")
	}
	return c, err
}
