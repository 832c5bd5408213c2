package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// SeedSettlementsOptions size SeedBenchSettlements.
type SeedSettlementsOptions struct {
	// Partners to create when no bench partners (slug bench-p-NNNNN, made
	// by SeedBenchDisputes too) exist; existing ones are used as they are.
	Partners int
	Payouts  int
	Lines    int
	// BigPayout is the number of lines of the first payout (BENCH00000000),
	// for measuring one payout's export; the other lines are spread evenly.
	BigPayout int
}

// SeedSettlementsResult says what SeedBenchSettlements did.
type SeedSettlementsResult struct {
	Skipped                  bool
	Partners, Payouts, Lines int
	Took                     time.Duration
}

// SeedBenchSettlements loads o.Payouts payouts (payment reference
// BENCHnnnnnnnn) spread over the bench partners, one a week per partner
// going back from now, and o.Lines lines spread over them, for measuring.
// It is idempotent: when exactly that many bench payouts and lines exist it
// does nothing; otherwise it removes the bench payouts and loads again.
//
// Speed: one transaction; the lines are COPYed with the secondary indexes
// of settlement_lines dropped (rebuilt from their own definitions after the
// load) and, for a superuser, without the per-row foreign key checks (the
// rows reference payouts and tenants made here). Totals, counts and the
// reconciliation of each payout are then computed from its lines in one
// UPDATE … FROM (SELECT … GROUP BY), so every bench payout reconciles.
func (db *DB) SeedBenchSettlements(ctx context.Context, o SeedSettlementsOptions, now time.Time) (SeedSettlementsResult, error) {
	start := time.Now()
	res := SeedSettlementsResult{Payouts: o.Payouts, Lines: o.Lines}
	if o.Payouts < 1 || o.Lines < 0 || o.BigPayout < 0 || o.BigPayout > o.Lines {
		return res, fmt.Errorf("seed settlements: need at least one payout, and the big payout within the lines")
	}
	var havePayouts, haveLines int64
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM payouts WHERE payment_reference LIKE 'BENCH%'),
		(SELECT count(*) FROM settlement_lines WHERE payment_reference LIKE 'BENCH%')`).Scan(&havePayouts, &haveLines); err != nil {
		return res, err
	}
	if havePayouts == int64(o.Payouts) && haveLines == int64(o.Lines) {
		res.Skipped = true
		return res, nil
	}
	tx, err := beginSeed(ctx, db, "256MB")
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(ctx, `DELETE FROM settlement_lines WHERE payment_reference LIKE 'BENCH%'`); err != nil {
		return res, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM payouts WHERE payment_reference LIKE 'BENCH%'`); err != nil {
		return res, err
	}
	tenants, accounts, err := benchPartners(ctx, tx, o.Partners, now)
	if err != nil {
		return res, err
	}
	res.Partners = len(tenants)
	// The payouts first (the lines reference them), with their totals
	// filled in from the lines below.
	currencies := []string{"EUR", "EUR", "SEK", "NOK", "DKK", "GBP"}
	week := 7 * 24 * time.Hour
	day := now.UTC().Truncate(24 * time.Hour)
	payoutOf := func(i int) (ref string, p int, date time.Time, currency string) {
		p = i % len(tenants)
		return fmt.Sprintf("BENCH%08d", i), p, day.Add(-time.Duration(i/len(tenants)+1) * week), currencies[p%len(currencies)]
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"payouts"}, []string{"payment_reference", "tenant_id", "klarna_account_id", "merchant_id", "payout_date",
		"currency", "settlement_type", "object"}, pgx.CopyFromSlice(o.Payouts, func(i int) ([]any, error) {
		ref, p, date, cur := payoutOf(i)
		return []any{ref, tenants[p], accounts[p], fmt.Sprintf("M%06d", p), date, cur, "NET", `{}`}, nil
	})); err != nil {
		return res, fmt.Errorf("copy payouts: %w", err)
	}
	indexes, err := dropSecondaryIndexes(ctx, tx, "settlement_lines")
	if err != nil {
		return res, err
	}
	if err := copyBenchLines(ctx, tx, o, tenants, payoutOf); err != nil {
		return res, err
	}
	for _, def := range indexes {
		if _, err := tx.Exec(ctx, def); err != nil {
			return res, fmt.Errorf("rebuild index: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE payouts p SET sale_amount = s.sale, return_amount = s.ret, reversal_amount = s.rev, fee_amount = s.fee,
			tax_amount = s.tax, settlement_amount = s.sale - s.ret - s.rev - s.fee - s.tax, line_count = s.n, lines_complete = true,
			reconciled = true, difference = 0,
			object = jsonb_build_object('payment_reference', p.payment_reference, 'payout_date', to_char(p.payout_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
				'currency_code', p.currency, 'merchant_settlement_type', 'NET', 'merchant_id', p.merchant_id,
				'totals', jsonb_build_object('sale_amount', s.sale, 'return_amount', s.ret, 'reversal_amount', s.rev, 'fee_amount', s.fee,
					'tax_amount', s.tax, 'settlement_amount', s.sale - s.ret - s.rev - s.fee - s.tax, 'holdback_amount', 0, 'release_amount', 0,
					'repay_amount', 0, 'deposit_amount', 0, 'opening_debt_balance_amount', 0, 'closing_debt_balance_amount', 0))
		FROM (SELECT payment_reference, count(*) AS n,
				coalesce(sum(amount) FILTER (WHERE type = 'SALE'), 0) AS sale, coalesce(sum(amount) FILTER (WHERE type = 'RETURN'), 0) AS ret,
				coalesce(sum(amount) FILTER (WHERE type = 'REVERSAL'), 0) AS rev, coalesce(sum(amount) FILTER (WHERE type = 'FEE'), 0) AS fee,
				coalesce(sum(vat_amount), 0) AS tax
			FROM settlement_lines WHERE payment_reference LIKE 'BENCH%' GROUP BY payment_reference) s
		WHERE p.payment_reference = s.payment_reference`); err != nil {
		return res, fmt.Errorf("payout totals: %w", err)
	}
	// The COPY ran without triggers: the payout schedule is rebuilt here.
	if _, err := tx.Exec(ctx, `DELETE FROM payout_schedule s USING payouts p WHERE p.tenant_id = s.tenant_id AND p.payment_reference LIKE 'BENCH%'`); err != nil {
		return res, fmt.Errorf("payout schedule: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO payout_schedule (tenant_id, currency, last_reference, last_date, last_amount, every, expected_at)
		SELECT tenant_id, currency, payment_reference, payout_date, settlement_amount, payout_date - prev, payout_date + (payout_date - prev)
		FROM (SELECT tenant_id, currency, payment_reference, payout_date, settlement_amount, lag(payout_date) OVER w AS prev,
				row_number() OVER (PARTITION BY tenant_id, currency ORDER BY payout_date DESC, payment_reference DESC) AS rn
			FROM payouts WHERE tenant_id IN (SELECT DISTINCT tenant_id FROM payouts WHERE payment_reference LIKE 'BENCH%')
			WINDOW w AS (PARTITION BY tenant_id, currency ORDER BY payout_date, payment_reference)) x
		WHERE rn = 1 ON CONFLICT (tenant_id, currency) DO NOTHING`); err != nil {
		return res, fmt.Errorf("payout schedule: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return res, err
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE payouts`); err != nil {
		return res, err
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE settlement_lines`); err != nil {
		return res, err
	}
	res.Took = time.Since(start)
	return res, nil
}

// benchPartners are the bench partner tenants and their accounts: those
// that exist, or partners new ones.
func benchPartners(ctx context.Context, tx pgx.Tx, partners int, now time.Time) ([]uuid.UUID, []string, error) {
	var tenants []uuid.UUID
	var accounts []string
	rows, err := tx.Query(ctx, `SELECT t.id, pa.klarna_account_id FROM tenants t JOIN partner_accounts pa ON pa.tenant_id = t.id
		WHERE t.slug LIKE 'bench-p-%' ORDER BY t.slug`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id uuid.UUID
		var account string
		if err := rows.Scan(&id, &account); err != nil {
			rows.Close()
			return nil, nil, err
		}
		tenants, accounts = append(tenants, id), append(accounts, account)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(tenants) > 0 {
		return tenants, accounts, nil
	}
	if partners < 1 {
		return nil, nil, fmt.Errorf("seed settlements: no bench partners, and none to create")
	}
	tenants, accounts = make([]uuid.UUID, partners), make([]string, partners)
	for i := range tenants {
		tenants[i] = uuid.New()
		accounts[i] = fmt.Sprintf("krn:partner:global:account:live:BENCH%05d", i)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tenants"}, []string{"id", "kind", "slug", "name"}, pgx.CopyFromSlice(partners, func(i int) ([]any, error) {
		return []any{tenants[i], "partner", fmt.Sprintf("bench-p-%05d", i), fmt.Sprintf("Bench partner %05d", i)}, nil
	})); err != nil {
		return nil, nil, fmt.Errorf("copy tenants: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"partner_accounts"}, []string{"klarna_account_id", "tenant_id", "state", "state_at"}, pgx.CopyFromSlice(partners, func(i int) ([]any, error) {
		return []any{accounts[i], tenants[i], "ACTIVE", now.AddDate(-1, -1, 0)}, nil
	})); err != nil {
		return nil, nil, fmt.Errorf("copy partner accounts: %w", err)
	}
	return tenants, accounts, nil
}

// dropSecondaryIndexes drops the table's indexes that back no constraint
// and returns their definitions, to be run again after a bulk load.
func dropSecondaryIndexes(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
		WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, table)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := tx.Exec(ctx, `DROP INDEX `+pgx.Identifier{n}.Sanitize()); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", n, err)
		}
	}
	return defs, nil
}

// copyBenchLines streams the lines: per payout, captures as a SALE with its
// percentage FEE (25 % VAT on the fee), now and then a RETURN of half a
// sale, rarely a REVERSAL naming a dispute.
func copyBenchLines(ctx context.Context, tx pgx.Tx, o SeedSettlementsOptions, tenants []uuid.UUID,
	payoutOf func(int) (string, int, time.Time, string)) error {
	rng := rand.New(rand.NewPCG(17, uint64(o.Payouts)<<32|uint64(o.Lines)))
	perPayout := func(i int) int {
		if o.Payouts == 1 {
			return o.Lines
		}
		if i == 0 {
			return o.BigPayout
		}
		rest := o.Lines - o.BigPayout
		n := rest / (o.Payouts - 1)
		if i <= rest%(o.Payouts-1) {
			n++
		}
		return n
	}
	payout, left, seq := -1, 0, 0
	var ref, cur string
	var tenant uuid.UUID
	var date time.Time
	var order, capture string
	var sale int64
	row := make([]any, 0, len(benchLineColumns))
	vatRate := int64(2500)
	src := pgx.CopyFromFunc(func() ([]any, error) {
		for left == 0 {
			payout++
			if payout >= o.Payouts {
				return nil, nil
			}
			var p int
			ref, p, date, cur = payoutOf(payout)
			tenant, left, seq = tenants[p], perPayout(payout), 0
		}
		left--
		seq++
		at := date.Add(-time.Duration(rng.Int64N(int64(7 * 24 * time.Hour)))).Truncate(time.Second)
		typ, detailed := "SALE", "PURCHASE"
		var amount int64
		var vat, rate any
		refundID, reversal, comment := "", "", ""
		switch {
		case seq%2 == 1 || sale == 0: // a capture's sale
			order, capture = fmt.Sprintf("%s-o%07d", ref, seq), fmt.Sprintf("%s-c%07d", ref, seq)
			sale = int64(1000 + rng.IntN(250000))
			amount = sale
		case rng.IntN(16) == 0:
			typ, detailed, amount, refundID = "RETURN", "PURCHASE_RETURN", sale/2, fmt.Sprintf("%s-r%07d", ref, seq)
		case rng.IntN(200) == 0:
			typ, detailed, amount = "REVERSAL", "REVERSAL", sale
			reversal, comment = fmt.Sprintf("krn:network:eu1:live:payment:dispute:bench-%s-%d", ref, seq), "Chargeback for closed dispute (outcome LOST)"
		default: // the sale's fee
			typ, detailed = "FEE", "PURCHASE_FEE_PERCENTAGE"
			amount = (sale*300 + 5000) / 10000
			v := (amount*vatRate + 5000) / 10000
			vat, rate = v, vatRate
		}
		captureID := capture
		if typ == "RETURN" || typ == "REVERSAL" {
			captureID = ""
		}
		row = append(row[:0], ref, tenant, fmt.Sprintf("bench:%08d", seq), seq-1, typ, detailed, amount, cur, rate, vat,
			at.Add(-time.Hour), at, order, captureID, refundID, "REF-"+order, "SE", reversal, comment)
		return row, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"settlement_lines"}, benchLineColumns, src); err != nil {
		return fmt.Errorf("copy settlement lines: %w", err)
	}
	return nil
}

var benchLineColumns = []string{"payment_reference", "tenant_id", "line_key", "seq", "type", "detailed_type", "amount", "currency", "vat_rate",
	"vat_amount", "sale_date", "capture_date", "order_id", "capture_id", "refund_id", "merchant_reference1", "purchase_country",
	"reversal_reference", "klarna_comment"}
