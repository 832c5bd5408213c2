package httpapi

import (
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// payoutFilter reads the payouts list's filters; every bad one is
// reported at once.
func payoutFilter(c *gin.Context, fe *filterErrors) settlement.PayoutFilter {
	q := c.Request.URL.Query()
	f := settlement.PayoutFilter{Currencies: q["currency"]}
	f.Tenants = fe.partners(q["partner"])
	for _, cur := range f.Currencies {
		if len(strings.TrimSpace(cur)) != 3 {
			fe.add("currency", "a three-letter currency code (EUR)")
			break
		}
	}
	f.From, f.To = fe.dateParam(c.Query, "from", false), fe.dateParam(c.Query, "to", true)
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		fe.add("to", "must be after from")
	}
	switch v := c.Query("reconciled"); v {
	case "":
	case "true", "false":
		b := v == "true"
		f.Reconciled = &b
	default:
		fe.add("reconciled", "true or false")
	}
	return f
}

// lineFilter reads a payout's lines filters.
func lineFilter(c *gin.Context, fe *filterErrors) settlement.LineFilter {
	f := settlement.LineFilter{Types: c.QueryArray("type"), OrderID: c.Query("order_id"), CaptureID: c.Query("capture_id"), RefundID: c.Query("refund_id")}
	for name, v := range map[string]string{"order_id": f.OrderID, "capture_id": f.CaptureID, "refund_id": f.RefundID} {
		if len(v) > 255 {
			fe.add(name, "at most 255 characters")
		}
	}
	for _, t := range f.Types {
		if t == "" || len(t) > 64 {
			fe.add("type", "a line type such as SALE or FEE")
			break
		}
	}
	return f
}

func payoutSummaryDTO(p settlement.PayoutSummary) apigen.PayoutSummary {
	return apigen.PayoutSummary{PaymentReference: p.PaymentReference, TenantId: p.TenantID, PartnerName: p.PartnerName, MerchantId: p.MerchantID,
		PayoutDate: p.PayoutDate, Currency: p.Currency, SettlementType: p.SettlementType, SaleAmount: p.Sale, ReturnAmount: p.Return,
		ReversalAmount: p.Reversal, FeeAmount: p.Fee, TaxAmount: p.Tax, HoldbackAmount: p.Holdback, ReleaseAmount: p.Release,
		SettlementAmount: p.Settlement, LineCount: p.LineCount, LinesComplete: p.LinesComplete, Reconciled: p.Reconciled, Difference: p.Difference}
}

func settlementLineDTO(l settlement.Line, search bool) apigen.SettlementLine {
	out := apigen.SettlementLine{Id: l.ID, PaymentReference: l.PaymentReference, TenantId: l.TenantID, Seq: l.Seq, Type: l.Type,
		DetailedType: l.DetailedType, Amount: l.Amount, Currency: l.Currency, VatRate: l.VATRate, VatAmount: l.VATAmount,
		TaxInRegistrationCurrency: l.TaxInRegistrationCurrency, RegistrationCurrency: l.RegistrationCurrency, SaleDate: l.SaleDate,
		CaptureDate: l.CaptureDate, OrderId: l.OrderID, ShortOrderId: l.ShortOrderID, CaptureId: l.CaptureID, RefundId: l.RefundID,
		MerchantReference1: l.MerchantReference1, MerchantReference2: l.MerchantReference2, MerchantCaptureReference: l.MerchantCaptureReference,
		MerchantRefundReference: l.MerchantRefundReference, PurchaseCountry: l.PurchaseCountry, ShippingCountry: l.ShippingCountry,
		InitialPaymentMethodType: l.InitialPaymentMethodType, InitialNumberOfInstallments: l.InitialNumberOfInstallments,
		InitialPaymentMethodMonthlyDownpayments: l.InitialMonthlyDownpayments, KlarnaComment: l.KlarnaComment,
		ReversalReference: l.ReversalReference, DisputeId: l.DisputeID}
	if len(l.Extra) > 0 {
		extra := l.Extra
		out.Extra = &extra
	}
	if search {
		at, name := l.PayoutDate, l.PartnerName
		out.PayoutDate, out.PartnerName = &at, &name
	}
	return out
}

func (s *server) listPayouts(c *gin.Context) {
	var fe filterErrors
	limit := fe.limit(c.Query)
	f := payoutFilter(c, &fe)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	items, next, totals, err := s.opts.Settlements.Payouts(c.Request.Context(), scopeOf(c), f, c.Query("cursor"), limit)
	if err != nil {
		writeProblem(c, err)
		return
	}
	page := apigen.PayoutPage{Items: make([]apigen.PayoutSummary, 0, len(items)), NextCursor: next, Totals: make([]apigen.PayoutCurrencyTotals, 0, len(totals))}
	for _, p := range items {
		page.Items = append(page.Items, payoutSummaryDTO(p))
	}
	for _, t := range totals {
		page.Totals = append(page.Totals, apigen.PayoutCurrencyTotals{Currency: t.Currency, Payouts: t.Payouts, SaleAmount: t.Sale, ReturnAmount: t.Return,
			ReversalAmount: t.Reversal, FeeAmount: t.Fee, TaxAmount: t.Tax, HoldbackAmount: t.Holdback, ReleaseAmount: t.Release, SettlementAmount: t.Settlement})
	}
	c.JSON(http.StatusOK, page)
}

func (s *server) getPayout(c *gin.Context) {
	d, err := s.opts.Settlements.Payout(c.Request.Context(), scopeOf(c), c.Param("payout"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.PayoutDetail{Payout: payoutSummaryDTO(d.PayoutSummary), KlarnaAccountId: d.KlarnaAccountID, SettlementId: d.SettlementID,
		Totals: d.Totals, OpeningDebtAmount: d.OpeningDebt, ClosingDebtAmount: d.ClosingDebt, Mismatches: make([]apigen.PayoutMismatch, 0, len(d.Mismatches)),
		LineTypes: make([]apigen.PayoutLineType, 0, len(d.ByType)), IngestedAt: d.IngestedAt, UpdatedAt: d.UpdatedAt}
	for name, m := range d.Mismatches {
		out.Mismatches = append(out.Mismatches, apigen.PayoutMismatch{Total: name, Reported: m.Reported, Lines: m.Lines})
	}
	sort.Slice(out.Mismatches, func(i, j int) bool { return out.Mismatches[i].Total < out.Mismatches[j].Total })
	for _, t := range d.ByType {
		out.LineTypes = append(out.LineTypes, apigen.PayoutLineType{Type: t.Type, Lines: t.Lines, Amount: t.Amount, VatAmount: t.VATAmount})
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) writeLinePage(c *gin.Context, lines []settlement.Line, next string, err error, search bool) {
	if err != nil {
		writeProblem(c, err)
		return
	}
	page := apigen.SettlementLinePage{Items: make([]apigen.SettlementLine, 0, len(lines)), NextCursor: next}
	for _, l := range lines {
		page.Items = append(page.Items, settlementLineDTO(l, search))
	}
	c.JSON(http.StatusOK, page)
}

func (s *server) listPayoutLines(c *gin.Context) {
	var fe filterErrors
	limit := fe.limit(c.Query)
	f := lineFilter(c, &fe)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	lines, next, err := s.opts.Settlements.Lines(c.Request.Context(), scopeOf(c), c.Param("payout"), f, c.Query("cursor"), limit)
	s.writeLinePage(c, lines, next, err, false)
}

func (s *server) searchSettlementLines(c *gin.Context) {
	var fe filterErrors
	limit := fe.limit(c.Query)
	q := strings.TrimSpace(c.Query("q"))
	switch {
	case q == "":
		fe.add("q", "an order id, capture id, refund id or merchant reference")
	case len(q) > 255:
		fe.add("q", "at most 255 characters")
	}
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	lines, next, err := s.opts.Settlements.Search(c.Request.Context(), scopeOf(c), q, c.Query("cursor"), limit)
	s.writeLinePage(c, lines, next, err, true)
}

// csvStream writes a streamed CSV download: the header, then each row as
// it is read, flushed to the client every flushEvery rows, so memory
// stays flat whatever the row count.
type csvStream struct {
	c *gin.Context
	w *csv.Writer
	n int
}

const flushEvery = 2000

func startCSV(c *gin.Context, name string, header []string) *csvStream {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	st := &csvStream{c: c, w: csv.NewWriter(c.Writer)}
	_ = st.w.Write(header)
	return st
}

func (st *csvStream) row(rec []string) error {
	if err := st.w.Write(rec); err != nil {
		return err
	}
	if st.n++; st.n%flushEvery == 0 {
		st.w.Flush()
		if err := st.w.Error(); err != nil {
			return err
		}
		st.c.Writer.Flush()
	}
	return nil
}

func (st *csvStream) end(what string, err error) {
	st.w.Flush()
	if err != nil {
		loggerFrom(st.c).Error(what+" export interrupted", "error", err, "rows", st.n)
	}
}

// payoutCSVHeader are the payouts export's columns (docs/settlements-csv.md).
var payoutCSVHeader = []string{"payment_reference", "partner", "partner_tenant_id", "merchant_id", "payout_date", "currency", "settlement_type",
	"sale_amount", "return_amount", "reversal_amount", "fee_amount", "tax_amount", "holdback_amount", "release_amount", "settlement_amount",
	"settlement_amount_decimal", "opening_debt_amount", "closing_debt_amount", "line_count", "reconciled", "difference"}

func (s *server) exportPayouts(c *gin.Context) {
	var fe filterErrors
	f := payoutFilter(c, &fe)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	st := startCSV(c, "payouts", payoutCSVHeader)
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	err := s.opts.Settlements.StreamPayouts(c.Request.Context(), scopeOf(c), f, func(p settlement.PayoutSummary) error {
		rec := ""
		if p.Reconciled != nil {
			rec = strconv.FormatBool(*p.Reconciled)
		}
		return st.row([]string{csvSafe(p.PaymentReference), csvSafe(p.PartnerName), p.TenantID.String(), csvSafe(p.MerchantID),
			p.PayoutDate.UTC().Format(time.RFC3339), csvSafe(p.Currency), csvSafe(p.SettlementType), i64(p.Sale), i64(p.Return), i64(p.Reversal),
			i64(p.Fee), i64(p.Tax), i64(p.Holdback), i64(p.Release), i64(p.Settlement), decimalAmount(p.Settlement, p.Currency),
			i64(p.OpeningDebt), i64(p.ClosingDebt), strconv.Itoa(p.LineCount), rec, i64(p.Difference)})
	})
	st.end("payouts", err)
}

// lineCSVHeader are the lines export's columns (docs/settlements-csv.md):
// Klarna's Transaction fields, with amount_decimal and the linked dispute.
var lineCSVHeader = []string{"payment_reference", "seq", "type", "detailed_type", "amount", "amount_decimal", "currency", "vat_rate", "vat_amount",
	"tax_in_registration_currency", "registration_currency", "sale_date", "capture_date", "order_id", "short_order_id", "capture_id", "refund_id",
	"merchant_reference1", "merchant_reference2", "merchant_capture_reference", "merchant_refund_reference", "purchase_country",
	"shipping_country", "initial_payment_method_type", "initial_number_of_installments", "initial_payment_method_monthly_downpayments",
	"klarna_comment", "reversal_reference", "dispute_id"}

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func (s *server) exportPayoutLines(c *gin.Context) {
	var fe filterErrors
	f := lineFilter(c, &fe)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	ctx, ref := c.Request.Context(), c.Param("payout")
	if err := s.opts.Settlements.CheckPayout(ctx, scopeOf(c), ref); err != nil {
		writeProblem(c, err)
		return
	}
	st := startCSV(c, "payout-"+csvFileName(ref)+"-lines", lineCSVHeader)
	rec := make([]string, len(lineCSVHeader))
	err := s.opts.Settlements.StreamLines(ctx, scopeOf(c), ref, f, func(l settlement.Line) error {
		rec = append(rec[:0], csvSafe(l.PaymentReference), strconv.Itoa(l.Seq), csvSafe(l.Type), csvSafe(l.DetailedType),
			strconv.FormatInt(l.Amount, 10), decimalAmount(l.Amount, l.Currency), csvSafe(l.Currency), optInt(l.VATRate), optInt(l.VATAmount),
			optInt(l.TaxInRegistrationCurrency), csvSafe(l.RegistrationCurrency), csvTime(l.SaleDate), csvTime(l.CaptureDate),
			csvSafe(l.OrderID), csvSafe(l.ShortOrderID), csvSafe(l.CaptureID), csvSafe(l.RefundID), csvSafe(l.MerchantReference1),
			csvSafe(l.MerchantReference2), csvSafe(l.MerchantCaptureReference), csvSafe(l.MerchantRefundReference), csvSafe(l.PurchaseCountry),
			csvSafe(l.ShippingCountry), csvSafe(l.InitialPaymentMethodType), optInt(l.InitialNumberOfInstallments),
			optInt(l.InitialMonthlyDownpayments), csvSafe(l.KlarnaComment), csvSafe(l.ReversalReference), csvSafe(l.DisputeID))
		return st.row(rec)
	})
	st.end("payout lines", err)
}

// csvFileName keeps a payment reference's letters, digits, '-' and '_'.
func csvFileName(ref string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
			return r
		}
		return -1
	}, ref)
}

// klarnaReport passes Klarna's own CSV or PDF of a payout through.
func (s *server) klarnaReport(pdf bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ref := c.Param("payout")
		f, err := s.opts.Settlements.KlarnaReport(c.Request.Context(), scopeOf(c), ref, pdf)
		if err != nil {
			writeProblem(c, err)
			return
		}
		ct, ext := "text/csv; charset=utf-8", ".csv"
		if pdf {
			ct, ext = "application/pdf", ".pdf"
		}
		if f.ContentType != "" {
			ct = f.ContentType
		}
		c.Header("Content-Disposition", `attachment; filename="klarna-payout-`+csvFileName(ref)+ext+`"`)
		c.Header("X-Content-Type-Options", "nosniff")
		c.Data(http.StatusOK, ct, f.Data)
	}
}
