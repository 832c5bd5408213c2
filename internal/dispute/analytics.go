package dispute

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// AnalyticsFilter selects the disputes the analytics count: those opened in
// [From, To), of these partners (all in scope when empty) and this currency
// (all when empty).
type AnalyticsFilter struct {
	From, To time.Time
	Tenants  []uuid.UUID
	Currency string
}

// WinRate is the outcome of closed disputes in one group (a reason, a
// partner, a month of closing): Rate is Won / (Won + Lost), nil when neither.
type WinRate struct {
	Key, Label string
	Won, Lost  int64
	Rate       *float64
}

// Amounts are the sums, in minor units, of one currency: open disputes'
// amounts (at stake) and closed lost ones' (lost).
type Amounts struct {
	Currency             string
	AtStake, Lost        int64
	OpenCount, LostCount int64
}

// ResponseTime is the time from opening to the partner's first answer of the
// disputes opened in one month (hours).
type ResponseTime struct {
	Month                 string // YYYY-MM
	Answered              int64
	MedianHours, P90Hours float64
}

// WeekStates counts one week (starting Monday, UTC): disputes opened and
// closed in it, and those open at its end.
type WeekStates struct {
	Week                      string // YYYY-MM-DD of the Monday
	Opened, Closed, OpenAtEnd int64
}

// Analytics are the dispute analytics' series.
type Analytics struct {
	ByReason, ByPartner, ByMonth []WinRate
	Amounts                      []Amounts
	ResponseTimes                []ResponseTime
	Weeks                        []WeekStates
}

// AnalyticsStore computes the analytics in the database, scoped in SQL.
type AnalyticsStore interface {
	DisputeAnalytics(ctx context.Context, sc scope.Scope, f AnalyticsFilter) (Analytics, error)
}
