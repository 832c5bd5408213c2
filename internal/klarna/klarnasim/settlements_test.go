package klarnasim

import (
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Weeks of past payouts: one a week, dated in the past; the flagged one's
// totals differ from its lines by the deliberate mismatch, every other one
// adds up; the lost dispute's chargeback names it; the week it is withheld
// pays nothing and carries the shortfall forward, repaid the week after.
func TestSeedSettlementHistory(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.SeedPartner(PartnerSpec{Operational: true})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.PartnerAccountID
	h := SettlementHistory{PartnerAccountID: id, Weeks: 6, MismatchWeek: 2, ChargebackWeek: 4, ChargebackAmount: 750000}
	refs, err := s.SeedSettlementHistory(h)
	if err != nil || len(refs) != 6 {
		t.Fatalf("history: %v %v", refs, err)
	}
	now := s.clock.Now()
	var prevClosing int64
	for i, ref := range refs {
		p := s.st.Ledger.byRef[ref]
		if age := now.Sub(p.P.PayoutDate.Time); age < time.Duration(6-i)*7*24*time.Hour-24*time.Hour || age > time.Duration(6-i)*7*24*time.Hour+24*time.Hour {
			t.Fatalf("payout %d is %s old", i+1, age)
		}
		honest := computeTotals(s.st.Ledger.linesBy[ref], p.P.Totals.OpeningDebtBalanceAmount)
		got := p.P.Totals
		if i+1 == h.MismatchWeek {
			if p.Mismatch != 2500 || got.FeeAmount != honest.FeeAmount+2500 || got.SettlementAmount != honest.SettlementAmount-2500 {
				t.Fatalf("the flagged payout: %+v, its lines give %+v", got, honest)
			}
		} else if p.Mismatch != 0 || got.FeeAmount != honest.FeeAmount || got.SettlementAmount != honest.SettlementAmount {
			t.Fatalf("payout %d does not add up: %+v, its lines give %+v", i+1, got, honest)
		}
		if got.OpeningDebtBalanceAmount != prevClosing {
			t.Fatalf("payout %d opens with debt %d, the last closed with %d", i+1, got.OpeningDebtBalanceAmount, prevClosing)
		}
		prevClosing = got.ClosingDebtBalanceAmount
		switch i + 1 {
		case h.ChargebackWeek:
			if got.SettlementAmount != 0 || got.DepositAmount <= 0 || got.ClosingDebtBalanceAmount <= 0 || got.HoldbackAmount != 750000 {
				t.Fatalf("the week withheld: %+v", got)
			}
		case h.ChargebackWeek + 1:
			if got.RepayAmount <= 0 || got.ReversalAmount != 750000 || got.ReleaseAmount != 750000 {
				t.Fatalf("the week after: %+v", got)
			}
			var reversal *klarna.Transaction
			for _, ln := range s.st.Ledger.linesBy[ref] {
				if ln.T.Type == klarna.TxReversal {
					reversal = &ln.T
				}
			}
			d := s.st.Disputes[reversal.ReversalReference]
			if d == nil || d.D.State != klarna.DisputeClosed || d.D.StateContext.DisputeOutcome != klarna.OutcomeLost {
				t.Fatalf("the chargeback names %q: %+v", reversal.ReversalReference, d)
			}
		}
	}
	if again, err := s.SeedSettlementHistory(h); err != nil || len(again) != 0 {
		t.Fatalf("a second seeding made %v (%v)", again, err)
	}
}
