package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// SettlementReadStore implements settlement.ReadStore.
type SettlementReadStore struct{ db *DB }

// SettlementReads returns the settlements read store.
func (db *DB) SettlementReads() *SettlementReadStore { return &SettlementReadStore{db: db} }

var _ settlement.ReadStore = (*SettlementReadStore)(nil)

func badCursor() error {
	return apperr.Validation("The cursor is not valid; start from the first page.", apperr.FieldError{Field: "cursor", Message: "is not a cursor this list returned"})
}

const payoutColumns = `p.payment_reference, p.tenant_id, t.name, p.klarna_account_id, p.merchant_id, p.payout_date, p.currency,
	p.settlement_type, p.sale_amount, p.return_amount, p.reversal_amount, p.fee_amount, p.tax_amount, p.holdback_amount,
	p.release_amount, p.settlement_amount, p.opening_debt_amount, p.closing_debt_amount, p.line_count, p.lines_complete,
	p.reconciled, p.difference`

const payoutFrom = ` FROM payouts p JOIN tenants t ON t.id = p.tenant_id`

func scanPayout(row interface{ Scan(...any) error }, extra ...any) (settlement.PayoutSummary, error) {
	var p settlement.PayoutSummary
	var rec sql.NullBool
	dest := []any{&p.PaymentReference, &p.TenantID, &p.PartnerName, &p.KlarnaAccountID, &p.MerchantID, &p.PayoutDate, &p.Currency,
		&p.SettlementType, &p.Sale, &p.Return, &p.Reversal, &p.Fee, &p.Tax, &p.Holdback, &p.Release, &p.Settlement,
		&p.OpeningDebt, &p.ClosingDebt, &p.LineCount, &p.LinesComplete, &rec, &p.Difference}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return p, err
	}
	if rec.Valid {
		v := rec.Bool
		p.Reconciled = &v
	}
	p.PayoutDate = p.PayoutDate.UTC()
	return p, nil
}

func payoutWhere(sc scope.Scope, f settlement.PayoutFilter) (string, []any) {
	cond, args := scopeCond("p.tenant_id", sc)
	conds := []string{cond}
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if len(f.Tenants) > 0 {
		add("p.tenant_id = ANY(?)", pq.Array(uuidStrings(f.Tenants)))
	}
	if len(f.Currencies) > 0 {
		cs := make([]string, len(f.Currencies))
		for i, c := range f.Currencies {
			cs[i] = strings.ToUpper(strings.TrimSpace(c))
		}
		add("p.currency = ANY(?)", pq.Array(cs))
	}
	if !f.From.IsZero() {
		add("p.payout_date >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("p.payout_date < ?", f.To)
	}
	if f.Reconciled != nil {
		add("p.reconciled = ?", *f.Reconciled)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

const payoutOrder = " ORDER BY p.payout_date DESC, p.payment_reference DESC"

func payoutPageSQL(where string, args []any, limit int) (string, []any) {
	return `SELECT ` + payoutColumns + payoutFrom + where + payoutOrder + ` LIMIT ?`, append(args, limit)
}

// PayoutFirstPageSQL is the query ListPayouts runs for a first page (limit
// rows), for tests of its plan.
func PayoutFirstPageSQL(sc scope.Scope, f settlement.PayoutFilter, limit int) (string, []any) {
	where, args := payoutWhere(sc, f)
	return payoutPageSQL(where, args, limit)
}

func (s *SettlementReadStore) ListPayouts(ctx context.Context, sc scope.Scope, f settlement.PayoutFilter, cursor string, limit int) ([]settlement.PayoutSummary, string, error) {
	where, args := payoutWhere(sc, f)
	if cursor != "" {
		v, err := keyset.DecodeValues(cursor, "payouts", 2)
		if err != nil {
			return nil, "", err
		}
		us, err := strconv.ParseInt(v.Values[0], 10, 64)
		if err != nil {
			return nil, "", badCursor()
		}
		where += " AND (p.payout_date, p.payment_reference) < (?, ?)"
		args = append(args, time.UnixMicro(us).UTC(), v.Values[1])
	}
	q, args := payoutPageSQL(where, args, limit+1)
	rows, err := s.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, "", fmt.Errorf("list payouts: %w", err)
	}
	defer rows.Close()
	out := make([]settlement.PayoutSummary, 0, limit)
	more := false
	for rows.Next() {
		p, err := scanPayout(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list payouts: %w", err)
		}
		if len(out) == limit {
			more = true
			break
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list payouts: %w", err)
	}
	next := ""
	if more {
		last := out[len(out)-1]
		next = keyset.EncodeValues(keyset.Values{Key: "payouts", Values: []string{strconv.FormatInt(last.PayoutDate.UnixMicro(), 10), last.PaymentReference}})
	}
	return out, next, nil
}

// PayoutTotals sums the filtered payouts per currency. The payouts table
// holds one row per partner, currency and settlement period (a few
// thousand a year even with hundreds of partners), so an aggregate over the
// filtered rows by the list's indexes stays cheap; the lines are never read.
// ExpectedPayouts reads the schedule the payouts trigger keeps.
func (s *SettlementReadStore) ExpectedPayouts(ctx context.Context, sc scope.Scope, from time.Time, limit int) ([]settlement.ExpectedPayout, error) {
	cond, args := scopeCond("s.tenant_id", sc)
	rows, err := s.db.conn(ctx).Raw(`SELECT s.tenant_id, t.name, s.currency, s.expected_at, extract(epoch FROM s.every)::bigint, s.last_reference, s.last_amount
		FROM payout_schedule s JOIN tenants t ON t.id = s.tenant_id
		WHERE s.expected_at IS NOT NULL AND s.expected_at >= ? AND `+cond+` ORDER BY s.expected_at, s.tenant_id, s.currency LIMIT ?`,
		append([]any{from}, append(args, limit)...)...).Rows()
	if err != nil {
		return nil, fmt.Errorf("expected payouts: %w", err)
	}
	defer rows.Close()
	out := []settlement.ExpectedPayout{}
	for rows.Next() {
		var e settlement.ExpectedPayout
		var every int64
		if err := rows.Scan(&e.TenantID, &e.PartnerName, &e.Currency, &e.ExpectedAt, &every, &e.LastReference, &e.LastAmount); err != nil {
			return nil, fmt.Errorf("expected payouts: %w", err)
		}
		e.Every = time.Duration(every) * time.Second
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *SettlementReadStore) PayoutTotals(ctx context.Context, sc scope.Scope, f settlement.PayoutFilter) ([]settlement.CurrencyTotals, error) {
	where, args := payoutWhere(sc, f)
	rows, err := s.db.conn(ctx).Raw(`SELECT p.currency, count(*), coalesce(sum(p.sale_amount), 0)::bigint, coalesce(sum(p.return_amount), 0)::bigint,
		coalesce(sum(p.reversal_amount), 0)::bigint, coalesce(sum(p.fee_amount), 0)::bigint, coalesce(sum(p.tax_amount), 0)::bigint,
		coalesce(sum(p.holdback_amount), 0)::bigint, coalesce(sum(p.release_amount), 0)::bigint, coalesce(sum(p.settlement_amount), 0)::bigint
		FROM payouts p`+where+` GROUP BY p.currency ORDER BY p.currency`, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("payout totals: %w", err)
	}
	defer rows.Close()
	out := []settlement.CurrencyTotals{}
	for rows.Next() {
		var c settlement.CurrencyTotals
		if err := rows.Scan(&c.Currency, &c.Payouts, &c.Sale, &c.Return, &c.Reversal, &c.Fee, &c.Tax, &c.Holdback, &c.Release, &c.Settlement); err != nil {
			return nil, fmt.Errorf("payout totals: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *SettlementReadStore) StreamPayouts(ctx context.Context, sc scope.Scope, f settlement.PayoutFilter, fn func(settlement.PayoutSummary) error) error {
	where, args := payoutWhere(sc, f)
	rows, err := s.db.conn(ctx).Raw(`SELECT `+payoutColumns+payoutFrom+where+payoutOrder, args...).Rows()
	if err != nil {
		return fmt.Errorf("export payouts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPayout(rows)
		if err != nil {
			return fmt.Errorf("export payouts: %w", err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *SettlementReadStore) GetPayout(ctx context.Context, sc scope.Scope, ref string) (settlement.PayoutDetail, error) {
	cond, args := scopeCond("p.tenant_id", sc)
	var d settlement.PayoutDetail
	var totals, mismatches []byte
	row := s.db.conn(ctx).Raw(`SELECT `+payoutColumns+`, p.settlement_id, coalesce(p.object->'totals', '{}'), p.mismatches, p.ingested_at, p.updated_at`+
		payoutFrom+` WHERE p.payment_reference = ? AND `+cond, append([]any{ref}, args...)...).Row()
	sum, err := scanPayout(row, &d.SettlementID, &totals, &mismatches, &d.IngestedAt, &d.UpdatedAt)
	if err == sql.ErrNoRows {
		return d, apperr.E(apperr.NotFound, "No such payout.")
	}
	if err != nil {
		return d, fmt.Errorf("payout: %w", err)
	}
	d.PayoutSummary = sum
	d.Totals = map[string]int64{}
	var raw map[string]json.Number
	if err := json.Unmarshal(totals, &raw); err == nil {
		for k, v := range raw {
			if n, err := v.Int64(); err == nil {
				d.Totals[k] = n
			}
		}
	}
	d.Mismatches = map[string]settlement.Mismatch{}
	if len(mismatches) > 0 {
		if err := json.Unmarshal(mismatches, &d.Mismatches); err != nil {
			return d, fmt.Errorf("payout mismatches: %w", err)
		}
	}
	return d, nil
}

// PayoutLinesByType sums a payout's lines per type. It reads every line of
// the payout, so only the payout's own page asks for it.
func (s *SettlementReadStore) PayoutLinesByType(ctx context.Context, tenant uuid.UUID, ref string) ([]settlement.TypeSum, error) {
	rows, err := s.db.conn(ctx).Raw(`SELECT type, count(*), coalesce(sum(amount), 0)::bigint, coalesce(sum(vat_amount), 0)::bigint
		FROM settlement_lines WHERE payment_reference = ? AND tenant_id = ? GROUP BY type ORDER BY type`, ref, tenant).Rows()
	if err != nil {
		return nil, fmt.Errorf("payout lines by type: %w", err)
	}
	defer rows.Close()
	out := []settlement.TypeSum{}
	for rows.Next() {
		var t settlement.TypeSum
		if err := rows.Scan(&t.Type, &t.Lines, &t.Amount, &t.VATAmount); err != nil {
			return nil, fmt.Errorf("payout lines by type: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

const lineColumns = `l.id, l.payment_reference, l.tenant_id, l.seq, l.type, l.detailed_type, l.amount, l.currency, l.vat_rate, l.vat_amount,
	l.tax_in_registration_currency, l.registration_currency, l.sale_date, l.capture_date, l.order_id, l.short_order_id,
	l.capture_id, l.refund_id, l.merchant_reference1, l.merchant_reference2, l.merchant_capture_reference,
	l.merchant_refund_reference, l.purchase_country, l.shipping_country, l.initial_payment_method_type,
	l.initial_number_of_installments, l.initial_payment_method_monthly_downpayments, l.klarna_comment, l.reversal_reference,
	l.extra, coalesce(d.dispute_id, '')`

// lineFrom joins the dispute a line's reversal_reference names, in the
// line's own tenant only.
const lineFrom = ` FROM settlement_lines l LEFT JOIN disputes d ON l.reversal_reference <> '' AND d.dispute_id = l.reversal_reference AND d.tenant_id = l.tenant_id`

type lineScanner struct {
	l          settlement.Line
	extra      []byte
	dest       []any
	withPayout bool
	payoutDate time.Time
	partner    string
}

// newLineScanner reuses one set of destinations for every row, so a long
// export allocates per row only what it keeps.
// withPayout also reads the payout's date and partner name (the search).
func newLineScanner(withPayout bool) *lineScanner {
	s := &lineScanner{withPayout: withPayout}
	l := &s.l
	s.dest = []any{&l.ID, &l.PaymentReference, &l.TenantID, &l.Seq, &l.Type, &l.DetailedType, &l.Amount, &l.Currency, &l.VATRate, &l.VATAmount,
		&l.TaxInRegistrationCurrency, &l.RegistrationCurrency, &l.SaleDate, &l.CaptureDate, &l.OrderID, &l.ShortOrderID,
		&l.CaptureID, &l.RefundID, &l.MerchantReference1, &l.MerchantReference2, &l.MerchantCaptureReference,
		&l.MerchantRefundReference, &l.PurchaseCountry, &l.ShippingCountry, &l.InitialPaymentMethodType,
		&l.InitialNumberOfInstallments, &l.InitialMonthlyDownpayments, &l.KlarnaComment, &l.ReversalReference,
		&s.extra, &l.DisputeID}
	if withPayout {
		s.dest = append(s.dest, &s.payoutDate, &s.partner)
	}
	return s
}

func (s *lineScanner) scan(rows *sql.Rows) (settlement.Line, error) {
	s.l = settlement.Line{}
	s.extra = s.extra[:0]
	if err := rows.Scan(s.dest...); err != nil {
		return s.l, err
	}
	if len(s.extra) > 0 && string(s.extra) != "null" {
		if err := json.Unmarshal(s.extra, &s.l.Extra); err != nil {
			return s.l, err
		}
	}
	if s.withPayout {
		s.l.PayoutDate, s.l.PartnerName = s.payoutDate.UTC(), s.partner
	}
	for _, t := range []**time.Time{&s.l.SaleDate, &s.l.CaptureDate} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	return s.l, nil
}

func lineWhere(sc scope.Scope, ref string, f settlement.LineFilter) (string, []any) {
	cond, args := scopeCond("l.tenant_id", sc)
	conds := []string{"l.payment_reference = ?", cond}
	args = append([]any{ref}, args...)
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if len(f.Types) > 0 {
		ts := make([]string, len(f.Types))
		for i, t := range f.Types {
			ts[i] = strings.ToUpper(strings.TrimSpace(t))
		}
		add("l.type = ANY(?)", pq.Array(ts))
	}
	for col, v := range map[string]string{"l.order_id": f.OrderID, "l.capture_id": f.CaptureID, "l.refund_id": f.RefundID} {
		if v = strings.TrimSpace(v); v != "" {
			add(col+" = ?", v)
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (s *SettlementReadStore) readLines(ctx context.Context, what, q string, args []any, limit int, key func(settlement.Line) int64, withPayout bool) ([]settlement.Line, string, error) {
	rows, err := s.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	sc := newLineScanner(withPayout)
	out := make([]settlement.Line, 0, limit)
	next := ""
	for rows.Next() {
		l, err := sc.scan(rows)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", what, err)
		}
		if len(out) == limit {
			next = keyset.EncodeOrdinal(key(out[len(out)-1]))
			break
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("%s: %w", what, err)
	}
	return out, next, nil
}

func (s *SettlementReadStore) ListLines(ctx context.Context, sc scope.Scope, ref string, f settlement.LineFilter, cursor string, limit int) ([]settlement.Line, string, error) {
	where, args := lineWhere(sc, ref, f)
	if cursor != "" {
		seq, err := keyset.DecodeOrdinal(cursor)
		if err != nil {
			return nil, "", err
		}
		where += " AND l.seq >= ?" // the cursor is the next position (seq may start at 0)
		args = append(args, seq)
	}
	q, args := linesSQL(where, args, limit+1)
	return s.readLines(ctx, "payout lines", q, args, limit, func(l settlement.Line) int64 { return int64(l.Seq) + 1 }, false)
}

func linesSQL(where string, args []any, limit int) (string, []any) {
	q := `SELECT ` + lineColumns + lineFrom + where + ` ORDER BY l.seq`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	return q, args
}

// PayoutLinesFirstPageSQL is the query ListLines runs for the first page of
// a payout's lines (limit rows), for the baseline of `make bench`.
func PayoutLinesFirstPageSQL(sc scope.Scope, ref string, f settlement.LineFilter, limit int) (string, []any) {
	where, args := lineWhere(sc, ref, f)
	return linesSQL(where, args, limit)
}

// PayoutLinesExportSQL is the query StreamLines runs (every line of the
// payout the filter keeps), for the COPY baseline of `make bench`.
func PayoutLinesExportSQL(sc scope.Scope, ref string, f settlement.LineFilter) (string, []any) {
	where, args := lineWhere(sc, ref, f)
	return linesSQL(where, args, 0)
}

func (s *SettlementReadStore) StreamLines(ctx context.Context, sc scope.Scope, ref string, f settlement.LineFilter, fn func(settlement.Line) error) error {
	q, args := PayoutLinesExportSQL(sc, ref, f)
	rows, err := s.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return fmt.Errorf("export lines: %w", err)
	}
	defer rows.Close()
	lsc := newLineScanner(false)
	for rows.Next() {
		l, err := lsc.scan(rows)
		if err != nil {
			return fmt.Errorf("export lines: %w", err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return rows.Err()
}

// searchColumns are the ids the search matches, each with its partial
// index (column, id) WHERE column <> ”.
var searchColumns = []string{"order_id", "capture_id", "refund_id", "merchant_reference1"}

// SearchLines finds lines whose order, capture or refund id or merchant
// reference is q. Each id is read from its own partial index in id order
// and limited there, so the answer costs a few index reads however many
// lines there are; the union is then ordered and cut to the page.
func (s *SettlementReadStore) SearchLines(ctx context.Context, sc scope.Scope, q, cursor string, limit int) ([]settlement.Line, string, error) {
	var after int64
	if cursor != "" {
		n, err := keyset.DecodeOrdinal(cursor)
		if err != nil {
			return nil, "", err
		}
		after = n
	}
	query, args := LineSearchSQL(sc, q, after, limit+1)
	return s.readLines(ctx, "search lines", query, args, limit, func(l settlement.Line) int64 { return l.ID }, true)
}

// LineSearchSQL is the query SearchLines runs: up to limit lines after the
// line id `after` whose order, capture or refund id or merchant reference
// is q, with their payout's date and partner (also the baseline of `make
// bench`).
func LineSearchSQL(sc scope.Scope, q string, after int64, limit int) (string, []any) {
	q = strings.TrimSpace(q)
	cond, cargs := scopeCond("tenant_id", sc)
	var parts []string
	var args []any
	for _, col := range searchColumns {
		parts = append(parts, `(SELECT id FROM settlement_lines WHERE `+col+` = ? AND `+col+` <> '' AND id > ? AND `+cond+` ORDER BY id LIMIT ?)`)
		args = append(args, q, after)
		args = append(args, cargs...)
		args = append(args, limit)
	}
	query := `SELECT ` + lineColumns + `, p.payout_date, t.name` + lineFrom + ` JOIN payouts p ON p.payment_reference = l.payment_reference JOIN tenants t ON t.id = l.tenant_id
		WHERE l.id IN (` + strings.Join(parts, " UNION ") + `) ORDER BY l.id LIMIT ?`
	return query, append(args, limit)
}
