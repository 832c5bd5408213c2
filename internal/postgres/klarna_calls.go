package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/metrics"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarnalog"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// KlarnaCallStore reads and prunes the Klarna call log (klarna_calls).
type KlarnaCallStore struct{ db *DB }

// KlarnaCalls returns the call log store.
func (db *DB) KlarnaCalls() *KlarnaCallStore { return &KlarnaCallStore{db: db} }

var _ klarnalog.Store = (*KlarnaCallStore)(nil)

type klarnaCallRow struct {
	ID                  int64
	At                  time.Time
	TenantID            *uuid.UUID
	TenantName          *string
	PartnerAccountID    string
	Operation           string
	Method              string
	Path                string
	Host                string
	ObjectKind          string
	ObjectID            string
	Status              int
	Outcome             string
	DurationUs          int64
	Attempts            int
	IdempotencyKey      string
	CorrelationID       string
	KlarnaCorrelationID string
	ErrorType           string
	ErrorCode           string
	ErrorID             string
	ErrorMessages       []byte
}

func (r klarnaCallRow) domain() klarnalog.Call {
	c := klarnalog.Call{ID: r.ID, At: r.At.UTC(), TenantID: r.TenantID, CallRecord: klarna.CallRecord{
		At: r.At.UTC(), Operation: klarna.Operation(r.Operation), Method: r.Method, Path: r.Path, Host: r.Host,
		PartnerAccount: r.PartnerAccountID, ObjectKind: r.ObjectKind, ObjectID: r.ObjectID, Status: r.Status, Outcome: r.Outcome,
		Duration: time.Duration(r.DurationUs) * time.Microsecond, Attempts: r.Attempts, IdempotencyKey: r.IdempotencyKey,
		CorrelationID: r.CorrelationID, KlarnaCorrelationID: r.KlarnaCorrelationID, ErrorType: r.ErrorType, ErrorCode: r.ErrorCode, ErrorID: r.ErrorID,
	}}
	if r.TenantName != nil {
		c.TenantName = *r.TenantName
	}
	_ = json.Unmarshal(r.ErrorMessages, &c.ErrorMessages)
	return c
}

const klarnaCallCols = `c.id, c.at, c.tenant_id, t.name AS tenant_name, c.partner_account_id, c.operation, c.method, c.path, c.host,
	c.object_kind, c.object_id, c.status, c.outcome, c.duration_us, c.attempts, c.idempotency_key, c.correlation_id,
	c.klarna_correlation_id, c.error_type, c.error_code, c.error_id, c.error_messages`

// klarnaCallWhere is the scope and filters of the list, in SQL.
func klarnaCallWhere(sc scope.Scope, f klarnalog.Filter) (string, []any) {
	cond, args := scopeCond("c.tenant_id", sc)
	conds := []string{cond}
	add := func(c string, a ...any) { conds, args = append(conds, c), append(args, a...) }
	if f.Operation != "" {
		add("c.operation = ?", f.Operation)
	}
	if f.ObjectKind != "" {
		add("c.object_kind = ?", f.ObjectKind)
	}
	if f.ObjectID != "" {
		add("c.object_id = ?", f.ObjectID)
	}
	if f.Outcome != "" {
		add("c.outcome = ANY(?)", pq.Array(klarnalog.OutcomeValues(f.Outcome)))
	}
	if f.Status != 0 {
		add("c.status = ?", f.Status)
	}
	if !f.From.IsZero() {
		add("c.at >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("c.at < ?", f.To)
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		add("(c.correlation_id = ? OR c.klarna_correlation_id = ? OR c.idempotency_key = ?)", q, q, q)
	}
	return strings.Join(conds, " AND "), args
}

// ListCalls is a keyset page of sc's calls matching f, newest first.
func (s *KlarnaCallStore) ListCalls(ctx context.Context, sc scope.Scope, f klarnalog.Filter, p klarnalog.Page) ([]klarnalog.Call, string, error) {
	where, args := klarnaCallWhere(sc, f)
	if p.Cursor != "" {
		c, err := keyset.Decode(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		where += " AND (c.at, c.id) < (?, ?)"
		args = append(args, c.At, c.ID)
	}
	var rows []klarnaCallRow
	err := s.db.conn(ctx).Raw(`SELECT `+klarnaCallCols+` FROM klarna_calls c LEFT JOIN tenants t ON t.id = c.tenant_id
		WHERE `+where+` ORDER BY c.at DESC, c.id DESC LIMIT ?`, append(args, p.Limit+1)...).Scan(&rows).Error
	if err != nil {
		return nil, "", fmt.Errorf("list klarna calls: %w", err)
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		last := rows[len(rows)-1]
		next = keyset.Encode(keyset.Cursor{At: last.At, ID: last.ID})
	}
	out := make([]klarnalog.Call, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

// Call is one call in sc.
func (s *KlarnaCallStore) Call(ctx context.Context, sc scope.Scope, id int64) (klarnalog.Call, error) {
	cond, args := scopeCond("c.tenant_id", sc)
	var r klarnaCallRow
	res := s.db.conn(ctx).Raw(`SELECT `+klarnaCallCols+` FROM klarna_calls c LEFT JOIN tenants t ON t.id = c.tenant_id WHERE c.id = ? AND `+cond,
		append([]any{id}, args...)...).Scan(&r)
	if res.Error != nil {
		return klarnalog.Call{}, fmt.Errorf("get klarna call: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return klarnalog.Call{}, apperr.E(apperr.NotFound, "No such Klarna call.")
	}
	return r.domain(), nil
}

// PurgeCalls deletes the calls made before `before`, batch rows per
// statement (short transactions, no long lock on the table).
func (s *KlarnaCallStore) PurgeCalls(ctx context.Context, before time.Time, batch int) (int, error) {
	total := 0
	for {
		tag, err := s.db.Pool.Exec(ctx, `DELETE FROM klarna_calls WHERE id IN
			(SELECT id FROM klarna_calls WHERE at < $1 ORDER BY at LIMIT $2)`, before, batch)
		if err != nil {
			return total, fmt.Errorf("purge klarna calls: %w", err)
		}
		n := int(tag.RowsAffected())
		total += n
		if n < batch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// KlarnaCallRecorderOptions tune the recorder.
type KlarnaCallRecorderOptions struct {
	// Buffer is how many records wait for the writer at most (10 000);
	// beyond it a record is dropped and counted, never waited for.
	Buffer int
	// BatchSize is the most rows one INSERT writes (500); FlushEvery how
	// long a record waits for others at most (200 ms).
	BatchSize  int
	FlushEvery time.Duration
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// KlarnaCallRecorder is the Klarna client's Recorder: RecordCall puts the
// record in a buffer and returns; one goroutine writes the buffer in
// multi-row INSERTs every FlushEvery or BatchSize rows, resolving each
// row's tenant from partner_accounts as it writes. Close writes what is
// left.
type KlarnaCallRecorder struct {
	db       *DB
	o        KlarnaCallRecorderOptions
	ch       chan klarna.CallRecord
	flushNow chan chan struct{}
	stop     chan struct{}
	done     chan struct{}
	closed   atomic.Bool
	once     sync.Once
	dropped  *prometheus.CounterVec
	written  prometheus.Counter
	log      *slog.Logger
}

var _ klarna.Recorder = (*KlarnaCallRecorder)(nil)

// NewKlarnaCallRecorder starts the recorder's writer.
func NewKlarnaCallRecorder(db *DB, o KlarnaCallRecorderOptions) *KlarnaCallRecorder {
	if o.Buffer <= 0 {
		o.Buffer = 10000
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = 200 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	r := &KlarnaCallRecorder{
		db: db, o: o, ch: make(chan klarna.CallRecord, o.Buffer), flushNow: make(chan chan struct{}),
		stop: make(chan struct{}), done: make(chan struct{}), log: o.Logger,
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnerdesk_klarna_call_log_dropped_total",
			Help: "Klarna call log records not written, by reason (overflow: the buffer was full; write_failed; closed).",
		}, []string{"reason"}),
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "partnerdesk_klarna_call_log_written_total",
			Help: "Klarna call log records written.",
		}),
	}
	if o.Registerer != nil {
		r.dropped = metrics.Register(o.Registerer, r.dropped)
		r.written = metrics.Register(o.Registerer, r.written)
	}
	go r.run()
	return r
}

// RecordCall buffers rec; it never blocks.
func (r *KlarnaCallRecorder) RecordCall(rec klarna.CallRecord) {
	if r.closed.Load() {
		r.dropped.WithLabelValues("closed").Inc()
		return
	}
	select {
	case r.ch <- rec:
	default:
		r.dropped.WithLabelValues("overflow").Inc()
	}
}

// Flush writes everything buffered so far and returns when it is written
// (tests, and before a read that must see it).
func (r *KlarnaCallRecorder) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case r.flushNow <- ack:
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops taking records, writes the buffered ones and waits for the
// writer (up to ctx's deadline). Calling it again waits again.
func (r *KlarnaCallRecorder) Close(ctx context.Context) error {
	r.once.Do(func() {
		r.closed.Store(true)
		close(r.stop)
	})
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("klarna call log: close: %w", ctx.Err())
	}
}

func (r *KlarnaCallRecorder) run() {
	defer close(r.done)
	t := time.NewTicker(r.o.FlushEvery)
	defer t.Stop()
	batch := make([]klarna.CallRecord, 0, r.o.BatchSize)
	flush := func() {
		if len(batch) > 0 {
			r.write(batch)
			batch = batch[:0]
		}
	}
	// drain moves what is buffered into batches, writing each full one.
	drain := func() {
		for {
			select {
			case rec := <-r.ch:
				batch = append(batch, rec)
				if len(batch) >= r.o.BatchSize {
					flush()
				}
			default:
				flush()
				return
			}
		}
	}
	for {
		select {
		case rec := <-r.ch:
			batch = append(batch, rec)
			if len(batch) >= r.o.BatchSize {
				flush()
			}
		case <-t.C:
			flush()
		case ack := <-r.flushNow:
			drain()
			close(ack)
		case <-r.stop:
			drain()
			return
		}
	}
}

// write inserts one batch in one statement. A failed write is logged and
// counted; the calls it held are not retried (the log must never slow
// Klarna calls down or grow without bound).
func (r *KlarnaCallRecorder) write(batch []klarna.CallRecord) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := len(batch)
	var (
		at                                    = make([]time.Time, n)
		partner, op, method, path, host       = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		kind, obj, outcome, idem, corr, kcorr = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		etype, ecode, eid, emsgs              = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		status, attempts                      = make([]int32, n), make([]int32, n)
		dur                                   = make([]int64, n)
	)
	for i, c := range batch {
		at[i], partner[i], op[i], method[i], path[i], host[i] = c.At, c.PartnerAccount, string(c.Operation), c.Method, c.Path, c.Host
		kind[i], obj[i], outcome[i], idem[i], corr[i], kcorr[i] = c.ObjectKind, c.ObjectID, c.Outcome, c.IdempotencyKey, c.CorrelationID, c.KlarnaCorrelationID
		etype[i], ecode[i], eid[i] = c.ErrorType, c.ErrorCode, c.ErrorID
		emsgs[i] = "[]"
		if len(c.ErrorMessages) > 0 {
			b, _ := json.Marshal(c.ErrorMessages)
			emsgs[i] = string(b)
		}
		status[i], attempts[i], dur[i] = int32(c.Status), int32(min(c.Attempts, 32767)), c.Duration.Microseconds()
	}
	_, err := r.db.Pool.Exec(ctx, `INSERT INTO klarna_calls (at, tenant_id, partner_account_id, operation, method, path, host, object_kind, object_id,
		status, outcome, duration_us, attempts, idempotency_key, correlation_id, klarna_correlation_id, error_type, error_code, error_id, error_messages)
		SELECT v.at, pa.tenant_id, v.partner, v.op, v.method, v.path, v.host, v.kind, v.obj,
			v.status, v.outcome, v.dur, v.attempts, v.idem, v.corr, v.kcorr, v.etype, v.ecode, v.eid, v.emsgs::jsonb
		FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::int[], $10::text[], $11::bigint[], $12::int[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[])
			AS v(at, partner, op, method, path, host, kind, obj, status, outcome, dur, attempts, idem, corr, kcorr, etype, ecode, eid, emsgs)
		LEFT JOIN partner_accounts pa ON v.partner <> '' AND pa.klarna_account_id = v.partner`,
		at, partner, op, method, path, host, kind, obj, status, outcome, dur, attempts, idem, corr, kcorr, etype, ecode, eid, emsgs)
	if err != nil {
		r.dropped.WithLabelValues("write_failed").Add(float64(n))
		r.log.Warn("writing the Klarna call log", "rows", n, "error", err)
		return
	}
	r.written.Add(float64(n))
}
