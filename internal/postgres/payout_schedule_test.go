package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// The next expected payout is the last payout's date plus the gap to the one
// before it, whatever order the payouts arrive in (the sync reads newest
// first, webhooks oldest first); a currency with one payout has no
// expectation yet, and another tenant's schedule is not listed.
func TestPayoutScheduleFollowsThePayoutsInAnyOrder(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := t.Context()
	a, b := uuid.New(), uuid.New()
	for _, tn := range []uuid.UUID{a, b} {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO tenants (id, kind, slug, name) VALUES ($1, 'partner', $2, $2)`, tn, "p-"+tn.String()[:8]); err != nil {
			t.Fatal(err)
		}
	}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	pay := func(tenant uuid.UUID, ref, cur string, date time.Time, amount int64) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, `INSERT INTO payouts (payment_reference, tenant_id, klarna_account_id, payout_date, currency, settlement_amount, object)
			VALUES ($1, $2, 'krn:partner:global:account:test:X', $3, $4, $5, '{}')`, ref, tenant, date, cur, amount); err != nil {
			t.Fatal(err)
		}
	}
	pay(a, "P3", "SEK", day(29), 300) // newest first
	pay(a, "P1", "SEK", day(15), 100)
	pay(a, "P2", "SEK", day(22), 200)
	pay(a, "N1", "NOK", day(20), 50) // one payout: no gap yet
	pay(b, "B1", "SEK", day(1), 10)
	pay(b, "B2", "SEK", day(8), 10)

	got, err := db.SettlementReads().ExpectedPayouts(ctx, scope.Tenants(a), day(1), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Currency != "SEK" || !got[0].ExpectedAt.Equal(day(29).AddDate(0, 0, 7)) || got[0].Every != 7*24*time.Hour ||
		got[0].LastReference != "P3" || got[0].LastAmount != 300 {
		t.Fatalf("expected payouts of A: %+v", got)
	}
	pay(a, "P4", "SEK", day(30), 400) // a day after: the gap shrinks to a day
	got, err = db.SettlementReads().ExpectedPayouts(ctx, scope.Tenants(a), day(1), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].ExpectedAt.Equal(day(30).AddDate(0, 0, 1)) || got[0].LastReference != "P4" {
		t.Fatalf("after P4: %+v", got)
	}
	// From a later time on, an expectation before it is left out.
	if got, err = db.SettlementReads().ExpectedPayouts(ctx, scope.All(), day(30).AddDate(0, 0, 2), 10); err != nil || len(got) != 0 {
		t.Fatalf("from Dec 2: %+v %v", got, err)
	}
}
