package klarna

import "time"

// Totals of a payout in minor units (README §9.3). The optional fields are pointers.
type Totals struct {
	CommissionAmount         int64  `json:"commission_amount"`
	RepayAmount              int64  `json:"repay_amount"`
	SaleAmount               int64  `json:"sale_amount"`
	HoldbackAmount           int64  `json:"holdback_amount"`
	TaxAmount                *int64 `json:"tax_amount,omitempty"`
	SettlementAmount         int64  `json:"settlement_amount"`
	FeeCorrectionAmount      *int64 `json:"fee_correction_amount,omitempty"`
	ReversalAmount           int64  `json:"reversal_amount"`
	ReleaseAmount            int64  `json:"release_amount"`
	ReturnAmount             int64  `json:"return_amount"`
	FeeAmount                int64  `json:"fee_amount"`
	ChargeAmount             int64  `json:"charge_amount"`
	CreditAmount             int64  `json:"credit_amount"`
	FeeRefundAmount          int64  `json:"fee_refund_amount"`
	TaxRefundAmount          int64  `json:"tax_refund_amount"`
	DepositAmount            int64  `json:"deposit_amount"`
	OpeningDebtBalanceAmount int64  `json:"opening_debt_balance_amount"`
	ClosingDebtBalanceAmount int64  `json:"closing_debt_balance_amount"`
	CommissionReversalAmount *int64 `json:"commission_reversal_amount,omitempty"`
	Extra                    Extra  `json:"-"`
}

// Payout is one settlement payout (Settlements v1).
type Payout struct {
	Totals                            Totals    `json:"totals"`
	PaymentReference                  string    `json:"payment_reference"`
	PayoutDate                        Timestamp `json:"payout_date"`
	CurrencyCode                      string    `json:"currency_code"`
	CurrencyCodeOfRegistrationCountry string    `json:"currency_code_of_registration_country,omitempty"`
	MerchantSettlementType            string    `json:"merchant_settlement_type"`
	MerchantID                        string    `json:"merchant_id"`
	Transactions                      string    `json:"transactions,omitempty"`
	Extra                             Extra     `json:"-"`
}

// OffsetPagination is the Settlements v1 paging object.
type OffsetPagination struct {
	Count  int64  `json:"count"`
	Total  *int64 `json:"total,omitempty"`
	Next   string `json:"next,omitempty"`
	Prev   string `json:"prev,omitempty"`
	Offset *int64 `json:"offset,omitempty"`
	Extra  Extra  `json:"-"`
}

// PayoutCollection is a page of payouts.
type PayoutCollection struct {
	Payouts    []Payout         `json:"payouts"`
	Pagination OffsetPagination `json:"pagination"`
	Extra      Extra            `json:"-"`
}

// PayoutSummary sums payouts per currency over a period.
type PayoutSummary struct {
	SummaryPayoutDateStart               Timestamp `json:"summary_payout_date_start"`
	SummaryPayoutDateEnd                 Timestamp `json:"summary_payout_date_end"`
	SummarySettlementCurrency            string    `json:"summary_settlement_currency"`
	SummaryTotalSettlementAmount         int64     `json:"summary_total_settlement_amount"`
	SummaryTotalSaleAmount               int64     `json:"summary_total_sale_amount"`
	SummaryTotalReturnAmount             int64     `json:"summary_total_return_amount"`
	SummaryTotalReversalAmount           int64     `json:"summary_total_reversal_amount"`
	SummaryTotalFeeAmount                int64     `json:"summary_total_fee_amount"`
	SummaryTotalFeeCorrectionAmount      int64     `json:"summary_total_fee_correction_amount"`
	SummaryTotalCommissionAmount         int64     `json:"summary_total_commission_amount"`
	SummaryTotalTaxAmount                int64     `json:"summary_total_tax_amount"`
	SummaryTotalHoldbackAmount           int64     `json:"summary_total_holdback_amount"`
	SummaryTotalReleaseAmount            int64     `json:"summary_total_release_amount"`
	SummaryTotalRepayAmount              int64     `json:"summary_total_repay_amount"`
	SummaryTotalCommissionReversalAmount *int64    `json:"summary_total_commission_reversal_amount,omitempty"`
	Extra                                Extra     `json:"-"`
}

// Transaction is one settlement line (Settlements v1). Type and DetailedType
// are open enums.
type Transaction struct {
	Amount                                  int64     `json:"amount"`
	CaptureID                               *string   `json:"capture_id,omitempty"`
	MerchantReference1                      string    `json:"merchant_reference1,omitempty"`
	MerchantReference2                      string    `json:"merchant_reference2,omitempty"`
	SaleDate                                Timestamp `json:"sale_date"`
	CaptureDate                             Timestamp `json:"capture_date"`
	Type                                    string    `json:"type"`
	DetailedType                            string    `json:"detailed_type,omitempty"`
	PaymentReference                        string    `json:"payment_reference,omitempty"`
	OrderID                                 string    `json:"order_id"`
	ShortOrderID                            string    `json:"short_order_id,omitempty"`
	Payout                                  string    `json:"payout,omitempty"`
	RefundID                                string    `json:"refund_id,omitempty"`
	CurrencyCode                            string    `json:"currency_code"`
	PurchaseCountry                         string    `json:"purchase_country"`
	ShippingCountry                         string    `json:"shipping_country,omitempty"`
	VATRate                                 *int64    `json:"vat_rate,omitempty"`
	VATAmount                               *int64    `json:"vat_amount,omitempty"`
	InitialPaymentMethodType                string    `json:"initial_payment_method_type,omitempty"`
	InitialNumberOfInstallments             *int64    `json:"initial_number_of_installments,omitempty"`
	InitialPaymentMethodMonthlyDownpayments *int64    `json:"initial_payment_method_monthly_downpayments,omitempty"`
	MerchantCaptureReference                string    `json:"merchant_capture_reference,omitempty"`
	MerchantRefundReference                 string    `json:"merchant_refund_reference,omitempty"`
	TaxInCurrencyOfRegistrationCountry      *int64    `json:"tax_in_currency_of_registration_country,omitempty"`
	CurrencyCodeOfRegistrationCountry       string    `json:"currency_code_of_registration_country,omitempty"`
	KlarnaComment                           string    `json:"klarna_comment,omitempty"`
	ReversalReference                       string    `json:"reversal_reference,omitempty"`
	Extra                                   Extra     `json:"-"`
}

// TransactionCollection is a page of transactions.
type TransactionCollection struct {
	Transactions []Transaction    `json:"transactions"`
	Pagination   OffsetPagination `json:"pagination"`
	Extra        Extra            `json:"-"`
}

// Transaction types (README §9.3).
const (
	TxSale       = "SALE"
	TxReturn     = "RETURN"
	TxReversal   = "REVERSAL"
	TxFee        = "FEE"
	TxFeeRefund  = "FEE_REFUND"
	TxHoldback   = "HOLDBACK"
	TxRelease    = "RELEASE"
	TxCommission = "COMMISSION"
	TxCharge     = "CHARGE"
	TxCredit     = "CREDIT"
	TxTax        = "TAX"
)

// ListPayoutsParams filters getPayouts. PartnerAccountID scopes to one partner.
type ListPayoutsParams struct {
	StartDate, EndDate time.Time
	CurrencyCode       string
	Size, Offset       int
	PartnerAccountID   string
}

// ListTransactionsParams filters getTransactions.
type ListTransactionsParams struct {
	PaymentReference string
	OrderID          string
	Size, Offset     int
	PartnerAccountID string
}
