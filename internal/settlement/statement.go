package settlement

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// StatementPayout is one payout as a monthly statement lists it. Amounts
// are Klarna's totals in minor units, as reported.
type StatementPayout struct {
	PaymentReference string
	PayoutDate       time.Time
	Currency         string
	SettlementType   string
	Sale             int64
	Return           int64
	Reversal         int64
	Fee              int64
	Tax              int64
	Holdback         int64
	Release          int64
	Settlement       int64
	OpeningDebt      int64
	ClosingDebt      int64
	// Reconciled is nil until the payout's lines are complete and checked.
	Reconciled *bool
}

// StatementTotals adds up a month's payouts of one currency.
type StatementTotals struct {
	Sale, Return, Reversal, Fee, Tax, Holdback, Release int64
	// Paid is what reached the bank: the positive settlement amounts.
	Paid int64
	// Settlement is the net of every settlement, negative ones included.
	Settlement int64
}

// CurrencyStatement is one currency of a partner's month.
type CurrencyStatement struct {
	Currency string
	// OpeningDebt is the debt balance at the start of the month: the first
	// payout's opening balance, or what the last earlier payout closed with.
	OpeningDebt int64
	// ClosingDebt is the last payout's closing balance (the opening balance
	// when the month had no payout).
	ClosingDebt int64
	Payouts     []StatementPayout
	Totals      StatementTotals
	// Breaks are the payouts whose opening balance is not what the payout
	// before closed with: a report missing in between, or Klarna's error.
	Breaks []string
	// Unreconciled are the payouts whose lines do not add up to their totals.
	Unreconciled []string
	// Klarna is Klarna's payout summary of the month in this currency;
	// nil when Klarna was not asked (Statement.KlarnaError says why).
	Klarna *KlarnaSummary
}

// KlarnaSummary is Klarna's own sum of a month's payouts in one currency
// (the Settlements API's payout summary), beside the stored payouts.
type KlarnaSummary struct {
	Settlement, Sale, Return, Reversal, Fee, Tax, Holdback, Release int64
	// Difference is Klarna's settlement amount minus the stored payouts'
	// net: a payout Klarna made that is not stored here (or one stored
	// that Klarna does not count).
	Difference int64
}

// Statement is a partner's settlements of one calendar month (UTC), per
// currency: the document a finance team files.
type Statement struct {
	TenantID    uuid.UUID
	PartnerName string
	Month       time.Time
	Currencies  []CurrencyStatement
	// KlarnaError says why Klarna's payout summary is not beside the
	// currencies: Klarna not configured, no partner account, or its error.
	KlarnaError string
}

// MonthStart is the first instant (UTC) of t's month.
func MonthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Statement is the statement of tenant for the month that holds month.
func (r *Reader) Statement(ctx context.Context, sc scope.Scope, tenant uuid.UUID, month time.Time) (Statement, error) {
	from := MonthStart(month)
	name, accounts, err := r.store.StatementPartner(ctx, sc, tenant)
	if err != nil {
		return Statement{}, err
	}
	payouts, err := r.store.StatementPayouts(ctx, sc, tenant, from, from.AddDate(0, 1, 0))
	if err != nil {
		return Statement{}, err
	}
	before, err := r.store.LastBefore(ctx, sc, tenant, from)
	if err != nil {
		return Statement{}, err
	}
	st := BuildStatement(tenant, name, from, payouts, before)
	if st.KlarnaError = r.klarnaSummaryError(accounts); st.KlarnaError == "" {
		sums, err := r.klarnaSummaries(ctx, accounts, from)
		if err != nil {
			st.KlarnaError = "Klarna's payout summary could not be read: " + err.Error()
		} else {
			AddKlarnaSummary(&st, sums)
		}
	}
	return st, nil
}

func (r *Reader) klarnaSummaryError(accounts []string) string {
	switch {
	case r.reports == nil:
		return "Klarna is not configured, so its payout summary is not compared."
	case len(accounts) == 0:
		return "The partner has no Klarna partner account, so there is no payout summary to compare."
	}
	return ""
}

// klarnaSummaries asks Klarna for the month's payout summary of each of
// the partner's accounts.
func (r *Reader) klarnaSummaries(ctx context.Context, accounts []string, month time.Time) ([]klarna.PayoutSummary, error) {
	// Klarna's dates are inclusive and default to midnight: the month is
	// its first second to its last.
	start, end := month, month.AddDate(0, 1, 0).Add(-time.Second)
	var out []klarna.PayoutSummary
	for _, acc := range accounts {
		got, err := r.reports.GetPayoutSummary(ctx, start, end, "", klarna.OnBehalfOf(acc))
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// KlarnaSummaryLine says in words whether Klarna's payout summary agrees
// with the stored payouts of the currency ("" when Klarna was not asked).
func KlarnaSummaryLine(cs CurrencyStatement) string {
	switch k := cs.Klarna; {
	case k == nil:
		return ""
	case k.Difference == 0:
		return "Klarna's payout summary for the month agrees: " + FormatMinor(k.Settlement, cs.Currency) + " settled."
	case k.Difference > 0:
		return "Klarna's payout summary for the month says " + FormatMinor(k.Settlement, cs.Currency) + " settled, " +
			FormatMinor(k.Difference, cs.Currency) + " more than the payouts stored here: a payout may be missing (the next sync reads it)."
	default:
		return "Klarna's payout summary for the month says " + FormatMinor(k.Settlement, cs.Currency) + " settled, " +
			FormatMinor(-k.Difference, cs.Currency) + " less than the payouts stored here."
	}
}

// AddKlarnaSummary puts Klarna's payout summaries of the month beside the
// statement's currencies. A currency only Klarna reports is added with no
// stored payouts, since those are payouts missing here.
func AddKlarnaSummary(st *Statement, sums []klarna.PayoutSummary) {
	byCurrency := map[string]*KlarnaSummary{}
	for _, s := range sums {
		cur := strings.ToUpper(strings.TrimSpace(s.SummarySettlementCurrency))
		k := byCurrency[cur]
		if k == nil {
			k = &KlarnaSummary{}
			byCurrency[cur] = k
		}
		k.Settlement += s.SummaryTotalSettlementAmount
		k.Sale += s.SummaryTotalSaleAmount
		k.Return += s.SummaryTotalReturnAmount
		k.Reversal += s.SummaryTotalReversalAmount
		k.Fee += s.SummaryTotalFeeAmount
		k.Tax += s.SummaryTotalTaxAmount
		k.Holdback += s.SummaryTotalHoldbackAmount
		k.Release += s.SummaryTotalReleaseAmount
	}
	for i := range st.Currencies {
		cs := &st.Currencies[i]
		k := byCurrency[cs.Currency]
		if k == nil {
			k = &KlarnaSummary{} // Klarna paid nothing in this currency
		}
		delete(byCurrency, cs.Currency)
		k.Difference = k.Settlement - cs.Totals.Settlement
		cs.Klarna = k
	}
	for cur, k := range byCurrency {
		k.Difference = k.Settlement
		st.Currencies = append(st.Currencies, CurrencyStatement{Currency: cur, Klarna: k})
	}
	sort.Slice(st.Currencies, func(i, j int) bool { return st.Currencies[i].Currency < st.Currencies[j].Currency })
}

// BuildStatement computes the statement from the month's payouts (oldest
// first) and, per currency, the last payout before the month.
func BuildStatement(tenant uuid.UUID, name string, month time.Time, payouts, before []StatementPayout) Statement {
	byCurrency := map[string]*CurrencyStatement{}
	get := func(cur string) *CurrencyStatement {
		cs, ok := byCurrency[cur]
		if !ok {
			cs = &CurrencyStatement{Currency: cur}
			byCurrency[cur] = cs
		}
		return cs
	}
	// A currency with an earlier payout carries its closing balance in, even
	// in a month without payouts (a debt is still owed).
	carried := map[string]int64{}
	for _, p := range before {
		carried[p.Currency] = p.ClosingDebt
		if p.ClosingDebt != 0 {
			cs := get(p.Currency)
			cs.OpeningDebt, cs.ClosingDebt = p.ClosingDebt, p.ClosingDebt
		}
	}
	for _, p := range payouts {
		cs := get(p.Currency)
		prev, hasPrev := carried[p.Currency]
		if len(cs.Payouts) == 0 {
			cs.OpeningDebt = p.OpeningDebt
		}
		if hasPrev && prev != p.OpeningDebt {
			cs.Breaks = append(cs.Breaks, p.PaymentReference)
		}
		carried[p.Currency] = p.ClosingDebt
		cs.ClosingDebt = p.ClosingDebt
		cs.Payouts = append(cs.Payouts, p)
		t := &cs.Totals
		t.Sale += p.Sale
		t.Return += p.Return
		t.Reversal += p.Reversal
		t.Fee += p.Fee
		t.Tax += p.Tax
		t.Holdback += p.Holdback
		t.Release += p.Release
		t.Settlement += p.Settlement
		if p.Settlement > 0 {
			t.Paid += p.Settlement
		}
		if p.Reconciled != nil && !*p.Reconciled {
			cs.Unreconciled = append(cs.Unreconciled, p.PaymentReference)
		}
	}
	st := Statement{TenantID: tenant, PartnerName: name, Month: MonthStart(month)}
	for _, cs := range byCurrency {
		st.Currencies = append(st.Currencies, *cs)
	}
	sort.Slice(st.Currencies, func(i, j int) bool { return st.Currencies[i].Currency < st.Currencies[j].Currency })
	return st
}
