package httpapi_test

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
)

// statementPayout stores one payout row as ingest would (totals only).
type statementPayout struct {
	ref, currency                   string
	date                            time.Time
	sale, ret, fee, tax, settlement int64
	opening, closing                int64
	reconciled                      *bool
}

func insertStatementPayouts(t *testing.T, a *apptest.App, tenant uuid.UUID, ps ...statementPayout) {
	t.Helper()
	for _, p := range ps {
		if _, err := a.DB.SQL().ExecContext(t.Context(), `INSERT INTO payouts (payment_reference, tenant_id, klarna_account_id, payout_date, currency,
			settlement_type, sale_amount, return_amount, fee_amount, tax_amount, settlement_amount, opening_debt_amount, closing_debt_amount,
			object, lines_complete, reconciled) VALUES ($1, $2, 'krn:partner:global:account:test:STMT', $3, $4, 'NET', $5, $6, $7, $8, $9, $10, $11, '{}', true, $12)`,
			p.ref, tenant, p.date, p.currency, p.sale, p.ret, p.fee, p.tax, p.settlement, p.opening, p.closing, p.reconciled); err != nil {
			t.Fatal(err)
		}
	}
}

// pdfText is the text a PDF shows: the strings of its (deflated) content streams.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue // not deflated (fonts are not)
		}
		b, _ := io.ReadAll(zr)
		for _, s := range regexp.MustCompile(`\(((?:\\.|[^\\)])*)\) ?Tj`).FindAllSubmatch(b, -1) {
			out.WriteString(strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(s[1])))
			out.WriteByte('\n')
		}
	}
	return out.String()
}

func TestSettlementStatement(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	aurora, err := a.DB.Identity().TenantBySlug(t.Context(), "aurora")
	if err != nil {
		t.Fatal(err)
	}
	no := false
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 6, 0, 0, 0, time.UTC) }
	insertStatementPayouts(t, a, aurora.ID,
		// October ends owing 15 SEK: a week of returns outweighed the sales.
		statementPayout{ref: "STMT-OCT-1", currency: "SEK", date: day(10, 24), sale: 10000, ret: 11500, settlement: -1500, closing: 1500},
		// November: the debt is netted first, then paid out.
		statementPayout{ref: "STMT-NOV-1", currency: "SEK", date: day(11, 3), sale: 50000, fee: 1500, tax: 375, settlement: 46625, opening: 1500, closing: 0},
		statementPayout{ref: "STMT-NOV-2", currency: "SEK", date: day(11, 10), sale: 20000, fee: 600, settlement: 19400, opening: 200, closing: 0, reconciled: &no},
		statementPayout{ref: "STMT-NOV-EUR", currency: "EUR", date: day(11, 12), sale: 900000, fee: 27000, settlement: 873000},
		statementPayout{ref: "STMT-DEC-1", currency: "SEK", date: day(12, 1), sale: 1000, settlement: 1000},
	)
	finance := a.Login("acquirer-finance")
	r := finance.Get("/api/v1/settlements/statement?month=2026-11&partner=" + aurora.ID.String())
	if r.Status != 200 {
		t.Fatalf("statement: %d %s", r.Status, r.Body)
	}
	var st apigen.SettlementStatement
	if err := json.Unmarshal(r.Body, &st); err != nil {
		t.Fatal(err)
	}
	if st.PartnerName != "Aurora Outfitters" || st.Month != "2026-11" || len(st.Currencies) != 2 || st.Currencies[0].Currency != "EUR" || st.Currencies[1].Currency != "SEK" {
		t.Fatalf("statement of Aurora, November, EUR and SEK: %+v", st)
	}
	sek := st.Currencies[1]
	if sek.OpeningDebt != 1500 || sek.ClosingDebt != 0 || sek.Paid != 66025 || sek.Net != 66025 || len(sek.Payouts) != 2 {
		t.Fatalf("SEK: opens owing 1500, closes at 0, two payouts of 66 025 in all: %+v", sek)
	}
	if sek.Totals.SaleAmount != 70000 || sek.Totals.FeeAmount != 2100 || sek.Totals.TaxAmount != 375 {
		t.Fatalf("SEK totals: %+v", sek.Totals)
	}
	// The second payout opens at 200 where the first closed at 0: a report is missing in between.
	if len(sek.Breaks) != 1 || sek.Breaks[0] != "STMT-NOV-2" || len(sek.Unreconciled) != 1 || sek.Unreconciled[0] != "STMT-NOV-2" {
		t.Fatalf("SEK breaks %v, unreconciled %v", sek.Breaks, sek.Unreconciled)
	}

	// Without a Klarna client there is no payout summary to compare, and the statement says so.
	if st.KlarnaSummaryError == nil || !strings.Contains(*st.KlarnaSummaryError, "Klarna is not configured") || sek.KlarnaSummary != nil {
		t.Fatalf("Klarna's summary without Klarna: %v %+v", st.KlarnaSummaryError, sek.KlarnaSummary)
	}

	// A month without payouts still carries the debt October closed with.
	r = finance.Get("/api/v1/settlements/statement?month=2026-10&partner=" + aurora.ID.String())
	_ = json.Unmarshal(r.Body, &st)
	if len(st.Currencies) != 1 || st.Currencies[0].OpeningDebt != 0 || st.Currencies[0].ClosingDebt != 1500 || st.Currencies[0].Paid != 0 || st.Currencies[0].Net != -1500 {
		t.Fatalf("October: a negative settlement pays nothing and leaves a debt of 1500: %+v", st.Currencies)
	}

	// The PDF says the same.
	r = finance.Get("/api/v1/settlements/statement.pdf?month=2026-11&partner=" + aurora.ID.String())
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Fatalf("pdf: %d %s %.40q", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if !strings.Contains(r.Header.Get("Content-Disposition"), "statement-2026-11-"+aurora.ID.String()+".pdf") {
		t.Fatalf("file name: %s", r.Header.Get("Content-Disposition"))
	}
	text := pdfText(t, r.Body)
	for _, want := range []string{"Aurora Outfitters", "November 2026", "Opening debt balance", "15.00 SEK", "STMT-NOV-1", "STMT-NOV-2 *", "466.25 SEK", "8 730.00 EUR", "STMT-NOV-2 (a report may be missing)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q:\n%s", want, text)
		}
	}

	// Merchants: Aurora's finance sees its own; Borealis gets the answer of an unknown partner.
	if r := a.Login("merchant-finance").Get("/api/v1/settlements/statement?month=2026-11&partner=" + aurora.ID.String()); r.Status != 200 {
		t.Fatalf("Aurora's finance: %d %s", r.Status, r.Body)
	}
	other := a.Login("merchant-admin-b")
	for _, path := range []string{"/api/v1/settlements/statement", "/api/v1/settlements/statement.pdf"} {
		mine := other.Get(path + "?month=2026-11&partner=" + aurora.ID.String())
		unknown := other.Get(path + "?month=2026-11&partner=" + uuid.NewString())
		same := func(r *apitest.Response) string {
			return regexp.MustCompile(`"request_id":"[^"]*"`).ReplaceAllString(string(r.Body), "")
		}
		if mine.Status != 404 || unknown.Status != 404 || same(mine) != same(unknown) {
			t.Fatalf("%s of another partner: %d %s; of an unknown one: %d %s", path, mine.Status, mine.Body, unknown.Status, unknown.Body)
		}
	}
	// Every invalid field at once.
	r = finance.Get("/api/v1/settlements/statement?month=November&partner=aurora")
	if r.Status != 400 || !strings.Contains(string(r.Body), `"month"`) || !strings.Contains(string(r.Body), `"partner"`) {
		t.Fatalf("bad month and partner: %d %s", r.Status, r.Body)
	}
}

func TestSettlementCharts(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	ids := map[string]uuid.UUID{}
	for _, slug := range []string{"aurora", "borealis"} {
		tn, err := a.DB.Identity().TenantBySlug(t.Context(), slug)
		if err != nil {
			t.Fatal(err)
		}
		ids[slug] = tn.ID
	}
	// Monday 2 Nov and Thursday 5 Nov are one week; Monday 9 Nov the next.
	day := func(d int) time.Time { return time.Date(2026, 11, d, 6, 0, 0, 0, time.UTC) }
	insertStatementPayouts(t, a, ids["aurora"],
		statementPayout{ref: "CH-A1", currency: "SEK", date: day(2), sale: 10000, ret: 1000, fee: 300, tax: 75, settlement: 8625},
		statementPayout{ref: "CH-A2", currency: "SEK", date: day(5), sale: 30000, fee: 900, tax: 225, settlement: 28875},
		statementPayout{ref: "CH-A3", currency: "SEK", date: day(9), ret: 500, settlement: -500},
	)
	insertStatementPayouts(t, a, ids["borealis"], statementPayout{ref: "CH-B1", currency: "NOK", date: day(3), sale: 5000, fee: 150, settlement: 4850})

	var got apigen.SettlementCharts
	r := a.Login("acquirer-finance").Get("/api/v1/settlements/charts?from=2026-11-01&to=2026-11-30")
	if err := json.Unmarshal(r.Body, &got); r.Status != 200 || err != nil {
		t.Fatalf("charts: %d %s", r.Status, r.Body)
	}
	type row struct {
		week, cur                    string
		payouts, net, sales, returns int64
		share                        string
	}
	rows := func(ws []apigen.SettlementWeek) []row {
		var out []row
		for _, w := range ws {
			share := "none"
			if w.FeeShare != nil {
				share = strconv.FormatFloat(*w.FeeShare, 'f', 5, 64)
			}
			out = append(out, row{w.Week.Format(time.DateOnly), w.Currency, w.Payouts, w.Net, w.Sales, w.Returns, share})
		}
		return out
	}
	want := []row{{"2026-11-02", "NOK", 1, 4850, 5000, 0, "0.03000"}, {"2026-11-02", "SEK", 2, 37500, 40000, 1000, "0.03750"}, {"2026-11-09", "SEK", 1, -500, 0, 500, "none"}}
	if fmt.Sprint(rows(got.Weeks)) != fmt.Sprint(want) {
		t.Fatalf("weeks across partners:\n got %v\nwant %v", rows(got.Weeks), want)
	}
	// A merchant sees its own partner's weeks only, and asking for another partner narrows to nothing.
	aurora := a.Login("merchant-finance")
	r = aurora.Get("/api/v1/settlements/charts?from=2026-11-01&to=2026-11-30")
	_ = json.Unmarshal(r.Body, &got)
	if len(got.Weeks) != 2 || got.Weeks[0].Currency != "SEK" {
		t.Fatalf("Aurora's weeks: %v", rows(got.Weeks))
	}
	r = aurora.Get("/api/v1/settlements/charts?from=2026-11-01&to=2026-11-30&partner=" + ids["borealis"].String())
	_ = json.Unmarshal(r.Body, &got)
	if len(got.Weeks) != 0 {
		t.Fatalf("Aurora asking for Borealis: %v", rows(got.Weeks))
	}
	// Each chart's CSV has the rows of its chart.
	r = a.Login("acquirer-finance").Get("/api/v1/settlements/charts.csv?chart=fee_share&from=2026-11-01&to=2026-11-30&currency=sek")
	if r.Status != 200 || string(r.Body) != "week,currency,sales,fees,tax,fee_share\n2026-11-02,SEK,40000,1200,300,0.037500\n2026-11-09,SEK,0,0,0,\n" {
		t.Fatalf("fee share CSV: %d %q", r.Status, r.Body)
	}
	if r := aurora.Get("/api/v1/settlements/charts.csv?chart=pie&from=soon"); r.Status != 400 || !strings.Contains(string(r.Body), `"chart"`) {
		t.Fatalf("unknown chart: %d %s", r.Status, r.Body)
	}
	if r := aurora.Get("/api/v1/settlements/charts?from=soon&currency=euro"); r.Status != 400 || !strings.Contains(string(r.Body), `"from"`) || !strings.Contains(string(r.Body), `"currency"`) {
		t.Fatalf("bad window: %d %s", r.Status, r.Body)
	}
}
