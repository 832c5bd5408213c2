package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// PaymentStore implements payment.Store.
type PaymentStore struct{ db *DB }

// Payments returns the payments store.
func (db *DB) Payments() *PaymentStore { return &PaymentStore{db: db} }

var _ payment.Store = (*PaymentStore)(nil)

// paymentColumns are a payment's stored columns, in the order of
// paymentValues and scanPayment (which adds the partner's name).
const paymentColumns = `payment_request_id, tenant_id, klarna_account_id, reference, purchase_reference, payment_transaction_id, order_id,
	payment_account_id, payment_account_reference, state, state_reason, state_at, amount, currency, integration_path, payment_type,
	customer_token, interop_source, interop_token, created_at, submitted_at, authorized_at, final_at, expires_at, events, updated_at, extra`

func paymentValues(p payment.Payment) []any {
	var extra any
	if len(p.Extra) > 0 {
		extra = string(p.Extra)
	}
	return []any{p.ID, p.TenantID, p.KlarnaAccountID, p.Reference, p.PurchaseReference, p.TransactionID, p.OrderID,
		p.PaymentAccountID, p.PaymentAccountReference, p.State, p.StateReason, p.StateAt, p.Amount, p.Currency, p.IntegrationPath,
		p.PaymentType, p.CustomerToken, p.InteropSource, p.InteropToken, p.CreatedAt, p.SubmittedAt, p.AuthorizedAt, p.FinalAt,
		p.ExpiresAt, p.Events, time.Now().UTC(), extra}
}

func scanPayment(row interface{ Scan(...any) error }, name *string) (payment.Payment, error) {
	var p payment.Payment
	var amount sql.NullInt64
	var extra []byte
	dest := []any{&p.ID, &p.TenantID, &p.KlarnaAccountID, &p.Reference, &p.PurchaseReference, &p.TransactionID, &p.OrderID,
		&p.PaymentAccountID, &p.PaymentAccountReference, &p.State, &p.StateReason, &p.StateAt, &amount, &p.Currency, &p.IntegrationPath,
		&p.PaymentType, &p.CustomerToken, &p.InteropSource, &p.InteropToken, &p.CreatedAt, &p.SubmittedAt, &p.AuthorizedAt, &p.FinalAt,
		&p.ExpiresAt, &p.Events, &p.UpdatedAt, &extra}
	if name != nil {
		dest = append(dest, name)
	}
	if err := row.Scan(dest...); err != nil {
		return p, err
	}
	if amount.Valid {
		v := amount.Int64
		p.Amount = &v
	}
	if len(extra) > 0 {
		p.Extra = extra
	}
	if name != nil {
		p.PartnerName = *name
	}
	p.StateAt, p.CreatedAt = p.StateAt.UTC(), p.CreatedAt.UTC()
	return p, nil
}

func columnsOf(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

var (
	paymentSelect = `SELECT ` + columnsOf("p.", paymentColumns) + `, t.name FROM payments p JOIN tenants t ON t.id = p.tenant_id`
	paymentSet    = func() string {
		var b strings.Builder
		for i, c := range strings.Split(paymentColumns, ",") {
			c = strings.TrimSpace(c)
			if c == "payment_request_id" {
				continue
			}
			if i > 1 {
				b.WriteString(", ")
			}
			b.WriteString(c + " = EXCLUDED." + c)
		}
		return b.String()
	}()
	paymentPlaceholders = strings.TrimSuffix(strings.Repeat("?, ", strings.Count(paymentColumns, ",")), ", ") + ", ?::jsonb"
)

// Apply records a state report in the transaction of ctx (its own when
// there is none): the event once, the merged payment, and the day figures.
// The payment's row is locked while it is merged, so reports of one
// payment processed at once take turns.
func (s *PaymentStore) Apply(ctx context.Context, r payment.Report, merge func(cur *payment.Payment, r payment.Report) payment.Payment) (bool, error) {
	recorded := false
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		g := s.db.conn(ctx)
		// Serialise reports of one payment, also the first two of a new one.
		if err := g.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('payment:' || ?, 0))`, r.Payment.ID).Error; err != nil {
			return fmt.Errorf("lock payment: %w", err)
		}
		rows, err := g.Raw(`SELECT `+paymentColumns+` FROM payments WHERE payment_request_id = ? FOR UPDATE`, r.Payment.ID).Rows()
		if err != nil {
			return fmt.Errorf("read payment: %w", err)
		}
		var cur *payment.Payment
		for rows.Next() {
			p, err := scanPayment(rows, nil)
			if err != nil {
				rows.Close()
				return fmt.Errorf("read payment: %w", err)
			}
			cur = &p
		}
		rows.Close()
		if cur != nil && cur.TenantID != r.Payment.TenantID {
			return apperr.E(apperr.Conflict, "Payment request %s belongs to another partner.", r.Payment.ID)
		}
		event := func() (bool, error) {
			res := g.Exec(`INSERT INTO payment_events (payment_request_id, tenant_id, event_id, state, previous_state, state_reason, at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (payment_request_id, event_id) DO NOTHING`,
				r.Payment.ID, r.Payment.TenantID, r.EventID, r.Payment.State, r.PreviousState, r.Payment.StateReason, r.At)
			if res.Error != nil {
				return false, fmt.Errorf("store payment event: %w", res.Error)
			}
			return res.RowsAffected > 0, nil
		}
		// An event delivered before changes nothing.
		if cur != nil {
			if recorded, err = event(); err != nil || !recorded {
				return err
			}
		}
		next := merge(cur, r)
		if err := g.Exec(`INSERT INTO payments (`+paymentColumns+`) VALUES (`+paymentPlaceholders+`)
			ON CONFLICT (payment_request_id) DO UPDATE SET `+paymentSet, paymentValues(next)...).Error; err != nil {
			return fmt.Errorf("store payment: %w", err)
		}
		if cur == nil {
			if recorded, err = event(); err != nil {
				return err
			}
		} else if err := addDay(g, cur.ID, payment.Contribution(*cur), -1); err != nil {
			return err
		}
		return addDay(g, next.ID, payment.Contribution(next), 1)
	})
	return recorded, err
}

// dayShards is how many rows a partner's day is split in (payment_days).
const dayShards = 16

// addDay adds (sign 1) or takes out (-1) the contribution d of payment id.
func addDay(g *gorm.DB, id string, d payment.Day, sign int64) error {
	f := d.Figures
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	shard := int16(h.Sum32() % dayShards)
	err := g.Exec(`INSERT INTO payment_days AS d (tenant_id, day, shard, payments, authorized, declined, expired, canceled, open, auth_timed, auth_seconds,
			interop_expected, interop_carried, hosted, server_side, recurring)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, day, shard) DO UPDATE SET payments = d.payments + EXCLUDED.payments, authorized = d.authorized + EXCLUDED.authorized,
			declined = d.declined + EXCLUDED.declined, expired = d.expired + EXCLUDED.expired, canceled = d.canceled + EXCLUDED.canceled,
			open = d.open + EXCLUDED.open, auth_timed = d.auth_timed + EXCLUDED.auth_timed, auth_seconds = d.auth_seconds + EXCLUDED.auth_seconds,
			interop_expected = d.interop_expected + EXCLUDED.interop_expected, interop_carried = d.interop_carried + EXCLUDED.interop_carried,
			hosted = d.hosted + EXCLUDED.hosted, server_side = d.server_side + EXCLUDED.server_side, recurring = d.recurring + EXCLUDED.recurring`,
		d.TenantID, d.Day, shard, sign*f.Payments, sign*f.Authorized, sign*f.Declined, sign*f.Expired, sign*f.Canceled, sign*f.Open,
		sign*f.AuthTimed, float64(sign)*f.AuthSeconds, sign*f.InteropExpected, sign*f.InteropCarried, sign*f.Hosted, sign*f.ServerSide,
		sign*f.Recurring).Error
	if err != nil {
		return fmt.Errorf("payment day figures: %w", err)
	}
	return nil
}

// paymentWhere is the list's WHERE clause: scope first, then each filter.
func paymentWhere(sc scope.Scope, f payment.Filter) (string, []any) {
	cond, args := scopeCond("p.tenant_id", sc)
	conds := []string{cond}
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	in := func(column string, values []string) {
		if len(values) > 0 {
			c, a := inCond(column, values)
			add(c, a...)
		}
	}
	in("p.tenant_id", uuidStrings(f.Tenants))
	in("p.state", f.States)
	in("p.currency", f.Currencies)
	in("p.integration_path", f.Paths)
	if f.Interop != nil {
		if *f.Interop {
			add("p.interop_token")
		} else {
			add("p.interop_source <> '' AND NOT p.interop_token")
		}
	}
	if !f.From.IsZero() {
		add("p.created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("p.created_at < ?", f.To)
	}
	if f.Query != "" {
		add(`p.payment_request_id IN (SELECT payment_request_id FROM payments WHERE payment_request_id = ?
			UNION ALL SELECT payment_request_id FROM payments WHERE reference = ? AND reference <> ''
			UNION ALL SELECT payment_request_id FROM payments WHERE purchase_reference = ? AND purchase_reference <> ''
			UNION ALL SELECT payment_request_id FROM payments WHERE payment_transaction_id = ? AND payment_transaction_id <> ''
			UNION ALL SELECT payment_request_id FROM payments WHERE order_id = ? AND order_id <> '')`, f.Query, f.Query, f.Query, f.Query, f.Query)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

const paymentOrder = " ORDER BY p.created_at DESC, p.payment_request_id DESC"

// PaymentListSQL is the query List runs for a page of limit rows after
// cursor ("" for the first page): for the plan test and the bench's bare
// handler, which run the same SQL.
func PaymentListSQL(sc scope.Scope, f payment.Filter, cursor string, limit int) (string, []any, error) {
	where, args := paymentWhere(sc, f)
	if cursor != "" {
		v, err := keyset.DecodeValues(cursor, "payments", 2)
		if err != nil {
			return "", nil, err
		}
		us, err := strconv.ParseInt(v.Values[0], 10, 64)
		if err != nil {
			return "", nil, badCursor()
		}
		where += " AND (p.created_at, p.payment_request_id) < (?, ?)"
		args = append(args, time.UnixMicro(us).UTC(), v.Values[1])
	}
	return paymentSelect + where + paymentOrder + ` LIMIT ?`, append(args, limit), nil
}

// PaymentCursor is the cursor of the page that ends with p.
func PaymentCursor(p payment.Payment) string {
	return keyset.EncodeValues(keyset.Values{Key: "payments", Values: []string{strconv.FormatInt(p.CreatedAt.UnixMicro(), 10), p.ID}})
}

func (s *PaymentStore) List(ctx context.Context, sc scope.Scope, f payment.Filter, cursor string, limit int) ([]payment.Payment, string, error) {
	q, args, err := PaymentListSQL(sc, f, cursor, limit+1)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, "", fmt.Errorf("list payments: %w", err)
	}
	defer rows.Close()
	out := make([]payment.Payment, 0, limit)
	more := false
	var name string
	for rows.Next() {
		p, err := scanPayment(rows, &name)
		if err != nil {
			return nil, "", fmt.Errorf("list payments: %w", err)
		}
		if len(out) == limit {
			more = true
			break
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list payments: %w", err)
	}
	next := ""
	if more {
		next = PaymentCursor(out[len(out)-1])
	}
	return out, next, nil
}

// Stream reads the filtered payments in list order, a page at a time, so
// an export of millions holds one page in memory.
func (s *PaymentStore) Stream(ctx context.Context, sc scope.Scope, f payment.Filter, fn func(payment.Payment) error) error {
	cursor := ""
	for {
		page, next, err := s.List(ctx, sc, f, cursor, 2000)
		if err != nil {
			return err
		}
		for _, p := range page {
			if err := fn(p); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

func (s *PaymentStore) Get(ctx context.Context, sc scope.Scope, id string) (payment.Payment, error) {
	cond, args := scopeCond("p.tenant_id", sc)
	var name string
	p, err := scanPayment(s.db.conn(ctx).Raw(paymentSelect+` WHERE p.payment_request_id = ? AND `+cond, append([]any{id}, args...)...).Row(), &name)
	if err == sql.ErrNoRows {
		return payment.Payment{}, apperr.E(apperr.NotFound, "No payment %s.", id)
	}
	if err != nil {
		return payment.Payment{}, fmt.Errorf("get payment: %w", err)
	}
	return p, nil
}

func (s *PaymentStore) States(ctx context.Context, tenant uuid.UUID, id string) ([]payment.StateChange, error) {
	var out []payment.StateChange
	rows, err := s.db.conn(ctx).Raw(`SELECT event_id, state, previous_state, state_reason, at, received_at FROM payment_events
		WHERE payment_request_id = ? AND tenant_id = ? ORDER BY at, id`, id, tenant).Rows()
	if err != nil {
		return nil, fmt.Errorf("payment states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c payment.StateChange
		if err := rows.Scan(&c.EventID, &c.State, &c.PreviousState, &c.Reason, &c.At, &c.ReceivedAt); err != nil {
			return nil, fmt.Errorf("payment states: %w", err)
		}
		c.At, c.ReceivedAt = c.At.UTC(), c.ReceivedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *PaymentStore) Lines(ctx context.Context, tenant uuid.UUID, orderID string) ([]payment.Line, error) {
	var out []payment.Line
	rows, err := s.db.conn(ctx).Raw(`SELECT l.id, l.payment_reference, p.payout_date, l.type, l.detailed_type, l.amount, coalesce(l.vat_amount, 0),
			l.currency, l.capture_id, l.refund_id, l.capture_date, l.reversal_reference
		FROM settlement_lines l JOIN payouts p USING (payment_reference)
		WHERE l.order_id = ? AND l.order_id <> '' AND l.tenant_id = ? ORDER BY coalesce(l.capture_date, p.payout_date), l.id`, orderID, tenant).Rows()
	if err != nil {
		return nil, fmt.Errorf("payment lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l payment.Line
		if err := rows.Scan(&l.ID, &l.PaymentReference, &l.PayoutDate, &l.Type, &l.DetailedType, &l.Amount, &l.VATAmount, &l.Currency,
			&l.CaptureID, &l.RefundID, &l.CaptureDate, &l.ReversalReference); err != nil {
			return nil, fmt.Errorf("payment lines: %w", err)
		}
		l.PayoutDate = l.PayoutDate.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *PaymentStore) Disputes(ctx context.Context, tenant uuid.UUID, transactionID, orderID string) ([]payment.Dispute, error) {
	g := s.db.conn(ctx)
	rows, err := g.Raw(`SELECT dispute_id, state, reason, amount, currency, opened_at, deadline_at, closed_at, outcome FROM disputes
		WHERE tenant_id = ? AND dispute_id IN (
			SELECT dispute_id FROM disputes WHERE payment_transaction_id = ? AND ? <> ''
			UNION SELECT dispute_id FROM disputes WHERE order_id = ? AND ? <> '')
		ORDER BY opened_at, dispute_id`, tenant, transactionID, transactionID, orderID, orderID).Rows()
	if err != nil {
		return nil, fmt.Errorf("payment disputes: %w", err)
	}
	var out []payment.Dispute
	for rows.Next() {
		var d payment.Dispute
		if err := rows.Scan(&d.ID, &d.State, &d.Reason, &d.Amount, &d.Currency, &d.OpenedAt, &d.DeadlineAt, &d.ClosedAt, &d.Outcome); err != nil {
			rows.Close()
			return nil, fmt.Errorf("payment disputes: %w", err)
		}
		d.OpenedAt = d.OpenedAt.UTC()
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		evs, err := g.Raw(`SELECT at, kind, state, summary FROM dispute_events WHERE dispute_id = ? ORDER BY at, id`, out[i].ID).Rows()
		if err != nil {
			return nil, fmt.Errorf("dispute timeline: %w", err)
		}
		for evs.Next() {
			var e payment.DisputeEvent
			if err := evs.Scan(&e.At, &e.Kind, &e.State, &e.Summary); err != nil {
				evs.Close()
				return nil, fmt.Errorf("dispute timeline: %w", err)
			}
			e.At = e.At.UTC()
			out[i].Events = append(out[i].Events, e)
		}
		evs.Close()
	}
	return out, nil
}

const healthSums = `sum(payments), sum(authorized), sum(declined), sum(expired), sum(canceled), sum(open),
	coalesce(sum(open) FILTER (WHERE day < current_date - 1), 0), sum(auth_timed), sum(auth_seconds),
	sum(interop_expected), sum(interop_carried), sum(hosted), sum(server_side), sum(recurring)`

func healthDest(f *payment.Figures) []any {
	return []any{&f.Payments, &f.Authorized, &f.Declined, &f.Expired, &f.Canceled, &f.Open, &f.StaleOpen, &f.AuthTimed, &f.AuthSeconds,
		&f.InteropExpected, &f.InteropCarried, &f.Hosted, &f.ServerSide, &f.Recurring}
}

// PaymentHealthSQL is the per-partner query Health runs (for the plan test).
func PaymentHealthSQL(sc scope.Scope, f payment.HealthFilter) (string, []any) {
	where, args := healthWhere("d.tenant_id", "d.day", sc, f)
	return `SELECT d.tenant_id, t.name, ` + healthSums + ` FROM payment_days d JOIN tenants t ON t.id = d.tenant_id` + where +
		` GROUP BY d.tenant_id, t.name`, args
}

func healthWhere(tenantCol, dayCol string, sc scope.Scope, f payment.HealthFilter) (string, []any) {
	cond, args := scopeCond(tenantCol, sc)
	conds := []string{cond, dayCol + " >= ?", dayCol + " < ?"}
	args = append(args, f.From, f.To)
	if len(f.Tenants) > 0 {
		conds = append(conds, tenantCol+" = ANY(?)")
		args = append(args, pq.Array(uuidStrings(f.Tenants)))
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (s *PaymentStore) Health(ctx context.Context, sc scope.Scope, f payment.HealthFilter) (payment.HealthData, error) {
	g := s.db.conn(ctx)
	var out payment.HealthData
	byTenant := map[uuid.UUID]int{}
	q, args := PaymentHealthSQL(sc, f)
	rows, err := g.Raw(q, args...).Rows()
	if err != nil {
		return out, fmt.Errorf("payment health: %w", err)
	}
	for rows.Next() {
		var p payment.PartnerFigures
		if err := rows.Scan(append([]any{&p.TenantID, &p.Name}, healthDest(&p.Figures)...)...); err != nil {
			rows.Close()
			return out, fmt.Errorf("payment health: %w", err)
		}
		byTenant[p.TenantID] = len(out.Partners)
		out.Partners = append(out.Partners, p)
		out.Totals.Add(p.Figures, 1)
	}
	rows.Close()
	where, args := healthWhere("d.tenant_id", "d.day", sc, f)
	rows, err = g.Raw(`SELECT d.day, `+healthSums+` FROM payment_days d`+where+` GROUP BY d.day ORDER BY d.day`, args...).Rows()
	if err != nil {
		return out, fmt.Errorf("payment health days: %w", err)
	}
	byDay := map[string]int{}
	for rows.Next() {
		var d payment.Day
		if err := rows.Scan(append([]any{&d.Day}, healthDest(&d.Figures)...)...); err != nil {
			rows.Close()
			return out, fmt.Errorf("payment health days: %w", err)
		}
		d.Day = d.Day.UTC()
		byDay[d.Day.Format(time.DateOnly)] = len(out.Days)
		out.Days = append(out.Days, d)
	}
	rows.Close()
	// Settlement lag: the payouts of the period, by partner and day.
	where, args = healthWhere("p.tenant_id", "p.payout_date", sc, f)
	rows, err = g.Raw(`SELECT p.tenant_id, date_trunc('day', p.payout_date AT TIME ZONE 'UTC')::date, sum(p.sale_lag_lines), sum(p.sale_lag_seconds)
		FROM payouts p`+where+` AND p.sale_lag_lines > 0 GROUP BY 1, 2`, args...).Rows()
	if err != nil {
		return out, fmt.Errorf("payment health lag: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tenant uuid.UUID
		var day time.Time
		var lag payment.Figures
		if err := rows.Scan(&tenant, &day, &lag.SaleLagLines, &lag.SaleLagSeconds); err != nil {
			return out, fmt.Errorf("payment health lag: %w", err)
		}
		out.Totals.Add(lag, 1)
		if i, ok := byTenant[tenant]; ok {
			out.Partners[i].Add(lag, 1)
		}
		k := day.UTC().Format(time.DateOnly)
		if i, ok := byDay[k]; ok {
			out.Days[i].Add(lag, 1)
		} else {
			byDay[k] = len(out.Days)
			out.Days = append(out.Days, payment.Day{Day: day.UTC(), Figures: lag})
		}
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	sortDays(out.Days)
	return out, nil
}

func sortDays(days []payment.Day) {
	sort.Slice(days, func(i, j int) bool { return days[i].Day.Before(days[j].Day) })
}
