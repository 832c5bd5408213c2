package httpapi_test

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// settlementFixture is testdata/settlements/payouts.json: payouts and
// lines as Klarna's Settlements API returns them, with the reconciliation
// result ingest would have stored.
type settlementFixture struct {
	Payouts []struct {
		Tenant          string            `json:"tenant"`
		KlarnaAccountID string            `json:"klarna_account_id"`
		Reconciled      *bool             `json:"reconciled"`
		Difference      int64             `json:"difference"`
		Mismatches      json.RawMessage   `json:"mismatches"`
		Payout          json.RawMessage   `json:"payout"`
		Transactions    []json.RawMessage `json:"transactions"`
	} `json:"payouts"`
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// seedSettlements inserts the fixture's payouts and lines by SQL (the
// ingest of issue 12 is another piece of work; this is what it stores).
func seedSettlements(t *testing.T, a *apptest.App) {
	t.Helper()
	raw, err := os.ReadFile("testdata/settlements/payouts.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx settlementFixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	ctx, db := t.Context(), a.DB.SQL()
	for _, fp := range fx.Payouts {
		tn, err := a.DB.Identity().TenantBySlug(ctx, fp.Tenant)
		if err != nil {
			t.Fatal(err)
		}
		var p klarna.Payout
		if err := json.Unmarshal(fp.Payout, &p); err != nil {
			t.Fatal(err)
		}
		tt := p.Totals
		_, err = db.ExecContext(ctx, `INSERT INTO payouts (payment_reference, tenant_id, klarna_account_id, merchant_id, payout_date, currency,
			settlement_type, sale_amount, return_amount, reversal_amount, fee_amount, tax_amount, holdback_amount, release_amount,
			settlement_amount, opening_debt_amount, closing_debt_amount, object, line_count, lines_complete, reconciled, difference, mismatches)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, true, $20, $21, $22)`,
			p.PaymentReference, tn.ID, fp.KlarnaAccountID, p.MerchantID, p.PayoutDate.Time, p.CurrencyCode, p.MerchantSettlementType,
			tt.SaleAmount, tt.ReturnAmount, tt.ReversalAmount, tt.FeeAmount, deref(tt.TaxAmount), tt.HoldbackAmount, tt.ReleaseAmount,
			tt.SettlementAmount, tt.OpeningDebtBalanceAmount, tt.ClosingDebtBalanceAmount, string(fp.Payout), len(fp.Transactions),
			fp.Reconciled, fp.Difference, string(fp.Mismatches))
		if err != nil {
			t.Fatal(err)
		}
		for seq, rawLine := range fp.Transactions {
			var l klarna.Transaction
			if err := json.Unmarshal(rawLine, &l); err != nil {
				t.Fatal(err)
			}
			capture := ""
			if l.CaptureID != nil {
				capture = *l.CaptureID
			}
			_, err := db.ExecContext(ctx, `INSERT INTO settlement_lines (payment_reference, tenant_id, line_key, seq, type, detailed_type, amount, currency,
				vat_rate, vat_amount, tax_in_registration_currency, registration_currency, sale_date, capture_date, order_id, short_order_id,
				capture_id, refund_id, merchant_reference1, merchant_reference2, merchant_capture_reference, merchant_refund_reference,
				purchase_country, shipping_country, initial_payment_method_type, initial_number_of_installments,
				initial_payment_method_monthly_downpayments, klarna_comment, reversal_reference)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)`,
				p.PaymentReference, tn.ID, fmt.Sprintf("fixture-%d", seq), seq, l.Type, l.DetailedType, l.Amount, l.CurrencyCode,
				l.VATRate, l.VATAmount, l.TaxInCurrencyOfRegistrationCountry, l.CurrencyCodeOfRegistrationCountry, l.SaleDate.Time, l.CaptureDate.Time,
				l.OrderID, l.ShortOrderID, capture, l.RefundID, l.MerchantReference1, l.MerchantReference2, l.MerchantCaptureReference,
				l.MerchantRefundReference, l.PurchaseCountry, l.ShippingCountry, l.InitialPaymentMethodType, l.InitialNumberOfInstallments,
				l.InitialPaymentMethodMonthlyDownpayments, l.KlarnaComment, l.ReversalReference)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}
