// Package settlement holds Klarna's settlements as Partner Desk keeps them:
// payouts with their totals, their transaction lines, and whether the lines
// add up (README §9). This file is the read side: the payouts list, a
// payout, its lines, the cross-payout search, the exports and Klarna's own
// reports, every read limited to the caller's scope.
package settlement

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// PayoutFilter narrows the payouts list.
type PayoutFilter struct {
	Tenants    []uuid.UUID
	Currencies []string
	// From and To bound payout_date: From inclusive, To exclusive.
	From, To time.Time
	// Reconciled: nil for all, true for those whose lines add up, false
	// for those that do not (not yet checked payouts are neither).
	Reconciled *bool
}

// Amounts are a payout's main totals in minor units, as Klarna reported them.
type Amounts struct {
	Sale, Return, Reversal, Fee, Tax, Holdback, Release, Settlement int64
}

// PayoutSummary is one row of the payouts list.
type PayoutSummary struct {
	PaymentReference string
	TenantID         uuid.UUID
	PartnerName      string
	KlarnaAccountID  string
	MerchantID       string
	PayoutDate       time.Time
	Currency         string
	SettlementType   string
	Amounts
	OpeningDebt, ClosingDebt int64
	LineCount                int
	LinesComplete            bool
	Reconciled               *bool
	Difference               int64
}

// CurrencyTotals sums the filtered payouts of one currency.
type CurrencyTotals struct {
	Currency string
	Payouts  int64
	Amounts
}

// Mismatch is one total that its lines do not add up to.
type Mismatch struct {
	Reported int64 `json:"reported"`
	Lines    int64 `json:"lines"`
}

// TypeSum counts and sums a payout's lines of one type.
type TypeSum struct {
	Type      string
	Lines     int64
	Amount    int64
	VATAmount int64
}

// PayoutDetail is a payout with everything its page shows.
type PayoutDetail struct {
	PayoutSummary
	SettlementID string
	// Totals are every total of Klarna's object by its name
	// (sale_amount, repay_amount, …), unknown ones included.
	Totals     map[string]int64
	Mismatches map[string]Mismatch
	ByType     []TypeSum
	IngestedAt time.Time
	UpdatedAt  time.Time
}

// LineFilter narrows a payout's lines.
type LineFilter struct {
	Types                        []string
	OrderID, CaptureID, RefundID string
}

// Line is one stored transaction line with all of Klarna's fields.
type Line struct {
	ID               int64
	PaymentReference string
	TenantID         uuid.UUID
	LineFields
	Extra map[string]any
	// DisputeID is the dispute of reversal_reference when Partner Desk
	// holds it in the line's tenant; "" otherwise.
	DisputeID string
	// PayoutDate and PartnerName are the line's payout's (filled by the
	// search, which answers across payouts).
	PayoutDate  time.Time
	PartnerName string
}

// ReadStore reads settlements, every method limited to a scope in SQL.
type ReadStore interface {
	ListPayouts(ctx context.Context, sc scope.Scope, f PayoutFilter, cursor string, limit int) ([]PayoutSummary, string, error)
	PayoutTotals(ctx context.Context, sc scope.Scope, f PayoutFilter) ([]CurrencyTotals, error)
	StreamPayouts(ctx context.Context, sc scope.Scope, f PayoutFilter, fn func(PayoutSummary) error) error
	// GetPayout reads the payout's row (one index read; ByType is left empty).
	GetPayout(ctx context.Context, sc scope.Scope, ref string) (PayoutDetail, error)
	// PayoutLinesByType sums the payout's lines per type (reads all of them).
	PayoutLinesByType(ctx context.Context, tenant uuid.UUID, ref string) ([]TypeSum, error)
	ListLines(ctx context.Context, sc scope.Scope, ref string, f LineFilter, cursor string, limit int) ([]Line, string, error)
	StreamLines(ctx context.Context, sc scope.Scope, ref string, f LineFilter, fn func(Line) error) error
	SearchLines(ctx context.Context, sc scope.Scope, q, cursor string, limit int) ([]Line, string, error)
	// StatementPartner is the tenant's name and Klarna partner accounts;
	// apperr NotFound outside the scope.
	StatementPartner(ctx context.Context, sc scope.Scope, tenant uuid.UUID) (name string, accounts []string, err error)
	// StatementPayouts are the tenant's payouts dated in [from, to), oldest first.
	StatementPayouts(ctx context.Context, sc scope.Scope, tenant uuid.UUID, from, to time.Time) ([]StatementPayout, error)
	// LastBefore is, per currency, the tenant's last payout dated before t.
	LastBefore(ctx context.Context, sc scope.Scope, tenant uuid.UUID, t time.Time) ([]StatementPayout, error)
	// WeeklyTotals are the payouts' totals per week and currency.
	WeeklyTotals(ctx context.Context, sc scope.Scope, f ChartFilter) ([]WeekTotals, error)
	// ExpectedPayouts are the next payouts the schedule expects, soonest
	// first, from `from` on.
	ExpectedPayouts(ctx context.Context, sc scope.Scope, from time.Time, limit int) ([]ExpectedPayout, error)
}

// ExpectedPayout is a partner's next payout in a currency as its schedule
// tells: the last payout's date plus the gap between its last two.
type ExpectedPayout struct {
	TenantID      uuid.UUID
	PartnerName   string
	Currency      string
	ExpectedAt    time.Time
	Every         time.Duration
	LastReference string
	LastAmount    int64
}

// Reports fetches Klarna's own payout reports (the Klarna client).
type Reports interface {
	PayoutReportCSV(ctx context.Context, paymentReference string, opts ...klarna.CallOption) (*klarna.File, error)
	PayoutReportPDF(ctx context.Context, paymentReference string, opts ...klarna.CallOption) (*klarna.File, error)
	GetPayoutSummary(ctx context.Context, start, end time.Time, currency string, opts ...klarna.CallOption) ([]klarna.PayoutSummary, error)
}

// Reader answers the settlement reads: payouts, lines, the search, Klarna's
// reports, monthly statements and the weekly charts.
type Reader struct {
	store   ReadStore
	reports Reports
}

// NewReader makes the read service; reports may be nil when Klarna is not
// configured (Klarna's own reports then answer 503).
func NewReader(store ReadStore, reports Reports) *Reader {
	return &Reader{store: store, reports: reports}
}

// Payouts is a page of the filtered payouts with the totals of the whole
// filtered set per currency.
func (r *Reader) Payouts(ctx context.Context, sc scope.Scope, f PayoutFilter, cursor string, limit int) ([]PayoutSummary, string, []CurrencyTotals, error) {
	items, next, err := r.store.ListPayouts(ctx, sc, f, cursor, limit)
	if err != nil {
		return nil, "", nil, err
	}
	totals, err := r.store.PayoutTotals(ctx, sc, f)
	if err != nil {
		return nil, "", nil, err
	}
	return items, next, totals, nil
}

// Totals are the totals per currency of the filtered payouts (what the list
// shows above its rows).
func (r *Reader) Totals(ctx context.Context, sc scope.Scope, f PayoutFilter) ([]CurrencyTotals, error) {
	return r.store.PayoutTotals(ctx, sc, f)
}

// Latest are the newest payouts of sc.
func (r *Reader) Latest(ctx context.Context, sc scope.Scope, limit int) ([]PayoutSummary, error) {
	items, _, err := r.store.ListPayouts(ctx, sc, PayoutFilter{}, "", limit)
	return items, err
}

// Expected are the next expected payouts of sc from `from` on (a payout
// expected before `from` and not arrived is late), soonest first.
func (r *Reader) Expected(ctx context.Context, sc scope.Scope, from time.Time, limit int) ([]ExpectedPayout, error) {
	return r.store.ExpectedPayouts(ctx, sc, from, limit)
}

// StreamPayouts calls fn with every filtered payout, in list order.
func (r *Reader) StreamPayouts(ctx context.Context, sc scope.Scope, f PayoutFilter, fn func(PayoutSummary) error) error {
	return r.store.StreamPayouts(ctx, sc, f, fn)
}

// Payout is one payout read in sc; unknown and out-of-scope both answer 404.
func (r *Reader) Payout(ctx context.Context, sc scope.Scope, ref string) (PayoutDetail, error) {
	d, err := r.store.GetPayout(ctx, sc, ref)
	if err != nil {
		return d, err
	}
	d.ByType, err = r.store.PayoutLinesByType(ctx, d.TenantID, ref)
	return d, err
}

// CheckPayout answers NotFound unless the payout exists in sc (one index
// read, before a download starts).
func (r *Reader) CheckPayout(ctx context.Context, sc scope.Scope, ref string) error {
	_, err := r.store.GetPayout(ctx, sc, ref)
	return err
}

// Lines is a page of a payout's lines in Klarna's order.
func (r *Reader) Lines(ctx context.Context, sc scope.Scope, ref string, f LineFilter, cursor string, limit int) ([]Line, string, error) {
	if _, err := r.store.GetPayout(ctx, sc, ref); err != nil {
		return nil, "", err
	}
	return r.store.ListLines(ctx, sc, ref, f, cursor, limit)
}

// StreamLines calls fn with every filtered line of a payout, in order;
// the payout is read first, so an unknown one fails before anything is
// written.
func (r *Reader) StreamLines(ctx context.Context, sc scope.Scope, ref string, f LineFilter, fn func(Line) error) error {
	if _, err := r.store.GetPayout(ctx, sc, ref); err != nil {
		return err
	}
	return r.store.StreamLines(ctx, sc, ref, f, fn)
}

// Search finds lines across payouts by an order, capture or refund id or
// a merchant reference (exact).
func (r *Reader) Search(ctx context.Context, sc scope.Scope, q, cursor string, limit int) ([]Line, string, error) {
	return r.store.SearchLines(ctx, sc, q, cursor, limit)
}

// KlarnaReport fetches Klarna's CSV (pdf false) or PDF of a payout read in
// sc, on behalf of its partner account.
func (r *Reader) KlarnaReport(ctx context.Context, sc scope.Scope, ref string, pdf bool) (*klarna.File, error) {
	p, err := r.store.GetPayout(ctx, sc, ref)
	if err != nil {
		return nil, err
	}
	if r.reports == nil {
		return nil, apperr.E(apperr.Unavailable, "Klarna is not configured, so Klarna's own report cannot be fetched.")
	}
	fetch := r.reports.PayoutReportCSV
	if pdf {
		fetch = r.reports.PayoutReportPDF
	}
	f, err := fetch(ctx, p.PaymentReference, klarna.OnBehalfOf(p.KlarnaAccountID))
	var ke *klarna.Error
	if errors.As(err, &ke) && ke.HTTPStatus == 404 {
		return nil, apperr.E(apperr.NotFound, "Klarna has no report for this payout.")
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}
