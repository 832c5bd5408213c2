package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// SeedDisputesResult says what SeedBenchDisputes did.
type SeedDisputesResult struct {
	Skipped            bool
	Partners, Disputes int
	Took               time.Duration
}

// SeedBenchDisputes creates partners partner tenants (slug bench-p-NNNNN)
// with one partner account each and disputes disputes spread over them,
// opened over the year before now, for measuring. It is idempotent: when
// exactly that many bench partners and disputes exist it does nothing;
// otherwise it deletes the bench partners (and so their disputes) and loads
// again.
//
// Speed: the disputes are COPYed with the row triggers off (disputes_queue
// BEFORE and disputes_count AFTER each row: the AFTER one upserts a counter
// row per dispute, serialising on a handful of hot rows) inside one
// transaction; bucket and queue_key are computed here by the
// trigger's rules (dispute.Bucket, queueKey), and dispute_counts is rebuilt
// for the bench partners with one INSERT … SELECT … GROUP BY.
func (db *DB) SeedBenchDisputes(ctx context.Context, partners, disputes int, now time.Time) (SeedDisputesResult, error) {
	start := time.Now()
	now = now.UTC().Truncate(time.Millisecond) // queue_key is in ms, like the trigger's
	res := SeedDisputesResult{Partners: partners, Disputes: disputes}
	var havePartners, haveDisputes int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM tenants WHERE slug LIKE 'bench-p-%'),
		(SELECT count(*) FROM disputes WHERE dispute_id LIKE 'bench-d-%')`).Scan(&havePartners, &haveDisputes); err != nil {
		return res, err
	}
	if havePartners == partners && haveDisputes == disputes {
		res.Skipped = true
		return res, nil
	}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(ctx, `DELETE FROM tenants WHERE slug LIKE 'bench-p-%'`); err != nil {
		return res, err
	}
	rng := rand.New(rand.NewPCG(11, uint64(partners)<<32|uint64(disputes)))
	tenants := make([]uuid.UUID, partners)
	accounts := make([]string, partners)
	for i := range tenants {
		tenants[i] = uuid.New()
		accounts[i] = fmt.Sprintf("krn:partner:global:account:live:BENCH%05d", i)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tenants"}, []string{"id", "kind", "slug", "name"}, pgx.CopyFromSlice(partners, func(i int) ([]any, error) {
		return []any{tenants[i], "partner", fmt.Sprintf("bench-p-%05d", i), fmt.Sprintf("Bench partner %05d", i)}, nil
	})); err != nil {
		return res, fmt.Errorf("copy tenants: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"partner_accounts"}, []string{"klarna_account_id", "tenant_id", "state", "state_at"}, pgx.CopyFromSlice(partners, func(i int) ([]any, error) {
		return []any{accounts[i], tenants[i], "ACTIVE", now.AddDate(-1, -1, 0)}, nil
	})); err != nil {
		return res, fmt.Errorf("copy partner accounts: %w", err)
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE disputes DISABLE TRIGGER disputes_queue, DISABLE TRIGGER disputes_count`); err != nil {
		return res, err
	}
	reasons := []string{klarna.ReasonNotReceived, klarna.ReasonNotReceived, klarna.ReasonDefectiveOrNotAsDescribed, klarna.ReasonPurchaseUnauthorized,
		klarna.ReasonRefundNotProcessed, klarna.ReasonIncorrectAmount, klarna.ReasonPurchaseHighRisk, klarna.ReasonNonCompliance}
	currencies := []string{"EUR", "EUR", "EUR", "SEK", "NOK", "DKK", "GBP", "USD"}
	cols := []string{"dispute_id", "tenant_id", "klarna_account_id", "state", "reason", "amount", "currency", "order_id", "deadline_at", "outcome",
		"opened_at", "closed_at", "answered_at", "state_at", "klarna_updated_at", "bucket", "queue_key"}
	year := int64(365 * 24 * time.Hour)
	src := pgx.CopyFromSlice(disputes, func(i int) ([]any, error) {
		p := rng.IntN(partners)
		// a skew: a tenth of the partners get most disputes
		if rng.IntN(3) > 0 {
			p = rng.IntN(max(1, partners/10))
		}
		opened := now.Add(-time.Duration(rng.Int64N(year))).Truncate(time.Millisecond)
		var state, outcome string
		var deadline, closed, answered *time.Time
		at := func(t time.Time) *time.Time { return &t }
		switch x := rng.IntN(100); {
		case x < 82:
			state = "CLOSED"
			closed = at(opened.Add(time.Duration(24+rng.IntN(40*24)) * time.Hour))
			if closed.After(now) {
				closed = at(now.Add(-time.Minute))
			}
			outcome = klarna.OutcomeLost
			if rng.IntN(100) < 58 {
				outcome = klarna.OutcomeWon
			}
			if outcome == klarna.OutcomeWon || rng.IntN(2) == 0 {
				answered = at(opened.Add(time.Duration(1+rng.IntN(160)) * time.Hour))
				if answered.After(*closed) {
					answered = closed
				}
			}
		case x < 94:
			state = "INITIATED"
			if x >= 91 {
				state = "PRE_ARBITRATION"
			}
			// the deadline: some within 24 h, some within 72 h, the rest later
			switch y := rng.IntN(10); {
			case y < 2:
				deadline = at(now.Add(time.Duration(1+rng.IntN(23)) * time.Hour))
			case y < 4:
				deadline = at(now.Add(time.Duration(24+rng.IntN(48)) * time.Hour))
			default:
				deadline = at(now.Add(time.Duration(72+rng.IntN(14*24)) * time.Hour))
			}
			if opened.After(now.Add(-20 * 24 * time.Hour)) {
				break
			}
			opened = now.Add(-time.Duration(rng.Int64N(int64(20 * 24 * time.Hour)))).Truncate(time.Millisecond)
		default:
			state = "REPRESENTMENT"
			if x >= 97 {
				state = "ARBITRATION"
			}
			answered = at(opened.Add(time.Duration(1+rng.IntN(120)) * time.Hour))
			if answered.After(now) {
				answered = at(now)
			}
		}
		stateAt := opened
		if closed != nil {
			stateAt = *closed
		} else if answered != nil {
			stateAt = *answered
		}
		bucket := dispute.Bucket(state)
		amount := int64(500 + rng.IntN(20000))
		if rng.IntN(20) == 0 {
			amount *= 20
		}
		return []any{fmt.Sprintf("bench-d-%08d", i), tenants[p], accounts[p], state, reasons[rng.IntN(len(reasons))], amount,
			currencies[rng.IntN(len(currencies))], fmt.Sprintf("order-%08d", i), deadline, outcome, opened, closed, answered, stateAt, stateAt,
			bucket, queueKey(bucket, deadline, stateAt, closed)}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"disputes"}, cols, src); err != nil {
		return res, fmt.Errorf("copy disputes: %w", err)
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE disputes ENABLE TRIGGER disputes_queue, ENABLE TRIGGER disputes_count`); err != nil {
		return res, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO dispute_counts (tenant_id, bucket, n)
		SELECT d.tenant_id, d.bucket, count(*) FROM disputes d JOIN tenants t ON t.id = d.tenant_id
		WHERE t.slug LIKE 'bench-p-%' GROUP BY d.tenant_id, d.bucket`); err != nil {
		return res, fmt.Errorf("dispute counts: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return res, err
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE disputes`); err != nil {
		return res, err
	}
	res.Took = time.Since(start)
	return res, nil
}

// queueKey is the trigger disputes_queue's queue_key (migration 00019): the
// deadline in ms in bucket 1 (far future when none), the state's time in 2,
// the negated close time in 3.
func queueKey(bucket int, deadline *time.Time, stateAt time.Time, closed *time.Time) int64 {
	switch bucket {
	case dispute.BucketNeedsPartner:
		if deadline == nil {
			return 9000000000000000
		}
		return deadline.UnixMilli()
	case dispute.BucketWaiting:
		return stateAt.UnixMilli()
	}
	if closed != nil {
		return -closed.UnixMilli()
	}
	return -stateAt.UnixMilli()
}
