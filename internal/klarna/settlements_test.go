package klarna_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// seedSettlement creates captures, a refund, a lost dispute and an open one
// that holds nothing back (so it must not show in the totals), and runs a
// settlement.
func seedSettlement(t *testing.T, e *env) (partner string, ref string) {
	t.Helper()
	partner = e.operationalPartner("SEK").PartnerAccountID
	for _, amt := range []int64{129900, 45000, 89900} {
		if _, err := e.sim.Capture(partner, amt); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.sim.Refund(partner); err != nil {
		t.Fatal(err)
	}
	lost := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, Amount: 29900})
	e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, Amount: 10000, HoldPolicy: "NONE"})
	if _, err := e.client.AcceptLoss(context.Background(), lost); err != nil {
		t.Fatal(err)
	}
	refs, err := e.sim.RunSettlement(partner)
	if err != nil || len(refs) != 1 {
		t.Fatalf("settlement: %v %v", refs, err)
	}
	return partner, refs[0]
}

func TestSettlements_TotalsAddUpToTransactionLines(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	partner, ref := seedSettlement(t, e)

	p := must[*klarna.Payout](t)(e.client.GetPayout(ctx, ref))
	lines := must[*klarna.TransactionCollection](t)(e.client.ListTransactions(ctx, klarna.ListTransactionsParams{PaymentReference: ref, Size: 500}))
	sums := map[string]int64{}
	var vat int64
	for _, l := range lines.Transactions {
		sums[l.Type] += l.Amount
		if l.VATAmount != nil {
			vat += *l.VATAmount
		}
		if l.PaymentReference != ref || l.Payout == "" {
			t.Fatalf("line not linked to its payout: %+v", l)
		}
	}
	tt := p.Totals
	if tt.SaleAmount != sums["SALE"] || tt.FeeAmount != sums["FEE"] || tt.ReturnAmount != sums["RETURN"] || tt.ReversalAmount != sums["REVERSAL"] ||
		tt.HoldbackAmount != sums["HOLDBACK"] || tt.ReleaseAmount != sums["RELEASE"] || *tt.TaxAmount != vat {
		t.Fatalf("totals %+v do not match line sums %v (vat %d)", tt, sums, vat)
	}
	if tt.ReversalAmount != 29900 || tt.HoldbackAmount != 29900 || tt.ReleaseAmount != 29900 {
		t.Fatalf("only the lost dispute may move money (the open one holds nothing back): %+v", tt)
	}
	net := tt.SaleAmount - tt.ReturnAmount - tt.ReversalAmount - tt.FeeAmount - *tt.TaxAmount + tt.FeeRefundAmount - tt.HoldbackAmount + tt.ReleaseAmount
	if tt.OpeningDebtBalanceAmount != 0 || tt.ClosingDebtBalanceAmount != 0 || net <= 0 {
		t.Fatalf("expected a positive settlement without debt: %+v", tt)
	}
	if tt.SettlementAmount != net {
		t.Fatalf("settlement %d, want %d", tt.SettlementAmount, net)
	}

	list := must[*klarna.PayoutCollection](t)(e.client.ListPayouts(ctx, klarna.ListPayoutsParams{PartnerAccountID: partner}))
	if len(list.Payouts) != 1 || list.Pagination.Count != 1 {
		t.Fatalf("payouts = %+v", list.Pagination)
	}
	now := e.sim.Clock().Now()
	sum := must[[]klarna.PayoutSummary](t)(e.client.GetPayoutSummary(ctx, now.AddDate(0, 0, -2), now.AddDate(0, 0, 1), "SEK"))
	if len(sum) != 1 || sum[0].SummaryTotalSettlementAmount != tt.SettlementAmount {
		t.Fatalf("summary = %+v", sum)
	}
	_, err := e.client.GetPayout(ctx, "KLNOPE00")
	wantCode(t, err, apperr.NotFound)
	var ke *klarna.Error
	if !errorsAs(err, &ke) || ke.CorrelationID == "" || ke.ErrorMessage == "" {
		t.Fatalf("legacy error shape not decoded: %+v", ke)
	}
}

func TestSettlements_OffsetPaging(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	partner := e.operationalPartner("EUR").PartnerAccountID
	for range 30 {
		if _, err := e.sim.Capture(partner, 1000); err != nil {
			t.Fatal(err)
		}
	}
	refs, err := e.sim.RunSettlement(partner)
	if err != nil || len(refs) == 0 {
		t.Fatalf("run settlement: refs %v, err %v", refs, err)
	}
	seen := 0
	for off := 0; ; off += 25 {
		page := must[*klarna.TransactionCollection](t)(e.client.ListTransactions(ctx, klarna.ListTransactionsParams{PaymentReference: refs[0], Size: 25, Offset: off}))
		seen += len(page.Transactions)
		if *page.Pagination.Total != 60 {
			t.Fatalf("total %d", *page.Pagination.Total)
		}
		if page.Pagination.Next == "" {
			break
		}
	}
	if seen != 60 {
		t.Fatalf("paged %d lines", seen)
	}
	_, err = e.client.ListTransactions(ctx, klarna.ListTransactionsParams{Size: 501})
	wantCode(t, err, apperr.Invalid)
}

func TestSettlements_Reports(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, ref := seedSettlement(t, e)
	csvFile := must[*klarna.File](t)(e.client.PayoutReportCSV(ctx, ref))
	rows, err := csv.NewReader(bytes.NewReader(csvFile.Data)).ReadAll()
	if err != nil || len(rows) < 5 || rows[0][1] != "payment_reference" || !strings.HasPrefix(csvFile.ContentType, "text/csv") {
		t.Fatalf("csv %q: %d rows %v", csvFile.ContentType, len(rows), err)
	}
	var total int64
	for _, r := range rows[1:] {
		n, _ := strconv.ParseInt(r[4], 10, 64)
		if r[2] == "SALE" {
			total += n
		}
	}
	p := must[*klarna.Payout](t)(e.client.GetPayout(ctx, ref))
	if total != p.Totals.SaleAmount {
		t.Fatalf("csv sales %d != %d", total, p.Totals.SaleAmount)
	}
	pdfFile := must[*klarna.File](t)(e.client.PayoutReportPDF(ctx, ref))
	if !bytes.HasPrefix(pdfFile.Data, []byte("%PDF-")) || !bytes.Contains(pdfFile.Data, []byte("%%EOF")) || pdfFile.ContentType != "application/pdf" {
		t.Fatalf("pdf %q %q", pdfFile.ContentType, pdfFile.Data[:16])
	}
	now := e.sim.Clock().Now()
	must[*klarna.File](t)(e.client.PayoutsSummaryReportCSV(ctx, now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)))
	must[*klarna.File](t)(e.client.PayoutsSummaryReportPDF(ctx, now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)))
	_, err = e.client.PayoutReportCSV(ctx, "")
	wantCode(t, err, apperr.Invalid)
}

// TestSettlements_ResponsesMatchSpec validates the simulator's settlement
// responses against this repository's description of them
// (testdata/settlements-v1-responses.yml) and, when the shared notes are
// present, against the derived Settlements v1 OpenAPI description too.
func TestSettlements_ResponsesMatchSpec(t *testing.T) {
	specs := []string{"testdata/settlements-v1-responses.yml"}
	if shared := "../../../shared/klarna/specs/klarna-settlements-api-openapi.yml"; fileExists(shared) {
		specs = append(specs, shared)
	}
	for _, spec := range specs {
		t.Run(filepath.Base(spec), func(t *testing.T) { checkSettlementsAgainst(t, spec) })
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func checkSettlementsAgainst(t *testing.T, spec string) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("%s is not a valid OpenAPI document: %v", spec, err)
	}
	e := newEnv(t)
	_, ref := seedSettlement(t, e)
	now := e.sim.Clock().Now()
	q := "?start_date=" + now.AddDate(0, 0, -2).Format(time.RFC3339) + "&end_date=" + now.AddDate(0, 0, 1).Format(time.RFC3339)
	cases := []struct {
		specPath, url string
		status        int
	}{
		{"/payouts", "/payouts", 200},
		{"/payouts", "/payouts?size=0", 400},
		{"/payouts/{payment_reference}", "/payouts/" + ref, 200},
		{"/payouts/{payment_reference}", "/payouts/NOPE", 404},
		{"/payouts/summary", "/payouts/summary" + q, 200},
		{"/payouts/summary", "/payouts/summary", 400},
		{"/transactions", "/transactions?payment_reference=" + ref, 200},
		{"/transactions", "/transactions", 200},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.srv.URL+"/settlements/v1"+c.url, nil)
			req.Header.Set("Authorization", "Basic "+e.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			item := doc.Paths.Find(c.specPath)
			if item == nil || item.Get == nil {
				t.Fatalf("spec has no GET %s", c.specPath)
			}
			rr := item.Get.Responses.Status(c.status)
			if rr == nil {
				t.Fatalf("spec has no %d response for %s", c.status, c.specPath)
			}
			schema := rr.Value.Content.Get("application/json").Schema.Value
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			if err := schema.VisitJSON(v); err != nil {
				t.Fatalf("response does not match the spec: %v\n%s", err, body)
			}
		})
	}
}
