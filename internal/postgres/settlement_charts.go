package postgres

import (
	"context"

	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// WeeklyTotals implements settlement.ReadStore: one row per week and
// currency, oldest first (a range over payouts_list by payout date).
func (s *SettlementReadStore) WeeklyTotals(ctx context.Context, sc scope.Scope, f settlement.ChartFilter) ([]settlement.WeekTotals, error) {
	cond, args := scopeCond("tenant_id", sc)
	q := `SELECT to_char(date_trunc('week', payout_date AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week, currency, count(*) AS payouts,
		sum(settlement_amount) AS net, sum(sale_amount) AS sales, sum(fee_amount) AS fees, sum(tax_amount) AS tax,
		sum(return_amount) AS returns, sum(reversal_amount) AS chargebacks
		FROM payouts WHERE payout_date >= ? AND payout_date < ? AND ` + cond
	args = append([]any{f.From, f.To}, args...)
	if len(f.Tenants) > 0 {
		q += ` AND tenant_id = ANY(?)`
		args = append(args, pq.Array(uuidStrings(f.Tenants)))
	}
	if f.Currency != "" {
		q += ` AND currency = ?`
		args = append(args, f.Currency)
	}
	var out []settlement.WeekTotals
	err := s.db.conn(ctx).Raw(q+` GROUP BY 1, 2 ORDER BY 1, 2`, args...).Scan(&out).Error
	return out, err
}
