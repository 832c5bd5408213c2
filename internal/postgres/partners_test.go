package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

// Linking is idempotent for the same partner (dev links its demo accounts at
// every start) and refused for another partner.
func TestLinkAccount(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	a, b := identity.Tenant{ID: uuid.New(), Kind: identity.KindPartner, Slug: "a-co", Name: "A"}, identity.Tenant{ID: uuid.New(), Kind: identity.KindPartner, Slug: "b-co", Name: "B"}
	for _, tn := range []identity.Tenant{a, b} {
		if err := db.Identity().CreateTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	const acct = "krn:partner:global:account:test:LINK1"
	if linked, err := db.Partners().LinkAccount(ctx, acct, a.ID); err != nil || !linked {
		t.Fatalf("first link: %v %v", linked, err)
	}
	if linked, err := db.Partners().LinkAccount(ctx, acct, a.ID); err != nil || linked {
		t.Fatalf("linking again to the same partner: linked=%v err=%v, want a no-op", linked, err)
	}
	if _, err := db.Partners().LinkAccount(ctx, acct, b.ID); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("linking to another partner: %v, want invalid", err)
	}
}
