package authz_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/authz"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

func TestScope(t *testing.T) {
	ta, tb, tc := uuid.New(), uuid.New(), uuid.New()
	e, _ := newEnforcer(t,
		authz.Assignment{UserID: "admin", Domain: authz.Global, Role: "acquirer-admin"},
		authz.Assignment{UserID: "fin", Domain: authz.Global, Role: "acquirer-finance"},
		authz.Assignment{UserID: "ma", Domain: ta.String(), Role: "merchant-admin"},
		authz.Assignment{UserID: "ma", Domain: tb.String(), Role: "merchant-finance"},
		authz.Assignment{UserID: "both", Domain: authz.Global, Role: "auditor"},
		authz.Assignment{UserID: "both", Domain: ta.String(), Role: "merchant-admin"},
		// A partner role held in the acquirer tenant must not reach everywhere.
		authz.Assignment{UserID: "odd", Domain: authz.Global, Role: "merchant-admin"},
	)
	tok := func(dom string, roles ...string) *authz.TokenScope {
		return &authz.TokenScope{Domain: dom, Roles: roles}
	}
	tests := []struct {
		name   string
		p      authz.Principal
		action string
		want   scope.Scope
	}{
		{"OK_AcquirerRoleIsAll", authz.Principal{UserID: "admin"}, "webhook:read", scope.All()},
		{"OK_AcquirerRoleWithoutTheActionIsNone", authz.Principal{UserID: "fin"}, "webhook:read", scope.None()},
		{"OK_MerchantGetsTheTenantsOfRolesGrantingIt", authz.Principal{UserID: "ma"}, "settlement:read", scope.Tenants(ta, tb)},
		{"OK_MerchantOnlyWhereTheRoleGrantsIt", authz.Principal{UserID: "ma"}, "audit:read", scope.Tenants(ta)},
		{"OK_MerchantNeverAll", authz.Principal{UserID: "ma"}, "webhook:read", scope.None()},
		{"OK_PartnerRoleInAcquirerTenantGrantsNothing", authz.Principal{UserID: "odd"}, "user:manage", scope.None()},
		{"OK_UnknownUserIsNone", authz.Principal{UserID: "nobody"}, "partner:read", scope.None()},
		{"OK_NoUserIsNone", authz.Principal{}, "partner:read", scope.None()},
		{"OK_AcquirerWinsOverPartnerRoles", authz.Principal{UserID: "both"}, "audit:read", scope.All()},
		{"OK_PartnerTokenNarrowsToItsTenant", authz.Principal{UserID: "ma", Token: tok(ta.String(), "merchant-admin", "merchant-finance")}, "settlement:read", scope.Tenants(ta)},
		{"OK_TokenNarrowsToItsRoles", authz.Principal{UserID: "ma", Token: tok(tb.String(), "merchant-admin")}, "settlement:read", scope.None()},
		{"OK_AcquirerTokenKeepsAll", authz.Principal{UserID: "admin", Token: tok(authz.Global, "acquirer-admin")}, "audit:read", scope.All()},
		{"OK_AcquirerTokenWithoutTheRoleIsNone", authz.Principal{UserID: "admin", Token: tok(authz.Global, "acquirer-finance")}, "audit:read", scope.None()},
		{"OK_PartnerTokenOfAnAcquirerUserIsNeverAll", authz.Principal{UserID: "both", Token: tok(ta.String(), "auditor", "merchant-admin")}, "audit:read", scope.Tenants(ta)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.Scope(tc.p, tc.action); got.String() != tc.want.String() {
				t.Fatalf("Scope = %s, want %s", got, tc.want)
			}
		})
	}

	// A token acts only through a role it carries that its owner holds in
	// the token's tenant, not through another role that happens to grant
	// the action there.
	t.Run("ErrTokenRoleNotHeldInItsTenant", func(t *testing.T) {
		p := authz.Principal{UserID: "ma", Token: tok(ta.String(), "merchant-finance")}
		if e.Allowed(p, ta.String(), "settlement:read") {
			t.Fatal("a merchant-finance token acts in a tenant where its owner holds merchant-finance nowhere")
		}
		if got := e.Scope(p, "settlement:read"); !got.IsEmpty() {
			t.Fatalf("Scope = %s", got)
		}
	})

	t.Run("OK_VisibleIsAnyAction", func(t *testing.T) {
		if got := e.Visible(authz.Principal{UserID: "ma"}); got.String() != scope.Tenants(ta, tb).String() {
			t.Fatalf("Visible = %s", got)
		}
		if got := e.Visible(authz.Principal{UserID: "fin"}); !got.IsAll() {
			t.Fatalf("Visible = %s", got)
		}
		if got := e.Visible(authz.Principal{UserID: "odd"}); !got.IsEmpty() {
			t.Fatalf("Visible = %s", got)
		}
	})

	// Allowed and Scope never disagree.
	t.Run("OK_ScopeMatchesAllowed", func(t *testing.T) {
		principals := []authz.Principal{{UserID: "admin"}, {UserID: "fin"}, {UserID: "ma"}, {UserID: "both"}, {UserID: "odd"}, {UserID: "nobody"},
			{UserID: "ma", Token: tok(ta.String(), "merchant-admin")}, {UserID: "both", Token: tok(ta.String(), "auditor")},
			{UserID: "admin", Token: tok(authz.Global, "acquirer-admin")}, {UserID: "ma", Token: tok(authz.Global, "merchant-finance")}}
		for _, p := range principals {
			for _, action := range e.AllActions() {
				s := e.Scope(p, action)
				for _, tn := range []uuid.UUID{ta, tb, tc} {
					if s.Contains(tn) != e.Allowed(p, tn.String(), action) {
						t.Errorf("%+v %s in %s: Scope %s, Allowed %v", p, action, tn, s, e.Allowed(p, tn.String(), action))
					}
				}
			}
		}
	})
}

// With ten thousand partner tenants known to the enforcer, a merchant's
// scope is still just its own tenant and an acquirer's is All (no list).
func TestScopeWithManyTenants(t *testing.T) {
	mine := uuid.New()
	as := []authz.Assignment{{UserID: "admin", Domain: authz.Global, Role: "acquirer-admin"}, {UserID: "ma", Domain: mine.String(), Role: "merchant-admin"}}
	for i := range 10000 {
		as = append(as, authz.Assignment{UserID: fmt.Sprintf("u%d", i), Domain: uuid.NewString(), Role: "merchant-admin"})
	}
	e, _ := newEnforcer(t, as...)
	if got := e.Scope(authz.Principal{UserID: "ma"}, "audit:read"); got.String() != scope.Tenants(mine).String() {
		t.Fatalf("Scope = %s", got)
	}
	if got := e.Scope(authz.Principal{UserID: "admin"}, "audit:read"); !got.IsAll() || got.IDs() != nil {
		t.Fatalf("Scope = %s", got)
	}
}
