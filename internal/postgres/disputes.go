package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// DisputeStore implements dispute.Store.
type DisputeStore struct{ db *DB }

// Disputes returns the dispute store.
func (db *DB) Disputes() *DisputeStore { return &DisputeStore{db: db} }

var _ dispute.Store = (*DisputeStore)(nil)

// InTx runs fn in one transaction.
func (s *DisputeStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func orderArray() string { return "{" + strings.Join(dispute.Order, ",") + "}" }

// disputeNewer is true when the incoming report (EXCLUDED) is a newer state
// report than the stored row: later, or the same instant and later in the
// lifecycle. Its two arguments are orderArray().
const disputeNewer = `(NOT ?::bool AND (d.state_at < EXCLUDED.state_at OR (d.state_at = EXCLUDED.state_at
	AND coalesce(array_position(?::text[], d.state), 0) < coalesce(array_position(?::text[], EXCLUDED.state), 0))))`

func (s *DisputeStore) Apply(ctx context.Context, r dispute.Report) (bool, dispute.Dispute, error) {
	var obj any
	if r.Object != nil {
		b, err := json.Marshal(r.Object)
		if err != nil {
			return false, dispute.Dispute{}, err
		}
		obj = string(b)
	}
	var out struct {
		Changed bool
	}
	newer := func() []any { return []any{r.UpdateOnly, orderArray(), orderArray()} }
	set := func(col string) string {
		return col + ` = CASE WHEN ` + disputeNewer + ` THEN EXCLUDED.` + col + ` ELSE d.` + col + ` END`
	}
	keep := func(col string) string { return col + ` = coalesce(nullif(EXCLUDED.` + col + `, ''), d.` + col + `)` }
	// The deadline: a report that names it (or, as a newer state report,
	// says there is none) sets it; otherwise it stays while the state stays.
	deadline := `deadline_at = CASE WHEN ?::bool AND (?::bool OR ` + disputeNewer + `) THEN EXCLUDED.deadline_at
		WHEN ` + disputeNewer + ` AND EXCLUDED.state <> d.state THEN NULL ELSE d.deadline_at END`
	var args []any
	args = append(args, r.ID, r.TenantID, r.KlarnaAccountID, r.PaymentAccountID, r.State, r.PreviousState, r.RepresentmentState,
		r.Reason, r.Amount, r.Currency, r.OrderID, r.PaymentTransactionID, r.PurchaseReference, r.DeadlineAt,
		r.Outcome, r.OutcomeDetailed, r.OpenedAt, r.ClosedAt, r.AnsweredAt, r.StateAt, r.KlarnaUpdatedAt, obj, r.ReadAt)
	q := `INSERT INTO disputes AS d (dispute_id, tenant_id, klarna_account_id, payment_account_id, state, previous_state, representment_state,
			reason, amount, currency, order_id, payment_transaction_id, purchase_reference, deadline_at,
			outcome, outcome_detailed, opened_at, closed_at, answered_at, state_at, klarna_updated_at, object, read_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)
		ON CONFLICT (dispute_id) DO UPDATE SET ` +
		deadline + `, ` +
		set("state") + `, ` + set("state_at") + `, ` +
		`previous_state = CASE WHEN ` + disputeNewer + ` AND EXCLUDED.previous_state <> '' THEN EXCLUDED.previous_state ELSE d.previous_state END, ` +
		`representment_state = CASE WHEN (` + disputeNewer + ` OR EXCLUDED.state_at >= d.state_at) AND EXCLUDED.representment_state <> '' THEN EXCLUDED.representment_state ELSE d.representment_state END, ` +
		keep("outcome") + `, ` + keep("outcome_detailed") + `, ` + keep("reason") + `, ` + keep("currency") + `, ` +
		keep("order_id") + `, ` + keep("payment_transaction_id") + `, ` + keep("purchase_reference") + `, ` + keep("payment_account_id") + `, ` +
		`amount = CASE WHEN EXCLUDED.amount > 0 THEN EXCLUDED.amount ELSE d.amount END, ` +
		`opened_at = LEAST(d.opened_at, EXCLUDED.opened_at), closed_at = coalesce(EXCLUDED.closed_at, d.closed_at), ` +
		`answered_at = coalesce(d.answered_at, EXCLUDED.answered_at), klarna_updated_at = GREATEST(d.klarna_updated_at, EXCLUDED.klarna_updated_at), ` +
		`object = CASE WHEN EXCLUDED.object IS NOT NULL AND (d.object IS NULL OR EXCLUDED.klarna_updated_at >= d.klarna_updated_at) THEN EXCLUDED.object ELSE d.object END, ` +
		`read_at = coalesce(EXCLUDED.read_at, d.read_at), updated_at = now() ` +
		`RETURNING (xmax = 0 OR d.state IS DISTINCT FROM (SELECT state FROM old)) AS changed`
	// One set of arguments per placeholder, in order.
	args = append(args, r.HasDeadline, r.UpdateOnly)
	args = append(args, newer()...) // deadline's first newer
	args = append(args, newer()...) // deadline's second newer
	args = append(args, newer()...) // state
	args = append(args, newer()...) // state_at
	args = append(args, newer()...) // previous_state
	args = append(args, newer()...) // representment_state
	withDispute := !r.NoRead
	// "changed": compared with the state before, read (and locked) in the
	// same statement.
	args = append([]any{r.ID}, args...)
	var before sql.NullString
	err := s.db.conn(ctx).Raw(`WITH old AS (SELECT state FROM disputes WHERE dispute_id = ? FOR UPDATE) `+q+`, (SELECT state FROM old)`, args...).Row().Scan(&out.Changed, &before)
	if err != nil {
		return false, dispute.Dispute{}, fmt.Errorf("store dispute: %w", err)
	}
	out.Changed = out.Changed || !before.Valid
	if !withDispute {
		return out.Changed, dispute.Dispute{}, nil
	}
	d, err := s.Get(ctx, scope.All(), r.ID)
	return out.Changed, d, err
}

func (s *DisputeStore) AddEvent(ctx context.Context, e dispute.Event) error {
	var detail any
	if e.Detail != nil {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return err
		}
		detail = string(b)
	}
	var eventID any
	if e.EventID != "" {
		eventID = e.EventID
	}
	err := s.db.conn(ctx).Exec(`INSERT INTO dispute_events (dispute_id, at, kind, state, summary, actor_id, actor_label, event_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (dispute_id, kind, event_id) DO NOTHING`,
		e.DisputeID, e.At, e.Kind, e.State, e.Summary, e.ActorID, e.ActorLabel, eventID, detail).Error
	if err != nil {
		return fmt.Errorf("dispute event: %w", err)
	}
	return nil
}

const disputeColumns = `d.dispute_id, d.tenant_id, t.name, d.klarna_account_id, d.payment_account_id, d.state, d.previous_state,
	d.representment_state, d.reason, d.amount, d.currency, d.order_id, d.payment_transaction_id, d.purchase_reference,
	d.deadline_at, d.outcome, d.outcome_detailed, d.opened_at, d.closed_at, d.answered_at, d.state_at, d.klarna_updated_at,
	d.assignee_id, coalesce(nullif(u.name, ''), u.email, ''), d.read_at, d.updated_at, d.bucket, d.queue_key`

const disputeFrom = ` FROM disputes d JOIN tenants t ON t.id = d.tenant_id LEFT JOIN users u ON u.id = d.assignee_id`

type disputeRow struct {
	dispute.Dispute
	bucket   int
	queueKey int64
}

func scanDispute(rows interface{ Scan(...any) error }, withObject bool) (disputeRow, error) {
	var r disputeRow
	d := &r.Dispute
	dest := []any{&d.ID, &d.TenantID, &d.PartnerName, &d.KlarnaAccountID, &d.PaymentAccountID, &d.State, &d.PreviousState,
		&d.RepresentmentState, &d.Reason, &d.Amount, &d.Currency, &d.OrderID, &d.PaymentTransactionID, &d.PurchaseReference,
		&d.DeadlineAt, &d.Outcome, &d.OutcomeDetailed, &d.OpenedAt, &d.ClosedAt, &d.AnsweredAt, &d.StateAt, &d.KlarnaUpdatedAt,
		&d.AssigneeID, &d.AssigneeName, &d.ReadAt, &d.UpdatedAt, &r.bucket, &r.queueKey}
	var obj []byte
	if withObject {
		dest = append(dest, &obj)
	}
	if err := rows.Scan(dest...); err != nil {
		return r, err
	}
	if len(obj) > 0 {
		var k klarna.Dispute
		if err := json.Unmarshal(obj, &k); err == nil {
			d.Object = &k
		}
	}
	return r, nil
}

func (s *DisputeStore) Get(ctx context.Context, sc scope.Scope, id string) (dispute.Dispute, error) {
	cond, args := scopeCond("d.tenant_id", sc)
	row := s.db.conn(ctx).Raw(`SELECT `+disputeColumns+`, d.object`+disputeFrom+` WHERE d.dispute_id = ? AND `+cond, append([]any{id}, args...)...).Row()
	r, err := scanDispute(row, true)
	if err == sql.ErrNoRows {
		return dispute.Dispute{}, apperr.E(apperr.NotFound, "No such dispute.")
	}
	if err != nil {
		return dispute.Dispute{}, fmt.Errorf("dispute: %w", err)
	}
	return r.Dispute, nil
}

func (s *DisputeStore) Timeline(ctx context.Context, id string) ([]dispute.TimelineEntry, error) {
	rows, err := s.db.conn(ctx).Raw(`SELECT e.at, e.kind, e.state, e.summary, coalesce(nullif(u.name, ''), u.email, e.actor_label)
		FROM dispute_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.dispute_id = ? ORDER BY e.at, e.id`, id).Rows()
	if err != nil {
		return nil, fmt.Errorf("dispute timeline: %w", err)
	}
	defer rows.Close()
	out := []dispute.TimelineEntry{}
	for rows.Next() {
		var e dispute.TimelineEntry
		if err := rows.Scan(&e.At, &e.Kind, &e.State, &e.Summary, &e.ActorLabel); err != nil {
			return nil, fmt.Errorf("dispute timeline: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// viewCond is the condition of a queue view.
func viewCond(view string, now time.Time) (string, []any) {
	switch view {
	case "expires_soon":
		return "d.bucket = 1 AND d.queue_key >= ? AND d.queue_key < ?", []any{ms(now), ms(now.Add(dispute.ExpiresSoon))}
	case "needs_action":
		return "d.bucket = 1 AND d.queue_key >= ?", []any{ms(now)}
	case "waiting":
		return "d.bucket = 2", nil
	case "closed":
		return "d.bucket = 3", nil
	}
	return "TRUE", nil
}

func disputeWhere(sc scope.Scope, f dispute.Filter, withView bool) (string, []any) {
	cond, args := scopeCond("d.tenant_id", sc)
	conds := []string{cond}
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if withView {
		c, a := viewCond(f.View, f.Now)
		add(c, a...)
	}
	if len(f.Tenants) > 0 {
		add("d.tenant_id = ANY(?)", pq.Array(uuidStrings(f.Tenants)))
	}
	upperAll := func(vs []string) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = strings.ToUpper(strings.TrimSpace(v))
		}
		return out
	}
	if len(f.States) > 0 {
		add("d.state = ANY(?)", pq.Array(upperAll(f.States)))
	}
	if len(f.Reasons) > 0 {
		add("d.reason = ANY(?)", pq.Array(upperAll(f.Reasons)))
	}
	if len(f.Outcomes) > 0 {
		add("d.outcome = ANY(?)", pq.Array(upperAll(f.Outcomes)))
	}
	if len(f.Currencies) > 0 {
		add("d.currency = ANY(?)", pq.Array(upperAll(f.Currencies)))
	}
	if f.AmountMin != nil {
		add("d.amount >= ?", *f.AmountMin)
	}
	if f.AmountMax != nil {
		add("d.amount <= ?", *f.AmountMax)
	}
	window := func(col string, from, to time.Time) {
		if !from.IsZero() {
			add(col+" >= ?", from)
		}
		if !to.IsZero() {
			add(col+" < ?", to)
		}
	}
	window("d.opened_at", f.CreatedFrom, f.CreatedTo)
	window("d.closed_at", f.ClosedFrom, f.ClosedTo)
	window("d.klarna_updated_at", f.UpdatedFrom, f.UpdatedTo)
	if f.Assignee != nil {
		add("d.assignee_id = ?", *f.Assignee)
	}
	if f.Unassigned {
		add("d.assignee_id IS NULL")
	}
	if f.DueWithin > 0 {
		add("d.bucket = 1 AND d.queue_key >= ? AND d.queue_key < ?", ms(f.Now), ms(f.Now.Add(f.DueWithin)))
	}
	if f.Escalated {
		// escalated for the deadline it has now (disputes_escalated)
		add("d.bucket = 1 AND d.escalated_for = d.deadline_at")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		add("(d.dispute_id = ? OR d.order_id = ? OR d.payment_transaction_id = ? OR d.purchase_reference = ?)", q, q, q, q)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

const disputeOrder = " ORDER BY d.bucket, d.queue_key, d.dispute_id"

// DisputeFirstPageSQL is the query List runs for the queue's first page
// (limit+1 rows, so List knows whether a next page exists), with `?`
// placeholders. It is exported so that the bare baseline of `make bench`
// (bench/bare) runs exactly the SQL the product runs.
func DisputeFirstPageSQL(sc scope.Scope, f dispute.Filter, limit int) (string, []any) {
	where, args := disputeWhere(sc, f, true)
	return disputePageSQL(where, args, limit)
}

func disputePageSQL(where string, args []any, limit int) (string, []any) {
	return `SELECT ` + disputeColumns + disputeFrom + where + disputeOrder + ` LIMIT ?`, append(args, limit+1)
}

// DisputeExportSQL is the query Stream (the CSV export) runs, with `?`
// placeholders; `make bench` COPYs the same query as its baseline.
func DisputeExportSQL(sc scope.Scope, f dispute.Filter) (string, []any) {
	where, args := disputeWhere(sc, f, true)
	return `SELECT ` + disputeColumns + disputeFrom + where + disputeOrder, args
}

func (s *DisputeStore) List(ctx context.Context, sc scope.Scope, f dispute.Filter, cursor string, limit int) ([]dispute.Dispute, string, error) {
	where, args := disputeWhere(sc, f, true)
	if cursor != "" {
		v, err := keyset.DecodeValues(cursor, "disputes", 3)
		if err != nil {
			return nil, "", err
		}
		b, err1 := strconv.Atoi(v.Values[0])
		k, err2 := strconv.ParseInt(v.Values[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, "", apperr.Validation("The cursor is not valid; start from the first page.", apperr.FieldError{Field: "cursor", Message: "is not a cursor this list returned"})
		}
		where += " AND (d.bucket, d.queue_key, d.dispute_id) > (?, ?, ?)"
		args = append(args, b, k, v.Values[2])
	}
	q, args := disputePageSQL(where, args, limit)
	rows, err := s.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, "", fmt.Errorf("list disputes: %w", err)
	}
	defer rows.Close()
	out := make([]dispute.Dispute, 0, limit)
	var last disputeRow
	seen := 0
	for rows.Next() {
		r, err := scanDispute(rows, false)
		if err != nil {
			return nil, "", fmt.Errorf("list disputes: %w", err)
		}
		if seen++; seen <= limit {
			out = append(out, r.Dispute)
			last = r
		}
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list disputes: %w", err)
	}
	next := ""
	if seen > limit {
		next = keyset.EncodeValues(keyset.Values{Key: "disputes", Values: []string{strconv.Itoa(last.bucket), strconv.FormatInt(last.queueKey, 10), last.ID}})
	}
	return out, next, nil
}

func (s *DisputeStore) Stream(ctx context.Context, sc scope.Scope, f dispute.Filter, fn func(dispute.Dispute) error) error {
	q, args := DisputeExportSQL(sc, f)
	rows, err := s.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return fmt.Errorf("export disputes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanDispute(rows, false)
		if err != nil {
			return fmt.Errorf("export disputes: %w", err)
		}
		if err := fn(r.Dispute); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Counts reads the views' counts for the filter's partners (the other
// filters do not change them): closed, waiting and all from the counters
// the trigger keeps, the deadline views by an index range.
func (s *DisputeStore) Counts(ctx context.Context, sc scope.Scope, f dispute.Filter) (dispute.Counts, error) {
	var c dispute.Counts
	cond, args := scopeCond("tenant_id", sc)
	if len(f.Tenants) > 0 {
		cond += " AND tenant_id = ANY(?)"
		args = append(args, pq.Array(uuidStrings(f.Tenants)))
	}
	rows, err := s.db.conn(ctx).Raw(`SELECT bucket, sum(n)::bigint FROM dispute_counts WHERE `+cond+` GROUP BY bucket`, args...).Rows()
	if err != nil {
		return c, fmt.Errorf("dispute counts: %w", err)
	}
	var open int64
	for rows.Next() {
		var b int
		var n int64
		if err := rows.Scan(&b, &n); err != nil {
			rows.Close()
			return c, fmt.Errorf("dispute counts: %w", err)
		}
		switch b {
		case dispute.BucketNeedsPartner:
			open = n
		case dispute.BucketWaiting:
			c.Waiting = n
		case dispute.BucketClosed:
			c.Closed = n
		}
		c.All += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("dispute counts: %w", err)
	}
	// Past their deadline but not yet closed by Klarna: not "needs action".
	// Counting those by deadline reads every open dispute due within 72 h of
	// the scope, so the result is kept for a moment: a change of any
	// dispute's bucket (the counters above) is a new key, so only the passing
	// of time and a moved deadline wait for it to expire.
	key := fmt.Sprint(sc.IDs(), sc.IsAll(), f.Tenants, c.All, open, c.Waiting, c.Closed)
	expired, soon, ok := s.db.deadlineCounts.get(key, f.Now)
	if !ok {
		tcond, targs := scopeCond("d.tenant_id", sc)
		if len(f.Tenants) > 0 {
			tcond += " AND d.tenant_id = ANY(?)"
			targs = append(targs, pq.Array(uuidStrings(f.Tenants)))
		}
		now := ms(f.Now)
		err = s.db.conn(ctx).Raw(`SELECT
				count(*) FILTER (WHERE d.queue_key < ?),
				count(*) FILTER (WHERE d.queue_key >= ? AND d.queue_key < ?)
			FROM disputes d WHERE d.bucket = 1 AND d.queue_key < ? AND `+tcond,
			append([]any{now, now, ms(f.Now.Add(dispute.ExpiresSoon)), ms(f.Now.Add(dispute.ExpiresSoon))}, targs...)...).Row().Scan(&expired, &soon)
		if err != nil {
			return c, fmt.Errorf("dispute counts: %w", err)
		}
		s.db.deadlineCounts.put(key, f.Now, expired, soon)
	}
	c.ExpiresSoon = soon
	c.NeedsAction = open - expired
	return c, nil
}

// DisputeCountSQL is the count Count runs (for the plan test).
func DisputeCountSQL(sc scope.Scope, f dispute.Filter) (string, []any) {
	where, args := disputeWhere(sc, f, true)
	return `SELECT count(*) FROM disputes d` + where, args
}

// Count counts the disputes of the queue's filter (every condition List
// applies, views included).
func (s *DisputeStore) Count(ctx context.Context, sc scope.Scope, f dispute.Filter) (int64, error) {
	var n int64
	q, args := DisputeCountSQL(sc, f)
	if err := s.db.conn(ctx).Raw(q, args...).Row().Scan(&n); err != nil {
		return 0, fmt.Errorf("count disputes: %w", err)
	}
	return n, nil
}

// TopOpen reads the counters the trigger keeps (open = waiting for the
// partner), most first.
func (s *DisputeStore) TopOpen(ctx context.Context, sc scope.Scope, limit int) ([]dispute.PartnerCount, error) {
	cond, args := scopeCond("c.tenant_id", sc)
	var out []dispute.PartnerCount
	err := s.db.conn(ctx).Raw(`SELECT c.tenant_id, t.name, c.n AS count FROM dispute_counts c JOIN tenants t ON t.id = c.tenant_id
		WHERE c.bucket = ? AND c.n > 0 AND `+cond+` ORDER BY c.n DESC, t.name, c.tenant_id LIMIT ?`, append([]any{dispute.BucketNeedsPartner}, append(args, limit)...)...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("top open disputes: %w", err)
	}
	return out, nil
}

func (s *DisputeStore) SetAssignee(ctx context.Context, id string, user *uuid.UUID) error {
	return s.db.conn(ctx).Exec(`UPDATE disputes SET assignee_id = ?, updated_at = now() WHERE dispute_id = ?`, user, id).Error
}

// Assignees are the users of the tenant or of the acquirer holding a role
// of roles (those that grant dispute:respond), not disabled.
func (s *DisputeStore) Assignees(ctx context.Context, tenantID uuid.UUID, roles []string) ([]dispute.Assignee, error) {
	rows, err := s.db.conn(ctx).Raw(`SELECT DISTINCT u.id, u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id
		JOIN tenants t ON t.id = m.tenant_id
		WHERE (m.tenant_id = ? OR t.kind = 'acquirer') AND m.role = ANY(?) AND u.disabled_at IS NULL
		ORDER BY u.name, u.email, u.id`, tenantID, pq.Array(roles)).Rows()
	if err != nil {
		return nil, fmt.Errorf("assignees: %w", err)
	}
	defer rows.Close()
	out := []dispute.Assignee{}
	for rows.Next() {
		var a dispute.Assignee
		if err := rows.Scan(&a.ID, &a.Name, &a.Email); err != nil {
			return nil, fmt.Errorf("assignees: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *DisputeStore) TenantOfAccount(ctx context.Context, partnerAccountID, paymentAccountID string) (uuid.UUID, string, bool, error) {
	var t struct {
		TenantID        uuid.UUID
		KlarnaAccountID string
	}
	res := s.db.conn(ctx).Raw(`SELECT tenant_id, klarna_account_id FROM partner_accounts WHERE klarna_account_id = ?
		UNION ALL
		SELECT pa.tenant_id, pa.klarna_account_id FROM partner_resources r JOIN partner_accounts pa ON pa.klarna_account_id = r.klarna_account_id
		WHERE ? <> '' AND r.kind = 'payment_account' AND r.klarna_id = ?
		LIMIT 1`, partnerAccountID, paymentAccountID, paymentAccountID).Scan(&t)
	if res.Error != nil {
		return uuid.Nil, "", false, fmt.Errorf("tenant of account: %w", res.Error)
	}
	return t.TenantID, t.KlarnaAccountID, res.RowsAffected > 0, nil
}

func (s *DisputeStore) SyncMark(ctx context.Context) (time.Time, error) {
	var t sql.NullTime
	err := s.db.conn(ctx).Raw(`SELECT synced_to FROM dispute_sync WHERE id = 1`).Row().Scan(&t)
	if err != nil && err != sql.ErrNoRows {
		return time.Time{}, fmt.Errorf("dispute sync mark: %w", err)
	}
	return t.Time, nil
}

func (s *DisputeStore) SetSyncMark(ctx context.Context, t time.Time) error {
	return s.db.conn(ctx).Exec(`INSERT INTO dispute_sync (id, synced_to) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET synced_to = GREATEST(dispute_sync.synced_to, EXCLUDED.synced_to)`, t).Error
}

// deadlineCountsFor is how long the counts by deadline are kept: a badge a
// second or two behind the clock reads the same to a person.
const deadlineCountsFor = 2 * time.Second

// deadlineCounts is a small cache of the counts by deadline, by scope,
// filter and bucket counters; entries older than deadlineCountsFor (by the
// queue's clock, so a test clock moving on recounts) are not used.
type deadlineCounts struct {
	mu      sync.Mutex
	entries map[string]deadlineCount
}

type deadlineCount struct {
	at            time.Time
	expired, soon int64
}

func newDeadlineCounts() *deadlineCounts {
	return &deadlineCounts{entries: map[string]deadlineCount{}}
}

func (d *deadlineCounts) get(key string, now time.Time) (expired, soon int64, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[key]
	if !ok || now.Before(e.at) || now.Sub(e.at) >= deadlineCountsFor {
		return 0, 0, false
	}
	return e.expired, e.soon, true
}

func (d *deadlineCounts) put(key string, now time.Time, expired, soon int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	// Old entries go when the map grows (one per scope and filter in use).
	if len(d.entries) >= 1024 {
		for k, e := range d.entries {
			if now.Sub(e.at) >= deadlineCountsFor || now.Before(e.at) {
				delete(d.entries, k)
			}
		}
		if len(d.entries) >= 1024 {
			clear(d.entries)
		}
	}
	d.entries[key] = deadlineCount{at: now, expired: expired, soon: soon}
}
