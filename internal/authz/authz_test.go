package authz_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/authz"
)

// assignments is an in-memory authz.Source.
type assignments []authz.Assignment

func (a *assignments) Assignments(context.Context) ([]authz.Assignment, error) { return *a, nil }

func newEnforcer(t testing.TB, as ...authz.Assignment) (*authz.Enforcer, *assignments) {
	t.Helper()
	src := assignments(as)
	e, err := authz.New(context.Background(), &src, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return e, &src
}

func TestDecisions(t *testing.T) {
	e, src := newEnforcer(t,
		authz.Assignment{UserID: "admin", Domain: authz.Global, Role: "acquirer-admin"},
		authz.Assignment{UserID: "fin", Domain: authz.Global, Role: "acquirer-finance"},
		authz.Assignment{UserID: "ma", Domain: "tenant-a", Role: "merchant-admin"},
		authz.Assignment{UserID: "md", Domain: "tenant-a", Role: "merchant-disputes"},
	)
	tests := []struct {
		name   string
		p      authz.Principal
		tenant string
		action string
		want   bool
	}{
		{"OK_AcquirerRoleReachesEveryTenant", authz.Principal{UserID: "admin"}, "tenant-b", "user:manage", true},
		{"OK_MerchantInOwnTenant", authz.Principal{UserID: "ma"}, "tenant-a", "credential:manage", true},
		{"ErrMerchantInOtherTenant", authz.Principal{UserID: "ma"}, "tenant-b", "partner:read", false},
		{"ErrActionNotInRole", authz.Principal{UserID: "md"}, "tenant-a", "settlement:read", false},
		{"ErrFinanceCannotRespondToDisputes", authz.Principal{UserID: "fin"}, "tenant-a", "dispute:respond", false},
		{"ErrUnknownUser", authz.Principal{UserID: "nobody"}, "tenant-a", "partner:read", false},
		{"OK_TokenWithinItsRoles", authz.Principal{UserID: "ma", Token: &authz.TokenScope{Domain: "tenant-a", Roles: []string{"merchant-admin"}}}, "tenant-a", "user:manage", true},
		{"ErrTokenNarrowsRoles", authz.Principal{UserID: "admin", Token: &authz.TokenScope{Domain: authz.Global, Roles: []string{"acquirer-finance"}}}, "tenant-a", "user:manage", false},
		{"ErrTokenOutsideItsTenant", authz.Principal{UserID: "ma", Token: &authz.TokenScope{Domain: "tenant-a", Roles: []string{"merchant-admin"}}}, "tenant-b", "partner:read", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.Allowed(tc.p, tc.tenant, tc.action); got != tc.want {
				t.Fatalf("Allowed = %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("OK_ActionsListForTenant", func(t *testing.T) {
		got := e.Actions(authz.Principal{UserID: "fin"}, "tenant-z")
		if !slices.Equal(got, []string{"dispute:read", "partner:read", "payment:read", "settlement:export", "settlement:read", "token:manage"}) {
			t.Fatalf("Actions = %v", got)
		}
	})
	t.Run("OK_ReloadDropsCachedDecisions", func(t *testing.T) {
		p := authz.Principal{UserID: "ma"}
		if !e.Allowed(p, "tenant-a", "user:manage") {
			t.Fatal("precondition")
		}
		*src = (*src)[:1] // the merchant admin loses the role
		if err := e.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		if e.Allowed(p, "tenant-a", "user:manage") {
			t.Fatal("a revoked role still allows after reload")
		}
	})
}

// BenchmarkAllowed is the authorization cost of one request with the cached
// enforcer, over a realistic number of assignments.
func BenchmarkAllowed(b *testing.B) {
	var as []authz.Assignment
	for i := range 2000 {
		as = append(as, authz.Assignment{UserID: fmt.Sprint("u", i), Domain: fmt.Sprint("t", i%200), Role: "merchant-admin"})
	}
	as = append(as, authz.Assignment{UserID: "admin", Domain: authz.Global, Role: "acquirer-admin"})
	e, _ := newEnforcer(b, as...)
	b.Run("cached", func(b *testing.B) {
		p := authz.Principal{UserID: "u7"}
		for b.Loop() {
			if !e.Allowed(p, "t7", "dispute:respond") {
				b.Fatal("denied")
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		i := 0
		for b.Loop() {
			// a new (user, tenant) pair every time: no cache hit
			e.Allowed(authz.Principal{UserID: fmt.Sprint("u", i%2000)}, fmt.Sprint("t", i), "partner:read")
			i++
		}
	})
}
