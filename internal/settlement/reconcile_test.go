package settlement_test

import (
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

type line struct {
	typ    string
	amount int64
	vat    int64
}

func sums(lines ...line) settlement.LineSums {
	var s settlement.LineSums
	for _, l := range lines {
		vat := l.vat
		s.Add(l.typ, l.amount, &vat)
	}
	return s
}

// week is a payout of sales, a fee with VAT, a refund and a dispute's
// chargeback, the totals Klarna reports for it and its net.
var week = []line{{"SALE", 100000, 0}, {"SALE", 50000, 0}, {"FEE", 4500, 1125}, {"RETURN", 20000, 0}, {"REVERSAL", 12900, 0}, {"FEE", 1500, 375}}

func weekTotals() map[string]int64 {
	return map[string]int64{"sale_amount": 150000, "fee_amount": 6000, "tax_amount": 1500, "return_amount": 20000, "reversal_amount": 12900,
		"settlement_amount": 150000 - 6000 - 1500 - 20000 - 12900}
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		totals   func() map[string]int64
		lines    []line
		complete bool
		// want: nil = not concluded
		want       *bool
		difference int64
		mismatches map[string]settlement.TypeDifference
	}{
		{name: "OK_Balanced", totals: weekTotals, lines: week, complete: true, want: ptr(true)},
		{name: "OK_SignedLines", totals: weekTotals, complete: true, want: ptr(true),
			// the same payout with deductions as negative amounts
			lines: []line{{"SALE", 150000, 0}, {"FEE", -6000, -1500}, {"RETURN", -20000, 0}, {"REVERSAL", -12900, 0}}},
		{name: "Unbalanced_FeeTotal", lines: week, complete: true, want: ptr(false),
			totals: func() map[string]int64 {
				t := weekTotals()
				t["fee_amount"] += 250 // Klarna's fee total says 2.50 more than its fee lines
				return t
			},
			mismatches: map[string]settlement.TypeDifference{"fee_amount": {Reported: 6250, Lines: 6000}}},
		{name: "Unbalanced_MissingLine", totals: weekTotals, lines: week[:len(week)-1], complete: true, want: ptr(false),
			// the second fee line (15.00 + 3.75 VAT) is missing: fee and tax
			// totals differ, and the settlement is 18.75 short of the lines
			difference: -1875,
			mismatches: map[string]settlement.TypeDifference{"fee_amount": {Reported: 6000, Lines: 4500}, "tax_amount": {Reported: 1500, Lines: 1125},
				"settlement_amount": {Reported: 109600, Lines: 111475}}},
		{name: "OK_NegativeCarriedForward", complete: true, want: ptr(true),
			// a week of refunds and a chargeback: net −330.00; nothing is paid
			// out and the shortfall adds to the debt carried forward
			lines: []line{{"SALE", 10000, 0}, {"RETURN", 30000, 0}, {"REVERSAL", 12900, 0}, {"FEE", 100, 25}},
			totals: func() map[string]int64 {
				return map[string]int64{"sale_amount": 10000, "return_amount": 30000, "reversal_amount": 12900, "fee_amount": 100, "tax_amount": 25,
					"settlement_amount": 0, "deposit_amount": 33025, "opening_debt_balance_amount": 5000, "closing_debt_balance_amount": 38025}
			}},
		{name: "OK_DebtRepaid", complete: true, want: ptr(true),
			// the next week repays the debt first: 380.25 of a 1 000.00 net
			lines: []line{{"SALE", 100000, 0}},
			totals: func() map[string]int64 {
				return map[string]int64{"sale_amount": 100000, "settlement_amount": 100000 - 38025, "repay_amount": 38025,
					"opening_debt_balance_amount": 38025, "closing_debt_balance_amount": 0}
			}},
		{name: "OK_NegativeSettlementAmount", complete: true, want: ptr(true),
			// the same shortfall reported as a negative settlement amount
			lines: []line{{"SALE", 10000, 0}, {"RETURN", 30000, 0}},
			totals: func() map[string]int64 {
				return map[string]int64{"sale_amount": 10000, "return_amount": 30000, "settlement_amount": -20000,
					"opening_debt_balance_amount": 0, "closing_debt_balance_amount": 20000}
			}},
		{name: "Unbalanced_DebtNotCarried", complete: true, want: ptr(false),
			lines: []line{{"SALE", 10000, 0}, {"RETURN", 30000, 0}},
			totals: func() map[string]int64 {
				return map[string]int64{"sale_amount": 10000, "return_amount": 30000, "settlement_amount": 0, "deposit_amount": 20000,
					"opening_debt_balance_amount": 0, "closing_debt_balance_amount": 0}
			},
			mismatches: map[string]settlement.TypeDifference{"closing_debt_balance_amount": {Reported: 0, Lines: 20000}}},
		{name: "NotConcluded_LinesIncomplete", totals: weekTotals, lines: week[:2], complete: false, want: nil,
			difference: 109600 - 150000,
			mismatches: map[string]settlement.TypeDifference{"fee_amount": {Reported: 6000}, "tax_amount": {Reported: 1500}, "return_amount": {Reported: 20000},
				"reversal_amount": {Reported: 12900}, "settlement_amount": {Reported: 109600, Lines: 150000}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := settlement.Reconcile(tc.totals(), sums(tc.lines...), tc.complete)
			if (r.Reconciled == nil) != (tc.want == nil) || (r.Reconciled != nil && *r.Reconciled != *tc.want) {
				t.Fatalf("reconciled = %v, want %v (mismatches %v)", show(r.Reconciled), show(tc.want), r.Mismatches)
			}
			if r.Difference != tc.difference {
				t.Errorf("difference = %d, want %d", r.Difference, tc.difference)
			}
			if len(r.Mismatches) != len(tc.mismatches) {
				t.Errorf("mismatches %v, want %v", r.Mismatches, tc.mismatches)
			}
			for k, want := range tc.mismatches {
				if got, ok := r.Mismatches[k]; !ok || got != want {
					t.Errorf("mismatch %s = %+v, want %+v", k, got, want)
				}
			}
		})
	}
}

// A line type Klarna adds later is kept apart: no total covers it, so a
// payout that counts it in its settlement shows it as the difference.
func TestReconcile_UnknownType(t *testing.T) {
	t.Parallel()
	totals := map[string]int64{"sale_amount": 10000, "settlement_amount": 9000}
	r := settlement.Reconcile(totals, sums(line{"SALE", 10000, 0}, line{"LOYALTY_FEE", 1000, 0}), true)
	if *r.Reconciled || r.Difference != -1000 || r.Unmapped["LOYALTY_FEE"] != 1000 {
		t.Fatalf("reconciled %v difference %d unmapped %v", *r.Reconciled, r.Difference, r.Unmapped)
	}
}

func ptr(b bool) *bool { return &b }

func show(b *bool) string {
	if b == nil {
		return "nil"
	}
	if *b {
		return "true"
	}
	return "false"
}
