package postgres_test

import (
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// The settlements bench seed loads payouts whose totals are their lines'
// (the reconciliation agrees), keeps every index of settlement_lines, and
// a second run at the same size does nothing.
func TestSeedBenchSettlementsReconcilesAndIsIdempotent(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := t.Context()
	indexes := func() int {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE tablename = 'settlement_lines'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := indexes()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	o := postgres.SeedSettlementsOptions{Partners: 4, Payouts: 12, Lines: 5000, BigPayout: 1500}
	res, err := db.SeedBenchSettlements(ctx, o, now)
	if err != nil || res.Skipped || res.Partners != 4 {
		t.Fatalf("seed: %+v %v", res, err)
	}
	if after := indexes(); after != before {
		t.Fatalf("settlement_lines has %d indexes after the seed, %d before", after, before)
	}
	rows, err := db.Pool.Query(ctx, `SELECT p.payment_reference, p.line_count, p.sale_amount, p.return_amount, p.reversal_amount, p.fee_amount, p.tax_amount,
		p.settlement_amount, p.reconciled,
		(SELECT count(*) FROM settlement_lines l WHERE l.payment_reference = p.payment_reference),
		(SELECT coalesce(sum(amount), 0) FROM settlement_lines l WHERE l.payment_reference = p.payment_reference AND type = 'SALE'),
		(SELECT coalesce(sum(amount), 0) FROM settlement_lines l WHERE l.payment_reference = p.payment_reference AND type = 'FEE'),
		(SELECT coalesce(sum(vat_amount), 0) FROM settlement_lines l WHERE l.payment_reference = p.payment_reference),
		(SELECT coalesce(sum(amount), 0) FROM settlement_lines l WHERE l.payment_reference = p.payment_reference AND type = 'RETURN'),
		(SELECT coalesce(sum(amount), 0) FROM settlement_lines l WHERE l.payment_reference = p.payment_reference AND type = 'REVERSAL')
		FROM payouts p WHERE p.payment_reference LIKE 'BENCH%' ORDER BY p.payment_reference`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	payouts, lines := 0, int64(0)
	for rows.Next() {
		var ref string
		var lineCount int
		var sale, ret, rev, fee, tax, settle, n, lSale, lFee, lTax, lRet, lRev int64
		var reconciled *bool
		if err := rows.Scan(&ref, &lineCount, &sale, &ret, &rev, &fee, &tax, &settle, &reconciled, &n, &lSale, &lFee, &lTax, &lRet, &lRev); err != nil {
			t.Fatal(err)
		}
		var sums settlement.LineSums
		sums.Add("SALE", lSale, &lTax)
		sums.Add("FEE", lFee, nil)
		sums.Add("RETURN", lRet, nil)
		sums.Add("REVERSAL", lRev, nil)
		r := settlement.Reconcile(map[string]int64{"sale_amount": sale, "return_amount": ret, "reversal_amount": rev, "fee_amount": fee, "tax_amount": tax,
			"settlement_amount": settle}, sums, true)
		if reconciled == nil || !*reconciled || !*r.Reconciled || int64(lineCount) != n {
			t.Fatalf("%s: stored reconciled %v, lines give %v %v; %d lines counted %d", ref, reconciled, *r.Reconciled, r.Mismatches, lineCount, n)
		}
		if ref == "BENCH00000000" && n != 1500 {
			t.Fatalf("the big payout has %d lines", n)
		}
		payouts++
		lines += n
	}
	if payouts != 12 || lines != 5000 {
		t.Fatalf("%d payouts, %d lines", payouts, lines)
	}
	again, err := db.SeedBenchSettlements(ctx, o, now)
	if err != nil || !again.Skipped {
		t.Fatalf("second seed: %+v %v", again, err)
	}
}
