package httpapi_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
)

// settlementsApp is the app with the fixture's payouts stored.
func settlementsApp(t *testing.T) *apptest.App {
	t.Helper()
	a := apptest.Start(t, nil, nil)
	seedSettlements(t, a)
	return a
}

func getJSON[T any](t *testing.T, c *apitest.Client, path string) T {
	t.Helper()
	return decode[T](t, c.Get(path), 200)
}

func payoutRefs(p apigen.PayoutPage) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.PaymentReference)
	}
	return out
}

// The payouts list: newest first, totals of the whole filtered set per
// currency, a merchant sees its own partner's only, and the filters
// narrow it.
func TestPayoutsList(t *testing.T) {
	t.Parallel()
	a := settlementsApp(t)
	acq, mer, merB := a.Login("acquirer-finance"), a.Login("merchant-finance"), a.Login("merchant-admin-b")

	all := getJSON[apigen.PayoutPage](t, acq, "/api/v1/payouts")
	if got, want := payoutRefs(all), []string{"KLAUR0829", "KLBOR0822", "KL9D7M1X", "KL8C2Q4Z"}; !slices.Equal(got, want) {
		t.Fatalf("acquirer's payouts %v, want %v", got, want)
	}
	byCur := map[string]apigen.PayoutCurrencyTotals{}
	for _, tt := range all.Totals {
		byCur[tt.Currency] = tt
	}
	if eur := byCur["EUR"]; eur.Payouts != 2 || eur.SettlementAmount != 1005812+94000 || eur.SaleAmount != 1145000 || eur.FeeAmount != 36350 {
		t.Errorf("EUR totals %+v", eur)
	}
	if len(byCur) != 3 || byCur["NOK"].SettlementAmount != 48125 || byCur["SEK"].ReversalAmount != 29900 {
		t.Errorf("totals %+v", all.Totals)
	}
	first := all.Items[0]
	if first.PartnerName == "" || first.Reconciled == nil || *first.Reconciled || first.Difference != -1000 || first.SettlementType != "NET" {
		t.Errorf("the unbalanced payout reads %+v", first)
	}

	own := getJSON[apigen.PayoutPage](t, mer, "/api/v1/payouts")
	if got := payoutRefs(own); !slices.Equal(got, []string{"KLAUR0829", "KL9D7M1X", "KL8C2Q4Z"}) {
		t.Fatalf("Aurora's finance sees %v", got)
	}
	for _, tt := range own.Totals {
		if tt.Currency == "NOK" {
			t.Fatalf("Borealis' NOK payout is in Aurora's totals: %+v", own.Totals)
		}
	}
	if got := payoutRefs(getJSON[apigen.PayoutPage](t, merB, "/api/v1/payouts")); !slices.Equal(got, []string{"KLBOR0822"}) {
		t.Fatalf("Borealis' admin sees %v", got)
	}
	// Asking for another partner narrows to nothing, never widens.
	borealis, err := a.DB.Identity().TenantBySlug(t.Context(), "borealis")
	if err != nil {
		t.Fatal(err)
	}
	if p := getJSON[apigen.PayoutPage](t, mer, "/api/v1/payouts?partner="+borealis.ID.String()); len(p.Items) != 0 || len(p.Totals) != 0 {
		t.Fatalf("Aurora asking for Borealis got %+v", p)
	}

	// Filters.
	for q, want := range map[string][]string{
		"reconciled=false":                    {"KLAUR0829"},
		"reconciled=true&currency=EUR":        {"KL9D7M1X"},
		"currency=eur&currency=NOK":           {"KLAUR0829", "KLBOR0822", "KL9D7M1X"},
		"from=2025-08-16&to=2025-08-22":       {"KLBOR0822", "KL9D7M1X"},
		"to=2025-08-15":                       {"KL8C2Q4Z"},
		"partner=" + borealis.ID.String():     {"KLBOR0822"},
		"from=2025-08-23T00:00:00Z&limit=200": {"KLAUR0829"},
	} {
		p := getJSON[apigen.PayoutPage](t, acq, "/api/v1/payouts?"+q)
		if got := payoutRefs(p); !slices.Equal(got, want) {
			t.Errorf("?%s: %v, want %v", q, got, want)
		}
	}
	unbalanced := getJSON[apigen.PayoutPage](t, acq, "/api/v1/payouts?reconciled=false")
	if len(unbalanced.Totals) != 1 || unbalanced.Totals[0].Payouts != 1 || unbalanced.Totals[0].SettlementAmount != 94000 {
		t.Errorf("totals follow the filter: %+v", unbalanced.Totals)
	}

	// Keyset pages: every payout once, in order.
	var paged []string
	cursor := ""
	for range 5 {
		p := getJSON[apigen.PayoutPage](t, acq, "/api/v1/payouts?limit=1&cursor="+url.QueryEscape(cursor))
		paged = append(paged, payoutRefs(p)...)
		if len(p.Totals) != 3 {
			t.Fatalf("a page's totals are the whole set's: %+v", p.Totals)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if !slices.Equal(paged, payoutRefs(all)) {
		t.Fatalf("paged %v, want %v", paged, payoutRefs(all))
	}

	// Every bad filter at once.
	r := acq.Get("/api/v1/payouts?reconciled=maybe&from=yesterday&currency=EURO&partner=x&limit=0&cursor=nope")
	if r.Status != 400 {
		t.Fatalf("bad filters: %d %s", r.Status, r.Body)
	}
	fields := fieldsOf(t, r)
	for _, f := range []string{"reconciled", "from", "currency", "partner", "limit"} {
		if !slices.Contains(fields, f) {
			t.Errorf("the problem does not name %s: %s", f, r.Body)
		}
	}
	if r := acq.Get("/api/v1/payouts?cursor=nope"); r.Status != 400 || !strings.Contains(string(r.Body), `"cursor"`) {
		t.Errorf("a bad cursor: %d %s", r.Status, r.Body)
	}
}

// A payout's page: all its totals, debt, the reconciliation result and
// its lines per type; another partner's payout answers 404 like an
// unknown one.
func TestPayoutDetail(t *testing.T) {
	t.Parallel()
	a := settlementsApp(t)
	mer, merB := a.Login("merchant-finance"), a.Login("merchant-admin-b")

	d := getJSON[apigen.PayoutDetail](t, mer, "/api/v1/payouts/KL8C2Q4Z")
	if d.Payout.SettlementAmount != 4979 || d.Payout.LineCount != 5 || d.Payout.Reconciled == nil || !*d.Payout.Reconciled || len(d.Mismatches) != 0 {
		t.Errorf("payout %+v mismatches %+v", d.Payout, d.Mismatches)
	}
	if d.Totals["repay_amount"] != 0 || d.Totals["tax_amount"] != 1024 || d.Totals["reversal_amount"] != 29900 || len(d.Totals) < 18 {
		t.Errorf("totals by type %v", d.Totals)
	}
	types := map[string]apigen.PayoutLineType{}
	for _, lt := range d.LineTypes {
		types[lt.Type] = lt
	}
	if fee := types["FEE"]; fee.Lines != 2 || fee.Amount != 4097 || fee.VatAmount != 1024 {
		t.Errorf("FEE lines %+v", fee)
	}
	if len(types) != 4 || types["SALE"].Amount != 129900 || types["RETURN"].Lines != 1 {
		t.Errorf("lines per type %+v", d.LineTypes)
	}

	bad := getJSON[apigen.PayoutDetail](t, mer, "/api/v1/payouts/KLAUR0829")
	if bad.Payout.Difference != -1000 || len(bad.Mismatches) != 1 || bad.Mismatches[0] != (apigen.PayoutMismatch{Total: "fee_amount", Reported: 5000, Lines: 4000}) {
		t.Errorf("the unbalanced payout: difference %d mismatches %+v", bad.Payout.Difference, bad.Mismatches)
	}

	for _, path := range []string{"/api/v1/payouts/KL8C2Q4Z", "/api/v1/payouts/KL8C2Q4Z/lines", "/api/v1/payouts/KL8C2Q4Z/lines/export.csv",
		"/api/v1/payouts/KL8C2Q4Z/klarna.csv", "/api/v1/payouts/KL8C2Q4Z/klarna.pdf", "/api/v1/payouts/NOPE"} {
		// The same answer as an unknown payout: nothing of the payout shows.
		if r := merB.Get(path); r.Status != 404 || !strings.Contains(string(r.Body), `"detail":"No such payout."`) || strings.Contains(string(r.Body), "Aurora") {
			t.Errorf("Borealis on %s: %d %s", path, r.Status, r.Body)
		}
	}
	if r := mer.Get("/api/v1/payouts/NOPE"); r.Status != 404 {
		t.Errorf("an unknown payout: %d", r.Status)
	}
	// Without Klarna configured, Klarna's own reports cannot be fetched.
	if r := mer.Get("/api/v1/payouts/KL8C2Q4Z/klarna.pdf"); r.Status != 503 {
		t.Errorf("Klarna's PDF without Klarna: %d %s", r.Status, r.Body)
	}
}

func lineSummary(p apigen.SettlementLinePage) []string {
	var out []string
	for _, l := range p.Items {
		out = append(out, l.PaymentReference+":"+l.Type+":"+l.DetailedType)
	}
	return out
}

// A payout's lines: Klarna's order, filters by type and ids, keyset
// pages, every field, and chargeback lines link to their dispute.
func TestPayoutLines(t *testing.T) {
	t.Parallel()
	a := settlementsApp(t)
	aurora, err := a.DB.Identity().TenantBySlug(t.Context(), "aurora")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, _, err := a.DB.Disputes().Apply(t.Context(), dispute.Report{Dispute: dispute.Dispute{ID: "krn:network:eu1:test:payment:dispute:884170020",
		TenantID: aurora.ID, KlarnaAccountID: "krn:partner:global:account:test:AURORA", State: "CLOSED", Reason: "FRAUD", Amount: 29900,
		Currency: "SEK", OpenedAt: now, StateAt: now, KlarnaUpdatedAt: now}}); err != nil {
		t.Fatal(err)
	}
	mer := a.Login("merchant-finance")

	all := getJSON[apigen.SettlementLinePage](t, mer, "/api/v1/payouts/KL8C2Q4Z/lines")
	if got := lineSummary(all); !slices.Equal(got, []string{"KL8C2Q4Z:SALE:PURCHASE", "KL8C2Q4Z:FEE:PURCHASE_FEE_PERCENTAGE", "KL8C2Q4Z:RETURN:PURCHASE_RETURN",
		"KL8C2Q4Z:REVERSAL:REVERSAL", "KL8C2Q4Z:FEE:DISPUTE_FEE"}) || all.NextCursor != "" {
		t.Fatalf("lines %v next %q", got, all.NextCursor)
	}
	sale, fee, ret, rev := all.Items[0], all.Items[1], all.Items[2], all.Items[3]
	if sale.Amount != 129900 || sale.CaptureId != "e1c2b3a4-5d6e-4f7a-8b9c-0d1e2f3a4b5c" || sale.MerchantReference2 != "ERP-77341" ||
		sale.MerchantCaptureReference != "acq-cap-20250803-0091" || sale.ShortOrderId != "R3F8E2A1" || sale.InitialPaymentMethodType != "invoice" ||
		sale.SaleDate == nil || !sale.SaleDate.Equal(time.Date(2025, 8, 2, 17, 21, 40, 0, time.UTC)) || sale.DisputeId != "" {
		t.Errorf("the sale line %+v", sale)
	}
	if fee.VatRate == nil || *fee.VatRate != 2500 || fee.VatAmount == nil || *fee.VatAmount != 974 || sale.VatRate != nil {
		t.Errorf("VAT of the fee line %+v", fee)
	}
	if ret.RefundId != "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d" || ret.MerchantRefundReference != "acq-ref-20250810-0007" {
		t.Errorf("the return line %+v", ret)
	}
	if rev.ReversalReference != "krn:network:eu1:test:payment:dispute:884170020" || rev.DisputeId != rev.ReversalReference ||
		all.Items[4].DisputeId != rev.ReversalReference || rev.KlarnaComment == "" {
		t.Errorf("the chargeback line does not link its dispute: %+v", rev)
	}

	for q, want := range map[string][]string{
		"type=FEE":           {"KL8C2Q4Z:FEE:PURCHASE_FEE_PERCENTAGE", "KL8C2Q4Z:FEE:DISPUTE_FEE"},
		"type=fee&type=SALE": {"KL8C2Q4Z:SALE:PURCHASE", "KL8C2Q4Z:FEE:PURCHASE_FEE_PERCENTAGE", "KL8C2Q4Z:FEE:DISPUTE_FEE"},
		"order_id=c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f":            {"KL8C2Q4Z:RETURN:PURCHASE_RETURN"},
		"capture_id=e1c2b3a4-5d6e-4f7a-8b9c-0d1e2f3a4b5c&type=FEE": {"KL8C2Q4Z:FEE:PURCHASE_FEE_PERCENTAGE"},
		"refund_id=0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d":           {"KL8C2Q4Z:RETURN:PURCHASE_RETURN"},
		"refund_id=unknown": nil,
	} {
		if got := lineSummary(getJSON[apigen.SettlementLinePage](t, mer, "/api/v1/payouts/KL8C2Q4Z/lines?"+q)); !slices.Equal(got, want) {
			t.Errorf("?%s: %v, want %v", q, got, want)
		}
	}
	var paged []string
	cursor := ""
	for range 10 {
		p := getJSON[apigen.SettlementLinePage](t, mer, "/api/v1/payouts/KL8C2Q4Z/lines?limit=2&cursor="+url.QueryEscape(cursor))
		paged = append(paged, lineSummary(p)...)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if !slices.Equal(paged, lineSummary(all)) {
		t.Fatalf("paged %v", paged)
	}
	eur := getJSON[apigen.SettlementLinePage](t, mer, "/api/v1/payouts/KL9D7M1X/lines?type=SALE")
	if len(eur.Items) != 2 || eur.Items[1].InitialNumberOfInstallments == nil || *eur.Items[1].InitialNumberOfInstallments != 3 ||
		eur.Items[1].InitialPaymentMethodMonthlyDownpayments == nil || *eur.Items[1].InitialPaymentMethodMonthlyDownpayments != 148333 {
		t.Errorf("instalment fields %+v", eur.Items)
	}
}

// The search answers in which payout an order's money arrived and what
// was deducted, across payouts, within the caller's partners only.
func TestSettlementLineSearch(t *testing.T) {
	t.Parallel()
	a := settlementsApp(t)
	acq, mer, merB := a.Login("acquirer-finance"), a.Login("merchant-finance"), a.Login("merchant-admin-b")
	order := "3f8e2a1c-7b4d-4e9f-a6c5-0d2b1e8f7a93"

	got := getJSON[apigen.SettlementLinePage](t, mer, "/api/v1/settlement-lines?q="+order)
	if s := lineSummary(got); !slices.Equal(s, []string{"KL8C2Q4Z:SALE:PURCHASE", "KL8C2Q4Z:FEE:PURCHASE_FEE_PERCENTAGE"}) {
		t.Fatalf("Aurora's search: %v", s)
	}
	if l := got.Items[0]; l.PayoutDate == nil || !l.PayoutDate.Equal(time.Date(2025, 8, 15, 0, 0, 0, 0, time.UTC)) || l.PartnerName == nil || *l.PartnerName == "" {
		t.Errorf("a found line names its payout: %+v", l)
	}
	if s := lineSummary(getJSON[apigen.SettlementLinePage](t, merB, "/api/v1/settlement-lines?q="+order)); !slices.Equal(s, []string{"KLBOR0822:SALE:PURCHASE", "KLBOR0822:FEE:PURCHASE_FEE_PERCENTAGE"}) {
		t.Fatalf("Borealis' search: %v", s)
	}
	if s := lineSummary(getJSON[apigen.SettlementLinePage](t, acq, "/api/v1/settlement-lines?q="+order)); len(s) != 4 {
		t.Fatalf("the acquirer's search: %v", s)
	}
	for q, want := range map[string][]string{
		"7a1b2c3d-0002-4e5f-8a9b-1c2d3e4f5a6b": {"KL9D7M1X:SALE:PURCHASE", "KL9D7M1X:FEE:PURCHASE_FEE_PERCENTAGE"},   // capture id
		"0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d": {"KL8C2Q4Z:RETURN:PURCHASE_RETURN"},                                  // refund id
		"NLO-200003":                           {"KLAUR0829:SALE:PURCHASE", "KLAUR0829:FEE:PURCHASE_FEE_PERCENTAGE"}, // merchant reference
		"NLO-2000":                             nil,                                                                  // exact only
	} {
		if s := lineSummary(getJSON[apigen.SettlementLinePage](t, mer, "/api/v1/settlement-lines?q="+url.QueryEscape(q))); !slices.Equal(s, want) {
			t.Errorf("q=%s: %v, want %v", q, s, want)
		}
	}
	var paged []string
	cursor := ""
	for range 10 {
		p := getJSON[apigen.SettlementLinePage](t, acq, "/api/v1/settlement-lines?limit=1&q="+order+"&cursor="+url.QueryEscape(cursor))
		paged = append(paged, lineSummary(p)...)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if len(paged) != 4 {
		t.Fatalf("paged search %v", paged)
	}
	if r := mer.Get("/api/v1/settlement-lines?q=%20"); r.Status != 400 || !strings.Contains(string(r.Body), `"q"`) {
		t.Errorf("an empty search: %d %s", r.Status, r.Body)
	}
}

// The exports of a small set match their golden files (run with -update
// after a deliberate change); tenant ids are replaced by their slug.
func TestSettlementCSVGolden(t *testing.T) {
	t.Parallel()
	a := settlementsApp(t)
	ts, err := a.DB.Identity().Tenants(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for _, tn := range ts {
		pairs = append(pairs, tn.ID.String(), "<"+tn.Slug+">")
	}
	ids := strings.NewReplacer(pairs...)
	acq, support := a.Login("acquirer-finance"), a.Login("acquirer-support")
	for path, file := range map[string]string{
		"/api/v1/payouts/export.csv":                         "testdata/settlements/payouts.golden.csv",
		"/api/v1/payouts/export.csv?reconciled=false":        "testdata/settlements/payouts-unreconciled.golden.csv",
		"/api/v1/payouts/KL8C2Q4Z/lines/export.csv":          "testdata/settlements/lines-KL8C2Q4Z.golden.csv",
		"/api/v1/payouts/KL9D7M1X/lines/export.csv?type=FEE": "testdata/settlements/lines-KL9D7M1X-fees.golden.csv",
	} {
		r := acq.Get(path)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("GET %s: %d %v", path, r.Status, r.Header)
		}
		golden(t, file, ids.Replace(string(r.Body)))
	}
	// Reading is not exporting.
	if r := support.Get("/api/v1/payouts/export.csv"); r.Status != 403 {
		t.Errorf("acquirer-support exports: %d", r.Status)
	}
}

// Klarna's own CSV and PDF of a payout pass through from Klarna, read on
// behalf of the payout's partner account; another partner gets 404, and a
// payout Klarna has no report for answers 404 too.
func TestPayoutKlarnaReports(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 0)
	pid, ok := sim.PartnerAccountID("aurora")
	if !ok {
		t.Fatal("aurora is not in the simulator")
	}
	if _, err := sim.Capture(pid, 25000); err != nil {
		t.Fatal(err)
	}
	refs, err := sim.RunSettlement(pid)
	if err != nil || len(refs) == 0 {
		t.Fatalf("settlement: %v %v", refs, err)
	}
	aurora, err := a.DB.Identity().TenantBySlug(t.Context(), "aurora")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{refs[0], "KLUNKNOWN1"} {
		if _, err := a.DB.SQL().ExecContext(t.Context(), `INSERT INTO payouts (payment_reference, tenant_id, klarna_account_id, payout_date, currency, object)
			VALUES ($1, $2, $3, now(), 'EUR', '{}')`, ref, aurora.ID, pid); err != nil {
			t.Fatal(err)
		}
	}
	mer, merB := a.Login("merchant-finance"), a.Login("merchant-admin-b")
	csvR := mer.Get("/api/v1/payouts/" + refs[0] + "/klarna.csv")
	if csvR.Status != 200 || !strings.HasPrefix(csvR.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(csvR.Body), "SALE") ||
		!strings.Contains(csvR.Header.Get("Content-Disposition"), "klarna-payout-"+refs[0]+".csv") {
		t.Fatalf("Klarna's CSV: %d %v %s", csvR.Status, csvR.Header, csvR.Body)
	}
	pdfR := mer.Get("/api/v1/payouts/" + refs[0] + "/klarna.pdf")
	if pdfR.Status != 200 || pdfR.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdfR.Body), "%PDF") ||
		!strings.Contains(string(pdfR.Body), refs[0]) {
		t.Fatalf("Klarna's PDF: %d %v", pdfR.Status, pdfR.Header)
	}
	for _, path := range []string{"/klarna.csv", "/klarna.pdf"} {
		if r := merB.Get("/api/v1/payouts/" + refs[0] + path); r.Status != 404 {
			t.Errorf("Borealis on Aurora's %s: %d", path, r.Status)
		}
		if r := mer.Get("/api/v1/payouts/KLUNKNOWN1" + path); r.Status != 404 || !strings.Contains(string(r.Body), "Klarna has no report") {
			t.Errorf("a payout Klarna does not know, %s: %d %s", path, r.Status, r.Body)
		}
	}
}
