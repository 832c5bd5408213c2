package postgres_test

import (
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

// The bench seed loads its partners and disputes with the queue keys and
// counts the triggers would have written, and a second run at the same size
// does nothing.
func TestSeedBenchDisputesMatchesTheTriggersAndIsIdempotent(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := t.Context()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	res, err := db.SeedBenchDisputes(ctx, 5, 2000, now)
	if err != nil || res.Skipped {
		t.Fatalf("seed: %+v %v", res, err)
	}
	var accounts, closed, soon int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM partner_accounts pa JOIN tenants t ON t.id = pa.tenant_id WHERE t.slug LIKE 'bench-p-%'),
		(SELECT count(*) FROM disputes WHERE state = 'CLOSED'),
		(SELECT count(*) FROM disputes WHERE deadline_at < $1::timestamptz + interval '24 hours')`, now).Scan(&accounts, &closed, &soon); err != nil {
		t.Fatal(err)
	}
	if accounts != 5 || closed < 1400 || closed > 1900 || soon == 0 {
		t.Fatalf("accounts %d, closed %d of 2000, deadlines within 24 h %d", accounts, closed, soon)
	}
	// What the trigger computes for every row equals what was loaded.
	type key struct{ bucket, queueKey int64 }
	read := func() map[string]key {
		rows, err := db.Pool.Query(ctx, `SELECT dispute_id, bucket, queue_key FROM disputes`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]key{}
		for rows.Next() {
			var id string
			var k key
			if err := rows.Scan(&id, &k.bucket, &k.queueKey); err != nil {
				t.Fatal(err)
			}
			out[id] = k
		}
		return out
	}
	loaded := read()
	if _, err := db.Pool.Exec(ctx, `UPDATE disputes SET state = state`); err != nil {
		t.Fatal(err)
	}
	for id, k := range read() {
		if loaded[id] != k {
			t.Fatalf("%s loaded %+v, the trigger says %+v", id, loaded[id], k)
		}
	}
	var wrong int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT tenant_id, bucket, count(*) AS n FROM disputes GROUP BY 1, 2) d
		FULL JOIN dispute_counts c USING (tenant_id, bucket) WHERE c.n IS DISTINCT FROM d.n AND coalesce(c.n, 0) <> 0`).Scan(&wrong); err != nil || wrong != 0 {
		t.Fatalf("dispute_counts differ from the disputes in %d buckets (%v)", wrong, err)
	}
	again, err := db.SeedBenchDisputes(ctx, 5, 2000, now)
	if err != nil || !again.Skipped {
		t.Fatalf("second seed at the same size: %+v %v", again, err)
	}
}
