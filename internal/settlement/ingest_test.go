package settlement_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const account = "krn:partner:global:account:test:SETTLE01"

// fakeSettlements serves the Settlements v1 API from testdata: the payouts
// of payouts.json and each one's lines from transactions-REF.json, paged
// by size and offset as Klarna does.
type fakeSettlements struct {
	payouts klarna.PayoutCollection
	lines   map[string][]json.RawMessage
	calls   atomic.Int64
}

func newFake(t *testing.T) (*fakeSettlements, *klarna.Client) {
	t.Helper()
	f := &fakeSettlements{lines: map[string][]json.RawMessage{}}
	readJSON(t, "testdata/payouts.json", &f.payouts)
	for _, p := range f.payouts.Payouts {
		var page struct{ Transactions []json.RawMessage }
		readJSON(t, "testdata/transactions-"+p.PaymentReference+".json", &page)
		f.lines[p.PaymentReference] = page.Transactions
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /settlements/v1/payouts/{ref}", func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		for _, p := range f.payouts.Payouts {
			if p.PaymentReference == r.PathValue("ref") {
				writeJSON(w, p)
				return
			}
		}
		w.WriteHeader(404)
		writeJSON(w, map[string]any{"error_code": "NOT_FOUND", "error_messages": []string{"no such payout"}})
	})
	mux.HandleFunc("GET /settlements/v1/payouts", func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		size, offset := paging(r)
		all := f.payouts.Payouts
		page := all[min(offset, len(all)):min(offset+size, len(all))]
		total := int64(len(all))
		writeJSON(w, klarna.PayoutCollection{Payouts: page, Pagination: klarna.OffsetPagination{Count: int64(len(page)), Total: &total}})
	})
	mux.HandleFunc("GET /settlements/v1/transactions", func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		size, offset := paging(r)
		all := f.lines[r.URL.Query().Get("payment_reference")]
		page := all[min(offset, len(all)):min(offset+size, len(all))]
		writeJSON(w, map[string]any{"transactions": page, "pagination": map[string]any{"count": len(page), "total": len(all), "offset": offset}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	kl, err := klarna.New(klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1", APIKey: "test", MaxRetryTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return f, kl
}

func paging(r *http.Request) (size, offset int) {
	size, offset = 20, 0
	if v, err := strconv.Atoi(r.URL.Query().Get("size")); err == nil {
		size = v
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("offset")); err == nil {
		offset = v
	}
	return size, offset
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// partnerTenant creates a partner tenant holding the test account.
func partnerTenant(t *testing.T, db *postgres.DB) uuid.UUID {
	t.Helper()
	id := uuid.New()
	ctx := t.Context()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO tenants (id, kind, slug, name) VALUES ($1, 'partner', 'settle-test', 'Settle Test AB')`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO partner_accounts (klarna_account_id, tenant_id, state) VALUES ($1, $2, 'ACTIVE')`, account, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// rowVersions are every payout's and line's row version and updated_at,
// which change with any write.
func rowVersions(t *testing.T, db *postgres.DB) map[string]string {
	t.Helper()
	rows, err := db.Pool.Query(t.Context(), `SELECT 'p:' || payment_reference, xmin::text || '@' || updated_at::text FROM payouts
		UNION ALL SELECT 'l:' || payment_reference || ':' || line_key, xmin::text FROM settlement_lines`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

type storedPayout struct {
	Sale, Fee, Tax, Return, Reversal, Settlement int64
	Lines                                        int
	Complete                                     bool
	Reconciled                                   *bool
	Difference                                   int64
	Mismatches                                   map[string]settlement.TypeDifference
	Extra                                        string
}

func readPayout(t *testing.T, db *postgres.DB, ref string) storedPayout {
	t.Helper()
	var p storedPayout
	var mm []byte
	err := db.Pool.QueryRow(t.Context(), `SELECT sale_amount, fee_amount, tax_amount, return_amount, reversal_amount, settlement_amount,
		line_count, lines_complete, reconciled, difference, mismatches, coalesce(object->>'settlement_batch', '') FROM payouts WHERE payment_reference = $1`, ref).
		Scan(&p.Sale, &p.Fee, &p.Tax, &p.Return, &p.Reversal, &p.Settlement, &p.Lines, &p.Complete, &p.Reconciled, &p.Difference, &mm, &p.Extra)
	if err != nil {
		t.Fatalf("payout %s: %v", ref, err)
	}
	if err := json.Unmarshal(mm, &p.Mismatches); err != nil {
		t.Fatal(err)
	}
	return p
}

// A report is read from Klarna page by page and stored with every field;
// reading it again changes nothing.
func TestIngest_StoresPayoutAndLines_Idempotent(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	tenant := partnerTenant(t, db)
	_, kl := newFake(t)
	ing := settlement.NewIngester(settlement.IngestOptions{Store: db.SettlementIngest(), Klarna: kl, PageSize: 3})
	ctx := t.Context()
	req := settlement.IngestRequest{PaymentReference: "KLTEST01", KlarnaAccountID: account, TenantID: tenant, SettlementID: "krn:partner:global:settlement:test:1"}
	if err := ing.Ingest(ctx, req); err != nil {
		t.Fatal(err)
	}
	p := readPayout(t, db, "KLTEST01")
	if p.Sale != 174900 || p.Fee != 8847 || p.Tax != 2212 || p.Return != 20000 || p.Reversal != 29900 || p.Settlement != 113941 {
		t.Fatalf("totals %+v", p)
	}
	if p.Lines != 10 || !p.Complete || p.Reconciled == nil || !*p.Reconciled || p.Difference != 0 || len(p.Mismatches) != 0 {
		t.Fatalf("payout %+v: want 10 lines, complete, reconciled", p)
	}
	if p.Extra != "2025-W36" {
		t.Fatalf("the payout's unknown field was not kept in its object: %q", p.Extra)
	}
	// Every line, in Klarna's order; the two identical fixed fees are two
	// lines; unknown fields are kept; the dispute fee names its dispute.
	rows, err := db.Pool.Query(ctx, `SELECT seq, type, detailed_type, amount, vat_amount, reversal_reference, coalesce(extra::text, ''),
		initial_number_of_installments, capture_id FROM settlement_lines WHERE payment_reference = 'KLTEST01' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		seq                        int
		typ, detailed              string
		amount                     int64
		vat, installments          *int64
		reversal, extra, captureID string
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.typ, &r.detailed, &r.amount, &r.vat, &r.reversal, &r.extra, &r.installments, &r.captureID); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	rows.Close()
	if len(got) != 10 {
		t.Fatalf("%d lines stored", len(got))
	}
	for i, r := range got {
		if r.seq != i {
			t.Fatalf("line %d has seq %d", i, r.seq)
		}
	}
	if got[4].detailed != "PURCHASE_FEE_FIXED" || got[5].detailed != "PURCHASE_FEE_FIXED" || *got[4].vat != 75 {
		t.Fatalf("the identical fixed fees: %+v %+v", got[4], got[5])
	}
	if got[2].installments == nil || *got[2].installments != 3 || got[0].captureID != "9d0e6f1a-2b3c-4d5e-8f70-81a2b3c4d5e6" {
		t.Fatalf("line fields: %+v", got[2])
	}
	var extra map[string]any
	if err := json.Unmarshal([]byte(got[6].extra), &extra); err != nil || extra["payment_capture_reference"] != "cap-20402-b" || extra["fee_breakdown"] == nil {
		t.Fatalf("unknown fields of the instant payout fee: %q", got[6].extra)
	}
	const dispute = "krn:network:eu1:test:payment:dispute:884170020"
	if got[8].detailed != "DISPUTE_FEE" || got[8].reversal != dispute || got[9].typ != "REVERSAL" || got[9].reversal != dispute {
		t.Fatalf("dispute lines: %+v / %+v", got[8], got[9])
	}
	if got[0].extra != "" {
		t.Fatalf("a line without unknown fields has extra %q", got[0].extra)
	}

	// Again, from the webhook (the same request) and from the sync: no
	// row is written.
	before := rowVersions(t, db)
	if err := ing.Ingest(ctx, req); err != nil {
		t.Fatal(err)
	}
	after := rowVersions(t, db)
	if len(after) != len(before) {
		t.Fatalf("rows: %d before, %d after", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("%s was written again: %s → %s", k, v, after[k])
		}
	}
}

// The sync finds payouts no webhook announced, skips those already stored
// as read, and keeps its mark per account.
func TestSync_FindsPayoutsAndSkipsStored(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	tenant := partnerTenant(t, db)
	fake, kl := newFake(t)
	now := time.Date(2025, 9, 15, 6, 0, 0, 0, time.UTC)
	ing := settlement.NewIngester(settlement.IngestOptions{Store: db.SettlementIngest(), Klarna: kl, Now: func() time.Time { return now }})
	ctx := context.Background()
	if err := ing.Ingest(ctx, settlement.IngestRequest{PaymentReference: "KLTEST01", KlarnaAccountID: account, TenantID: tenant}); err != nil {
		t.Fatal(err)
	}
	before := rowVersions(t, db)
	n, err := ing.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("the sync stored %d payouts, want the one no webhook announced", n)
	}
	after := rowVersions(t, db)
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("the sync rewrote %s", k)
		}
	}
	// The payout with a line type no total covers does not reconcile: the
	// settlement amount differs from its known lines by that line.
	p := readPayout(t, db, "KLTEST02")
	if p.Reconciled == nil || *p.Reconciled || p.Difference != -500 || p.Mismatches["settlement_amount"] != (settlement.TypeDifference{Reported: 9500, Lines: 10000}) {
		t.Fatalf("KLTEST02 %+v", p)
	}
	var typ string
	if err := db.Pool.QueryRow(ctx, `SELECT type FROM settlement_lines WHERE payment_reference = 'KLTEST02' AND seq = 1`).Scan(&typ); err != nil || typ != "REVENUE_SHARE" {
		t.Fatalf("the unknown type was not kept: %q %v", typ, err)
	}
	var mark time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT synced_through FROM settlement_sync WHERE klarna_account_id = $1`, account).Scan(&mark); err != nil || !mark.Equal(now) {
		t.Fatalf("sync mark %v %v", mark, err)
	}
	// A second sync reads the list only: both payouts are stored as read.
	calls := fake.calls.Load()
	if n, err := ing.Sync(ctx); err != nil || n != 0 {
		t.Fatalf("second sync: %d %v", n, err)
	}
	if c := fake.calls.Load() - calls; c != 1 {
		t.Fatalf("the second sync made %d calls, want the one list", c)
	}
}

// A payout stays with the partner it was stored for: a report of it for
// another account is refused and changes nothing.
func TestIngest_PayoutNeverMovesBetweenPartners(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	owner := partnerTenant(t, db)
	other := uuid.New()
	ctx := t.Context()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO tenants (id, kind, slug, name) VALUES ($1, 'partner', 'other-test', 'Other AB')`, other); err != nil {
		t.Fatal(err)
	}
	_, kl := newFake(t)
	ing := settlement.NewIngester(settlement.IngestOptions{Store: db.SettlementIngest(), Klarna: kl})
	if err := ing.Ingest(ctx, settlement.IngestRequest{PaymentReference: "KLTEST01", KlarnaAccountID: account, TenantID: owner}); err != nil {
		t.Fatal(err)
	}
	before := rowVersions(t, db)
	err := ing.Ingest(ctx, settlement.IngestRequest{PaymentReference: "KLTEST01", KlarnaAccountID: "krn:partner:global:account:test:OTHER01", TenantID: other})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("ingest for another partner: %v, want a conflict", err)
	}
	var tenants int
	if err := db.Pool.QueryRow(ctx, `SELECT count(DISTINCT tenant_id) FROM settlement_lines WHERE tenant_id <> $1`, owner).Scan(&tenants); err != nil || tenants != 0 {
		t.Fatalf("lines of another tenant: %d %v", tenants, err)
	}
	after := rowVersions(t, db)
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("%s was written", k)
		}
	}
}

// The payment reference a settlement event names: the simulator's field,
// or a link's (the documented payload carries links to the reports).
func TestReferenceOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		payload string
		want    string
	}{
		{"Field", `{"payment_reference": "KLAB12CD", "links": {}}`, "KLAB12CD"},
		{"PayoutLink", `{"links": {"payout": "https://api.playground.klarna.com/settlements/v1/payouts/KLZZ99YY"}}`, "KLZZ99YY"},
		{"TransactionsLink", `{"links": {"transactions": "https://api.playground.klarna.com/settlements/v1/transactions?payment_reference=KLQQ11RR"}}`, "KLQQ11RR"},
		{"CSVLink", `{"links": {"csv": "https://api.playground.klarna.com/settlements/v1/reports/payout-with-transactions?payment_reference=KLCS00VV"}}`, "KLCS00VV"},
		{"NoneNamed", `{"settlement_id": "krn:partner:global:settlement:test:a1b2", "links": {"settlement": "https://api-global.test.klarna.com/v2/settlements/krn:partner:global:settlement:test:a1b2",
			"transactions": "https://api-global.test.klarna.com/v2/settlements/krn:partner:global:settlement:test:a1b2/transactions"}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p klarna.SettlementEventPayload
			if err := json.Unmarshal([]byte(tc.payload), &p); err != nil {
				t.Fatal(err)
			}
			if got := settlement.ReferenceOf(p); got != tc.want {
				t.Fatalf("ReferenceOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// A report that names no payout (the documented payload links the KN
// settlement only) reads the account's payouts around its time.
func TestIngest_ReportWithoutReferenceSyncsItsWindow(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	tenant := partnerTenant(t, db)
	_, kl := newFake(t)
	ing := settlement.NewIngester(settlement.IngestOptions{Store: db.SettlementIngest(), Klarna: kl})
	at := time.Date(2025, 9, 12, 5, 2, 11, 0, time.UTC)
	if err := ing.Ingest(t.Context(), settlement.IngestRequest{KlarnaAccountID: account, TenantID: tenant, At: at}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"KLTEST01", "KLTEST02"} {
		if p := readPayout(t, db, ref); !p.Complete {
			t.Fatalf("%s: %+v", ref, p)
		}
	}
}

// A server that ignores offset (it answers the first page again) ends the
// reading with the lines incomplete, so nothing is read twice and the
// payout is not concluded.
func TestIngest_ServerIgnoringOffset(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	tenant := partnerTenant(t, db)
	f, _ := newFake(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /settlements/v1/payouts/{ref}", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, f.payouts.Payouts[0]) })
	mux.HandleFunc("GET /settlements/v1/transactions", func(w http.ResponseWriter, r *http.Request) {
		all := f.lines["KLTEST01"]
		writeJSON(w, map[string]any{"transactions": all[:4], "pagination": map[string]any{"count": 4, "total": len(all), "offset": 0}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	kl, err := klarna.New(klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1", APIKey: "test", MaxRetryTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ing := settlement.NewIngester(settlement.IngestOptions{Store: db.SettlementIngest(), Klarna: kl, PageSize: 4})
	if err := ing.Ingest(t.Context(), settlement.IngestRequest{PaymentReference: "KLTEST01", KlarnaAccountID: account, TenantID: tenant}); err != nil {
		t.Fatal(err)
	}
	if p := readPayout(t, db, "KLTEST01"); p.Lines != 4 || p.Complete || p.Reconciled != nil {
		t.Fatalf("payout %+v: want the 4 lines read, incomplete, not concluded", p)
	}
}
