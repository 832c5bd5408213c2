package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// readStatement reads partner and month, builds the statement in the
// caller's scope and writes the problem when it cannot.
func (s *server) readStatement(c *gin.Context) (settlement.Statement, bool) {
	var fe filterErrors
	partner, err := uuid.Parse(c.Query("partner"))
	if err != nil {
		fe.add("partner", "a partner (tenant) id")
	}
	month, err := time.Parse("2006-01", c.Query("month"))
	if err != nil {
		fe.add("month", "a month such as 2026-11")
	}
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return settlement.Statement{}, false
	}
	st, err := s.opts.Settlements.Statement(c.Request.Context(), scopeOf(c), partner, month)
	if err != nil {
		writeProblem(c, err)
		return st, false
	}
	return st, true
}

func (s *server) getSettlementStatement(c *gin.Context) {
	st, ok := s.readStatement(c)
	if !ok {
		return
	}
	out := apigen.SettlementStatement{PartnerId: st.TenantID, PartnerName: st.PartnerName, Month: st.Month.Format("2006-01"), Currencies: []apigen.CurrencyStatement{}}
	for _, cs := range st.Currencies {
		dto := apigen.CurrencyStatement{Currency: cs.Currency, OpeningDebt: cs.OpeningDebt, ClosingDebt: cs.ClosingDebt, Paid: cs.Totals.Paid, Net: cs.Totals.Settlement,
			Payouts: []apigen.StatementPayout{}, Breaks: append([]string{}, cs.Breaks...), Unreconciled: append([]string{}, cs.Unreconciled...)}
		if k := cs.Klarna; k != nil {
			dto.KlarnaSummary = &apigen.KlarnaPayoutSummary{SettlementAmount: k.Settlement, SaleAmount: k.Sale, ReturnAmount: k.Return, ReversalAmount: k.Reversal,
				FeeAmount: k.Fee, TaxAmount: k.Tax, HoldbackAmount: k.Holdback, ReleaseAmount: k.Release, Difference: k.Difference}
		}
		t := cs.Totals
		dto.Totals.SaleAmount, dto.Totals.ReturnAmount, dto.Totals.ReversalAmount, dto.Totals.FeeAmount = t.Sale, t.Return, t.Reversal, t.Fee
		dto.Totals.TaxAmount, dto.Totals.HoldbackAmount, dto.Totals.ReleaseAmount = t.Tax, t.Holdback, t.Release
		for _, p := range cs.Payouts {
			dto.Payouts = append(dto.Payouts, apigen.StatementPayout{PaymentReference: p.PaymentReference, PayoutDate: p.PayoutDate.UTC(), Currency: p.Currency,
				SettlementType: p.SettlementType, SaleAmount: p.Sale, ReturnAmount: p.Return, ReversalAmount: p.Reversal, FeeAmount: p.Fee, TaxAmount: p.Tax,
				HoldbackAmount: p.Holdback, ReleaseAmount: p.Release, SettlementAmount: p.Settlement, OpeningDebtAmount: p.OpeningDebt,
				ClosingDebtAmount: p.ClosingDebt, Reconciled: p.Reconciled})
		}
		out.Currencies = append(out.Currencies, dto)
	}
	if st.KlarnaError != "" {
		out.KlarnaSummaryError = &st.KlarnaError
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) exportSettlementStatementPDF(c *gin.Context) {
	st, ok := s.readStatement(c)
	if !ok {
		return
	}
	// Rendered whole before the first byte, so a failure is still a problem answer.
	var buf bytes.Buffer
	if err := settlement.WriteStatementPDF(&buf, st, time.Now()); err != nil {
		writeProblem(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="statement-`+st.Month.Format("2006-01")+`-`+st.TenantID.String()+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}
