package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

var _ dispute.AnalyticsStore = (*DisputeStore)(nil)

// analyticsBase is the CTE of the disputes the analytics count: in scope (in
// SQL), of the filter's partners and currency, opened in the window.
func analyticsBase(sc scope.Scope, f dispute.AnalyticsFilter) (string, []any) {
	cond, args := scopeCond("d.tenant_id", sc)
	conds := []string{cond, "d.opened_at >= ?", "d.opened_at < ?"}
	args = append(args, f.From, f.To)
	if len(f.Tenants) > 0 {
		conds = append(conds, "d.tenant_id = ANY(?)")
		args = append(args, pq.Array(uuidStrings(f.Tenants)))
	}
	if f.Currency != "" {
		conds = append(conds, "d.currency = ?")
		args = append(args, strings.ToUpper(f.Currency))
	}
	return `WITH base AS (SELECT d.tenant_id, d.state, d.reason, d.amount, d.currency, d.outcome, d.opened_at, d.closed_at, d.answered_at
		FROM disputes d WHERE ` + strings.Join(conds, " AND ") + `) `, args
}

// DisputeAnalytics computes every series in a few grouped reads of one
// snapshot (a repeatable-read transaction), so the charts agree.
func (s *DisputeStore) DisputeAnalytics(ctx context.Context, sc scope.Scope, f dispute.AnalyticsFilter) (dispute.Analytics, error) {
	var out dispute.Analytics
	base, args := analyticsBase(sc, f)
	type winRow struct {
		Key, Label string
		Won, Lost  int64
	}
	winRates := func(rows []winRow) []dispute.WinRate {
		res := make([]dispute.WinRate, 0, len(rows))
		for _, r := range rows {
			w := dispute.WinRate{Key: r.Key, Label: r.Label, Won: r.Won, Lost: r.Lost}
			if n := r.Won + r.Lost; n > 0 {
				rate := float64(r.Won) / float64(n)
				w.Rate = &rate
			}
			res = append(res, w)
		}
		return res
	}
	const won = `count(*) FILTER (WHERE b.outcome = 'WON') AS won, count(*) FILTER (WHERE b.outcome = 'LOST') AS lost`
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.conn(ctx)
		if err := conn.Exec(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`).Error; err != nil {
			return err
		}
		var rows []winRow
		if err := conn.Raw(base+`SELECT b.reason AS key, b.reason AS label, `+won+` FROM base b WHERE b.state = 'CLOSED'
			GROUP BY b.reason ORDER BY b.reason`, args...).Scan(&rows).Error; err != nil {
			return err
		}
		out.ByReason = winRates(rows)
		rows = nil
		if err := conn.Raw(base+`SELECT b.tenant_id::text AS key, t.name AS label, `+won+` FROM base b JOIN tenants t ON t.id = b.tenant_id
			WHERE b.state = 'CLOSED' GROUP BY b.tenant_id, t.name ORDER BY t.name, b.tenant_id`, args...).Scan(&rows).Error; err != nil {
			return err
		}
		out.ByPartner = winRates(rows)
		rows = nil
		if err := conn.Raw(base+`SELECT to_char(date_trunc('month', b.closed_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS key,
			to_char(date_trunc('month', b.closed_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS label, `+won+`
			FROM base b WHERE b.state = 'CLOSED' AND b.closed_at IS NOT NULL GROUP BY 1 ORDER BY 1`, args...).Scan(&rows).Error; err != nil {
			return err
		}
		out.ByMonth = winRates(rows)
		if err := conn.Raw(base+`SELECT b.currency,
			coalesce(sum(b.amount) FILTER (WHERE b.state <> 'CLOSED'), 0) AS at_stake,
			coalesce(sum(b.amount) FILTER (WHERE b.state = 'CLOSED' AND b.outcome = 'LOST'), 0) AS lost,
			count(*) FILTER (WHERE b.state <> 'CLOSED') AS open_count,
			count(*) FILTER (WHERE b.state = 'CLOSED' AND b.outcome = 'LOST') AS lost_count
			FROM base b GROUP BY b.currency ORDER BY b.currency`, args...).Scan(&out.Amounts).Error; err != nil {
			return err
		}
		if err := conn.Raw(base+`SELECT to_char(date_trunc('month', b.opened_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, count(*) AS answered,
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM b.answered_at - b.opened_at) / 3600) AS median_hours,
			percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM b.answered_at - b.opened_at) / 3600) AS p90_hours
			FROM base b WHERE b.answered_at IS NOT NULL GROUP BY 1 ORDER BY 1`, args...).Scan(&out.ResponseTimes).Error; err != nil {
			return err
		}
		// Weeks from the window's first Monday to the one holding its end;
		// open at a week's end = opened by then and not closed by then.
		wargs := append(append([]any{}, args...), f.From, f.To.Add(-time.Microsecond))
		if err := conn.Raw(base+`, weeks AS (
				SELECT w AS week_start, w + interval '7 days' AS week_end
				FROM generate_series(date_trunc('week', ?::timestamptz AT TIME ZONE 'UTC'), date_trunc('week', ?::timestamptz AT TIME ZONE 'UTC'), interval '7 days') w),
			o AS (SELECT date_trunc('week', b.opened_at AT TIME ZONE 'UTC') AS w, count(*) AS n FROM base b GROUP BY 1),
			c AS (SELECT date_trunc('week', b.closed_at AT TIME ZONE 'UTC') AS w, count(*) AS n FROM base b WHERE b.closed_at IS NOT NULL GROUP BY 1)
			SELECT to_char(weeks.week_start, 'YYYY-MM-DD') AS week, coalesce(o.n, 0) AS opened, coalesce(c.n, 0) AS closed,
				sum(coalesce(o.n, 0)) OVER (ORDER BY weeks.week_start) - sum(coalesce(c.n, 0)) OVER (ORDER BY weeks.week_start) AS open_at_end
			FROM weeks LEFT JOIN o ON o.w = weeks.week_start LEFT JOIN c ON c.w = weeks.week_start
			ORDER BY weeks.week_start`, wargs...).Scan(&out.Weeks).Error; err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return dispute.Analytics{}, fmt.Errorf("dispute analytics: %w", err)
	}
	return out, nil
}
