package settlement

import (
	"slices"
	"strings"
)

// The reconciliation rules (README §9.1, §9.3). Klarna's exact formula is
// UNCONFIRMED; these follow the documented rule of thumb for NET payouts
// (settlement = sales − returns − reversals − fees − tax + fee refunds +
// releases − holdbacks …) and the debt carry-over: a positive net first
// repays the opening debt (repay_amount), a negative one becomes debt
// (deposit_amount) instead of a negative payout, so
//
//	settlement = net − repay + deposit
//	closing debt = opening debt − repay + deposit
//
// Keep every choice here, so a confirmed formula changes one table.

// totalRule ties a total of Klarna's payout to the line types it sums and
// says which way it moves the money (+1 to the partner, −1 deducted).
type totalRule struct {
	Total string
	Types []string
	Sign  int64
	// VAT: the total also holds the vat_amount of every line (tax on fees
	// is its own total, §9.1: "amount is the base and tax_amount is separate").
	VAT bool
}

var totalRules = []totalRule{
	{Total: "sale_amount", Types: []string{"SALE"}, Sign: +1},
	{Total: "return_amount", Types: []string{"RETURN"}, Sign: -1},
	{Total: "reversal_amount", Types: []string{"REVERSAL"}, Sign: -1},
	{Total: "fee_amount", Types: []string{"FEE"}, Sign: -1},
	{Total: "tax_amount", Types: []string{"TAX"}, Sign: -1, VAT: true},
	{Total: "fee_refund_amount", Types: []string{"FEE_REFUND"}, Sign: +1},
	{Total: "holdback_amount", Types: []string{"HOLDBACK"}, Sign: -1},
	{Total: "release_amount", Types: []string{"RELEASE"}, Sign: +1},
	{Total: "commission_amount", Types: []string{"COMMISSION"}, Sign: -1},
	{Total: "charge_amount", Types: []string{"CHARGE"}, Sign: -1},
	{Total: "credit_amount", Types: []string{"CREDIT"}, Sign: +1},
	// UNCONFIRMED: CORRECTION lines taken as fee corrections, deducted
	// like fees (a correction in the partner's favour is negative).
	{Total: "fee_correction_amount", Types: []string{"CORRECTION"}, Sign: -1},
}

// Totals that no line type sums but that move the net: they are taken as
// reported.
var reportedOnly = []struct {
	Total string
	Sign  int64
}{
	{"tax_refund_amount", +1},
	{"commission_reversal_amount", +1},
}

// Names of the totals the debt carry-over uses.
const (
	TotalSettlement  = "settlement_amount"
	TotalRepay       = "repay_amount"
	TotalDeposit     = "deposit_amount"
	TotalOpeningDebt = "opening_debt_balance_amount"
	TotalClosingDebt = "closing_debt_balance_amount"
)

// TypeDifference is one total its lines do not add up to (stored in
// payouts.mismatches under the total's name).
type TypeDifference struct {
	Reported int64 `json:"reported"`
	Lines    int64 `json:"lines"`
}

// Reconciliation is whether a payout's lines add up to its totals.
type Reconciliation struct {
	// Reconciled is nil while the payout's lines are not all read.
	Reconciled *bool
	// Expected is the settlement amount the lines add up to; Difference
	// the reported settlement amount minus Expected.
	Expected, Difference int64
	// Mismatches are the totals that do not add up, by Klarna's name.
	Mismatches map[string]TypeDifference
	// Unmapped sums the lines of types no total covers (Klarna added a
	// type): they are kept and shown, but counted in no total.
	Unmapped map[string]int64
}

// LineSums accumulates a payout's lines by type.
type LineSums struct {
	ByType map[string]int64
	VAT    int64
	Lines  int
}

// Add counts one line.
func (s *LineSums) Add(typ string, amount int64, vat *int64) {
	if s.ByType == nil {
		s.ByType = map[string]int64{}
	}
	s.ByType[strings.ToUpper(strings.TrimSpace(typ))] += amount
	if vat != nil {
		s.VAT += *vat
	}
	s.Lines++
}

// Reconcile checks totals (Klarna's, by name) against the lines' sums:
// every total against the lines of its types, and the settlement amount
// and closing debt against what the lines and the debt carry-over give.
// complete says every line of the payout was read; until then nothing is
// concluded.
//
// Lines may come signed (deductions negative) or, as in Klarna's examples,
// as positive amounts whose type gives the direction: a total equal to its
// lines with the sign flipped counts as adding up, and the net uses it
// with the rule's direction.
func Reconcile(totals map[string]int64, sums LineSums, complete bool) Reconciliation {
	r := Reconciliation{Mismatches: map[string]TypeDifference{}}
	var net int64
	covered := map[string]bool{}
	for _, rule := range totalRules {
		var lines int64
		for _, t := range rule.Types {
			lines += sums.ByType[t]
			covered[t] = true
		}
		if rule.VAT {
			lines += sums.VAT
		}
		reported := totals[rule.Total]
		magnitude := lines
		switch lines {
		case reported:
		case -reported:
			magnitude = -lines // signed lines: the type's direction is in the amount
		default:
			r.Mismatches[rule.Total] = TypeDifference{Reported: reported, Lines: lines}
		}
		net += rule.Sign * magnitude
	}
	for _, t := range reportedOnly {
		net += t.Sign * totals[t.Total]
	}
	for t, v := range sums.ByType {
		if !covered[t] {
			if r.Unmapped == nil {
				r.Unmapped = map[string]int64{}
			}
			r.Unmapped[t] = v
		}
	}
	repay, deposit := totals[TotalRepay], totals[TotalDeposit]
	r.Expected = net - repay + deposit
	settlement := totals[TotalSettlement]
	r.Difference = settlement - r.Expected
	if r.Difference != 0 {
		r.Mismatches[TotalSettlement] = TypeDifference{Reported: settlement, Lines: r.Expected}
	}
	// The debt carried forward: deposit_amount, or a negative settlement
	// amount where Klarna reports the shortfall that way.
	carried := deposit
	if carried == 0 && settlement < 0 {
		carried = -settlement
	}
	if closing := totals[TotalOpeningDebt] - repay + carried; closing != totals[TotalClosingDebt] {
		r.Mismatches[TotalClosingDebt] = TypeDifference{Reported: totals[TotalClosingDebt], Lines: closing}
	}
	if complete {
		ok := len(r.Mismatches) == 0
		r.Reconciled = &ok
	}
	return r
}

// MismatchNames lists the totals that do not add up, in rule order.
func (r Reconciliation) MismatchNames() []string {
	var out []string
	for _, rule := range totalRules {
		if _, ok := r.Mismatches[rule.Total]; ok {
			out = append(out, rule.Total)
		}
	}
	for _, n := range []string{TotalSettlement, TotalClosingDebt} {
		if _, ok := r.Mismatches[n]; ok && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
