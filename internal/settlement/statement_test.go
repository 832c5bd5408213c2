package settlement

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

func TestBuildStatement(t *testing.T) {
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	p := func(ref, cur string, settlement, opening, closing int64) StatementPayout {
		return StatementPayout{PaymentReference: ref, Currency: cur, PayoutDate: month.AddDate(0, 0, 2), Settlement: settlement, OpeningDebt: opening, ClosingDebt: closing}
	}
	type want struct {
		opening, closing, paid, net int64
		payouts                     int
		breaks                      []string
	}
	cases := []struct {
		name            string
		payouts, before []StatementPayout
		want            map[string]want
	}{
		{name: "nothing before and nothing in the month", want: map[string]want{}},
		{name: "a settled-up currency without payouts is left out", before: []StatementPayout{p("OLD", "EUR", 100, 0, 0)}, want: map[string]want{}},
		{name: "a debt is carried through a month without payouts", before: []StatementPayout{p("OLD", "SEK", -300, 0, 300)},
			want: map[string]want{"SEK": {opening: 300, closing: 300}}},
		{name: "a negative settlement pays nothing and leaves a debt", payouts: []StatementPayout{p("N1", "SEK", -250, 0, 250)},
			want: map[string]want{"SEK": {closing: 250, net: -250, payouts: 1}}},
		{name: "the debt is netted by the next payout", before: []StatementPayout{p("OLD", "SEK", -250, 0, 250)}, payouts: []StatementPayout{p("N1", "SEK", 750, 250, 0)},
			want: map[string]want{"SEK": {opening: 250, paid: 750, net: 750, payouts: 1}}},
		{name: "an opening balance that does not follow on is a break", before: []StatementPayout{p("OLD", "SEK", 10, 0, 0)},
			payouts: []StatementPayout{p("N1", "SEK", 10, 40, 0), p("N2", "SEK", 10, 0, 0), p("N3", "SEK", 10, 5, 0)},
			want:    map[string]want{"SEK": {opening: 40, paid: 30, net: 30, payouts: 3, breaks: []string{"N1", "N3"}}}},
		{name: "currencies apart", payouts: []StatementPayout{p("E", "EUR", 10, 0, 0), p("S", "SEK", -5, 0, 5)},
			want: map[string]want{"EUR": {paid: 10, net: 10, payouts: 1}, "SEK": {closing: 5, net: -5, payouts: 1}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := BuildStatement(uuid.New(), "Aurora", month.AddDate(0, 0, 14), tc.payouts, tc.before)
			if !st.Month.Equal(month) || len(st.Currencies) != len(tc.want) {
				t.Fatalf("month %s, currencies %+v", st.Month, st.Currencies)
			}
			for i, cs := range st.Currencies {
				if i > 0 && st.Currencies[i-1].Currency >= cs.Currency {
					t.Fatalf("currencies not in order: %+v", st.Currencies)
				}
				w := tc.want[cs.Currency]
				got := want{cs.OpeningDebt, cs.ClosingDebt, cs.Totals.Paid, cs.Totals.Settlement, len(cs.Payouts), cs.Breaks}
				if got.opening != w.opening || got.closing != w.closing || got.paid != w.paid || got.net != w.net || got.payouts != w.payouts || len(got.breaks) != len(w.breaks) {
					t.Fatalf("%s: got %+v, want %+v", cs.Currency, got, w)
				}
				for j := range w.breaks {
					if got.breaks[j] != w.breaks[j] {
						t.Fatalf("%s breaks %v, want %v", cs.Currency, got.breaks, w.breaks)
					}
				}
			}
		})
	}
}

func TestFormatMinor(t *testing.T) {
	for _, tc := range []struct {
		v    int64
		cur  string
		want string
	}{{0, "SEK", "0.00 SEK"}, {-5, "EUR", "-0.05 EUR"}, {123456789, "SEK", "1 234 567.89 SEK"}, {-100000, "JPY", "-100 000 JPY"}} {
		if got := FormatMinor(tc.v, tc.cur); got != tc.want {
			t.Errorf("FormatMinor(%d, %s) = %q, want %q", tc.v, tc.cur, got, tc.want)
		}
	}
}

// Klarna's payout summary sits beside each currency: it agrees, it names
// money no stored payout holds, or it has a currency with no stored payout.
func TestAddKlarnaSummary(t *testing.T) {
	st := Statement{Currencies: []CurrencyStatement{
		{Currency: "EUR", Totals: StatementTotals{Settlement: 873000}},
		{Currency: "SEK", Totals: StatementTotals{Settlement: 66025}},
		{Currency: "NOK", ClosingDebt: 500}, // only a carried debt: no payout this month
	}}
	AddKlarnaSummary(&st, []klarna.PayoutSummary{
		{SummarySettlementCurrency: "EUR", SummaryTotalSettlementAmount: 873000, SummaryTotalSaleAmount: 900000, SummaryTotalFeeAmount: 27000},
		// two accounts of the partner: their sums add up
		{SummarySettlementCurrency: "SEK", SummaryTotalSettlementAmount: 66025},
		{SummarySettlementCurrency: "sek", SummaryTotalSettlementAmount: 19400},
		{SummarySettlementCurrency: "DKK", SummaryTotalSettlementAmount: 1200},
	})
	got := map[string]CurrencyStatement{}
	var order []string
	for _, cs := range st.Currencies {
		got[cs.Currency] = cs
		order = append(order, cs.Currency)
	}
	if strings.Join(order, ",") != "DKK,EUR,NOK,SEK" {
		t.Fatalf("currencies %v: the one only Klarna has is added, in order", order)
	}
	for cur, want := range map[string]int64{"EUR": 0, "SEK": 19400, "NOK": 0, "DKK": 1200} {
		if k := got[cur].Klarna; k == nil || k.Difference != want {
			t.Errorf("%s: Klarna summary %+v, want a difference of %d", cur, k, want)
		}
	}
	if k := got["EUR"].Klarna; k.Sale != 900000 || k.Fee != 27000 {
		t.Errorf("EUR summary totals %+v", k)
	}
	for cur, want := range map[string]string{
		"EUR": "agrees: 8 730.00 EUR settled.",
		"SEK": "194.00 SEK more than the payouts stored here: a payout may be missing",
		"DKK": "12.00 DKK settled, 12.00 DKK more",
	} {
		if line := KlarnaSummaryLine(got[cur]); !strings.Contains(line, want) {
			t.Errorf("%s: %q lacks %q", cur, line, want)
		}
	}
	less := CurrencyStatement{Currency: "EUR", Klarna: &KlarnaSummary{Settlement: 100, Difference: -50}}
	if line := KlarnaSummaryLine(less); !strings.Contains(line, "0.50 EUR less than") {
		t.Errorf("a stored payout Klarna does not count: %q", line)
	}
	if line := KlarnaSummaryLine(CurrencyStatement{Currency: "EUR"}); line != "" {
		t.Errorf("Klarna not asked: %q", line)
	}
}
