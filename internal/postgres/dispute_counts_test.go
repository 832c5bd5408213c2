package postgres_test

import (
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// The queue's counts match the disputes: a dispute changing view shows at
// once, a deadline moved within a view once the queue's clock has moved on
// by the moment the deadline counts are kept.
func TestDisputeCountsFollowTheDisputes(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := t.Context()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := db.SeedBenchDisputes(ctx, 3, 600, now); err != nil {
		t.Fatal(err)
	}
	truth := func(at time.Time) (soon, needs int64) {
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE deadline_at >= $1 AND deadline_at < $1::timestamptz + interval '72 hours'),
			count(*) FILTER (WHERE deadline_at >= $1) FROM disputes WHERE bucket = 1`, at).Scan(&soon, &needs); err != nil {
			t.Fatal(err)
		}
		return soon, needs
	}
	check := func(at time.Time, what string) {
		t.Helper()
		c, err := db.Disputes().Counts(ctx, scope.All(), dispute.Filter{Now: at})
		if err != nil {
			t.Fatal(err)
		}
		soon, needs := truth(at)
		if c.ExpiresSoon != soon || c.NeedsAction != needs {
			t.Fatalf("%s: counts say %d expiring soon and %d needing action; the disputes %d and %d", what, c.ExpiresSoon, c.NeedsAction, soon, needs)
		}
	}
	check(now, "seeded")
	check(now, "asked again")

	// Klarna closes a dispute due within 72 h: both views count it out at once.
	if _, err := db.Pool.Exec(ctx, `UPDATE disputes SET state = 'CLOSED', closed_at = $1 WHERE dispute_id = (SELECT dispute_id FROM disputes
		WHERE bucket = 1 AND deadline_at >= $1 AND deadline_at < $1::timestamptz + interval '72 hours' ORDER BY dispute_id LIMIT 1)`, now); err != nil {
		t.Fatal(err)
	}
	check(now, "after a close")

	// A deadline moves from next week to tomorrow: counted as expiring soon
	// once the kept deadline counts are older than their moment.
	if _, err := db.Pool.Exec(ctx, `UPDATE disputes SET deadline_at = $1::timestamptz + interval '20 hours' WHERE dispute_id = (SELECT dispute_id FROM disputes
		WHERE bucket = 1 AND deadline_at >= $1::timestamptz + interval '72 hours' ORDER BY dispute_id LIMIT 1)`, now); err != nil {
		t.Fatal(err)
	}
	check(now.Add(2*time.Second), "two seconds after a moved deadline")
	// And time passing moves disputes out of "expires soon" into the past.
	check(now.Add(30*time.Hour), "30 hours on")
}
