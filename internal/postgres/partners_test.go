package postgres_test

import (
	"context"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

// Linking is idempotent for the same partner (dev links its demo accounts at
// every start) and refused for another partner.
func TestLinkAccount(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	a, b := twoPartners(t, db)
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
