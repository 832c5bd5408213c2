package settlement

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// ChartFilter narrows the settlement charts: payouts dated in [From, To),
// of Tenants (within the caller's scope; all of it when empty) and Currency.
type ChartFilter struct {
	From, To time.Time
	Tenants  []uuid.UUID
	Currency string
}

// WeekTotals sums one currency's payouts of one week (Monday, UTC), in
// minor units as Klarna reported them.
type WeekTotals struct {
	Week        string // YYYY-MM-DD of the Monday
	Currency    string
	Payouts     int64
	Net         int64 // settlement amounts, negative ones included
	Sales       int64
	Fees        int64
	Tax         int64
	Returns     int64
	Chargebacks int64 // reversal amounts
}

// FeeShare is fees and tax on fees as a share (0–1) of sales; nil without sales.
func (w WeekTotals) FeeShare() *float64 {
	if w.Sales == 0 {
		return nil
	}
	r := float64(w.Fees+w.Tax) / float64(w.Sales)
	return &r
}

// WeeklyTotals are the weekly totals of the payouts in sc the filter keeps.
func (r *Reader) WeeklyTotals(ctx context.Context, sc scope.Scope, f ChartFilter) ([]WeekTotals, error) {
	return r.store.WeeklyTotals(ctx, sc, f)
}
