package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// WebhookStore implements webhook.Store.
type WebhookStore struct{ db *DB }

// Webhooks returns the webhook store.
func (db *DB) Webhooks() *WebhookStore { return &WebhookStore{db: db} }

var _ webhook.Store = (*WebhookStore)(nil)

func (s *WebhookStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

type eventRow struct {
	ID               int64
	EventID          string
	EventType        string
	EventVersion     string
	OccurredAt       *time.Time
	ReceivedAt       time.Time
	SubjectAccountID string
	TenantID         *uuid.UUID
	TenantName       string
	SigningKeyID     string
	Raw              []byte
	Status           string
	Attempts         int
	LastError        string
	Note             string
	Duplicates       int
	ProcessedAt      *time.Time
}

func (r eventRow) domain() webhook.Event {
	return webhook.Event{PK: r.ID, EventID: r.EventID, EventType: r.EventType, EventVersion: r.EventVersion, OccurredAt: r.OccurredAt, ReceivedAt: r.ReceivedAt,
		SubjectAccountID: r.SubjectAccountID, TenantID: r.TenantID, TenantName: r.TenantName, SigningKeyID: r.SigningKeyID, Raw: r.Raw, Status: r.Status, Attempts: r.Attempts,
		LastError: r.LastError, Note: r.Note, Duplicates: r.Duplicates, ProcessedAt: r.ProcessedAt}
}

const eventCols = `id, event_id, event_type, event_version, occurred_at, received_at, subject_account_id, tenant_id, signing_key_id, raw, status, attempts, last_error, note, duplicates, processed_at`

// eventListCols are the columns of the inbox list (no raw body) read as
// "e" joined with the event's tenant "t" for its name.
const eventListCols = `e.id, e.event_id, e.event_type, e.event_version, e.occurred_at, e.received_at, e.subject_account_id, e.tenant_id, coalesce(t.name, '') AS tenant_name,
	e.signing_key_id, e.status, e.attempts, e.last_error, e.note, e.duplicates, e.processed_at`

func (s *WebhookStore) Ingest(ctx context.Context, ev webhook.Event, envelope []byte) (int64, bool, error) {
	g, err := mustTx(ctx, "webhook ingest")
	if err != nil {
		return 0, false, err
	}
	// The envelope is a convenience copy: NULL when jsonb cannot hold the
	// body (not UTF-8 here, a NUL escape or an out-of-range number in
	// webhook_try_jsonb). raw always keeps the delivered bytes.
	var env *string
	if utf8.Valid(envelope) {
		e := string(envelope)
		env = &e
	}
	var ids []int64
	err = g.Raw(`INSERT INTO webhook_events (event_id, event_type, event_version, occurred_at, received_at, subject_account_id, signing_key_id, raw, envelope, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, webhook_try_jsonb(?), ?) ON CONFLICT (event_id) DO NOTHING RETURNING id`,
		ev.EventID, ev.EventType, ev.EventVersion, ev.OccurredAt, ev.ReceivedAt, ev.SubjectAccountID, ev.SigningKeyID, ev.Raw, env, ev.Status).Scan(&ids).Error
	if err != nil {
		return 0, false, fmt.Errorf("ingest: %w", err)
	}
	if len(ids) == 1 {
		return ids[0], false, nil
	}
	var pk int64
	if err := g.Raw(`UPDATE webhook_events SET duplicates = duplicates + 1 WHERE event_id = ? RETURNING id`, ev.EventID).Scan(&pk).Error; err != nil {
		return 0, false, fmt.Errorf("count duplicate: %w", err)
	}
	return pk, true, nil
}

var _ webhook.BatchStore = (*WebhookStore)(nil)

// IngestBatch stores many events with one multi-row insert. The distinct
// event ids are inserted in event id order (two instances inserting
// overlapping batches wait on each other rather than deadlock); every
// further delivery of an id, in the batch or before it, counts a duplicate.
func (s *WebhookStore) IngestBatch(ctx context.Context, evs []webhook.Event, envelopes [][]byte) ([]webhook.Receipt, error) {
	g, err := mustTx(ctx, "webhook ingest")
	if err != nil {
		return nil, err
	}
	first := map[string]int{} // event id → index of its first delivery
	seen := map[string]int{}  // event id → deliveries in this batch
	var ids []string
	for i, ev := range evs {
		if _, ok := first[ev.EventID]; !ok {
			first[ev.EventID] = i
			ids = append(ids, ev.EventID)
		}
		seen[ev.EventID]++
	}
	slices.Sort(ids)
	var sb strings.Builder
	args := make([]any, 0, len(ids)*10)
	for j, id := range ids {
		if j > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?::timestamptz, ?::timestamptz, ?, ?, ?::bytea, webhook_try_jsonb(?), ?)")
		i := first[id]
		ev := evs[i]
		var env *string
		if utf8.Valid(envelopes[i]) {
			e := string(envelopes[i])
			env = &e
		}
		args = append(args, ev.EventID, ev.EventType, ev.EventVersion, ev.OccurredAt, ev.ReceivedAt, ev.SubjectAccountID, ev.SigningKeyID, ev.Raw, env, ev.Status)
	}
	type idRow struct {
		ID      int64
		EventID string
	}
	var inserted []idRow
	err = g.Raw(`INSERT INTO webhook_events (event_id, event_type, event_version, occurred_at, received_at, subject_account_id, signing_key_id, raw, envelope, status)
		VALUES `+sb.String()+` ON CONFLICT (event_id) DO NOTHING RETURNING id, event_id`, args...).Scan(&inserted).Error
	if err != nil {
		return nil, fmt.Errorf("ingest batch: %w", err)
	}
	pk := map[string]int64{}
	isNew := map[string]bool{}
	for _, r := range inserted {
		pk[r.EventID], isNew[r.EventID] = r.ID, true
	}
	var dupIDs []string
	var dupN []int64
	for _, id := range ids {
		n := seen[id]
		if isNew[id] {
			n--
		}
		if n > 0 {
			dupIDs, dupN = append(dupIDs, id), append(dupN, int64(n))
		}
	}
	if len(dupIDs) > 0 {
		var counted []idRow
		err := g.Raw(`UPDATE webhook_events e SET duplicates = e.duplicates + d.n FROM unnest(?::text[], ?::int[]) AS d(event_id, n)
			WHERE e.event_id = d.event_id RETURNING e.id, e.event_id`, pq.Array(dupIDs), pq.Array(dupN)).Scan(&counted).Error
		if err != nil {
			return nil, fmt.Errorf("count duplicates: %w", err)
		}
		for _, r := range counted {
			pk[r.EventID] = r.ID
		}
	}
	out := make([]webhook.Receipt, len(evs))
	for i, ev := range evs {
		id, ok := pk[ev.EventID]
		if !ok {
			return nil, fmt.Errorf("ingest batch: event %q neither inserted nor found", ev.EventID)
		}
		out[i] = webhook.Receipt{EventPK: id, Duplicate: !isNew[ev.EventID] || first[ev.EventID] != i}
	}
	return out, nil
}

func (s *WebhookStore) Quarantine(ctx context.Context, q webhook.Quarantined, keep int) error {
	g := s.db.conn(ctx)
	var id int64
	if err := g.Raw(`INSERT INTO webhook_quarantine (received_at, reason, signing_key_id, signature, remote_ip, body_size, body, body_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		q.ReceivedAt, q.Reason, q.SigningKeyID, q.Signature, q.RemoteIP, q.BodySize, q.Body, q.BodySHA256).Scan(&id).Error; err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	// Bounded on every insert: ids only grow, so at most keep rows have an
	// id above id-keep; everything older goes (an indexed range delete).
	if err := g.Exec(`DELETE FROM webhook_quarantine WHERE id <= ?`, id-int64(keep)).Error; err != nil {
		return fmt.Errorf("quarantine trim: %w", err)
	}
	return nil
}

func (s *WebhookStore) Lock(ctx context.Context, sc scope.Scope, pk int64) (webhook.Event, error) {
	g, err := mustTx(ctx, "webhook lock")
	if err != nil {
		return webhook.Event{}, err
	}
	cond, args := scopeCond("tenant_id", sc)
	var r eventRow
	res := g.Raw(`SELECT `+eventCols+` FROM webhook_events WHERE id = ? AND `+cond+` FOR UPDATE`, append([]any{pk}, args...)...).Scan(&r)
	if res.Error != nil {
		return webhook.Event{}, fmt.Errorf("lock event: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return webhook.Event{}, apperr.E(apperr.NotFound, "No such webhook event.")
	}
	return r.domain(), nil
}

func (s *WebhookStore) SetOutcome(ctx context.Context, ev webhook.Event) error {
	return s.db.conn(ctx).Exec(`UPDATE webhook_events SET status = ?, attempts = ?, last_error = ?, note = ?, processed_at = ?, tenant_id = ? WHERE id = ?`,
		ev.Status, ev.Attempts, ev.LastError, ev.Note, ev.ProcessedAt, ev.TenantID, ev.PK).Error
}

func (s *WebhookStore) AddAttempt(ctx context.Context, a webhook.Attempt) error {
	return s.db.conn(ctx).Exec(`INSERT INTO webhook_attempts (event_pk, attempt, started_at, finished_at, outcome, error, worker) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.EventPK, a.Attempt, a.StartedAt, a.FinishedAt, a.Outcome, a.Error, a.Worker).Error
}

func (s *WebhookStore) Reopen(ctx context.Context, pks []int64) ([]int64, error) {
	var out []int64
	err := s.db.conn(ctx).Raw(`UPDATE webhook_events SET status = 'received', note = '', last_error = '' WHERE id = ANY(?) RETURNING id`, pq.Array(pks)).Scan(&out).Error
	return out, err
}

func (s *WebhookStore) ParkedFor(ctx context.Context, accountID string) ([]int64, error) {
	var out []int64
	err := s.db.conn(ctx).Raw(`SELECT id FROM webhook_events WHERE status = 'parked' AND subject_account_id = ? ORDER BY id FOR UPDATE`, accountID).Scan(&out).Error
	return out, err
}

// eventWhere builds the condition on webhook_events "e" for the events of
// sc matching f.
func eventWhere(sc scope.Scope, f webhook.Filter) (string, []any) {
	cond, args := scopeCond("e.tenant_id", sc)
	conds := []string{cond}
	if f.Type != "" {
		if p, ok := strings.CutSuffix(f.Type, "*"); ok || strings.HasSuffix(f.Type, ".") {
			if !ok {
				p = f.Type
			}
			conds = append(conds, "e.event_type LIKE ?")
			args = append(args, likePrefix(p))
		} else {
			conds = append(conds, "e.event_type = ?")
			args = append(args, f.Type)
		}
	}
	if f.Status != "" {
		conds = append(conds, "e.status = ?")
		args = append(args, f.Status)
	}
	if !f.From.IsZero() {
		conds = append(conds, "e.received_at >= ?")
		args = append(args, f.From)
	}
	if !f.To.IsZero() {
		conds = append(conds, "e.received_at < ?")
		args = append(args, f.To)
	}
	return strings.Join(conds, " AND "), args
}

func likePrefix(p string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(p) + "%"
}

func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

func (s *WebhookStore) Matching(ctx context.Context, sc scope.Scope, f webhook.Filter, limit int) ([]int64, error) {
	where, args := eventWhere(sc, f)
	var out []int64
	err := s.db.conn(ctx).Raw(`SELECT e.id FROM webhook_events e WHERE `+where+` ORDER BY e.id LIMIT ? FOR UPDATE`, append(args, limit)...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("matching events: %w", err)
	}
	return out, nil
}

// CountEvents counts what List pages through for f.
func (s *WebhookStore) CountEvents(ctx context.Context, sc scope.Scope, f webhook.Filter) (int64, error) {
	where, args := eventWhere(sc, f)
	var n int64
	if err := s.db.conn(ctx).Raw(`SELECT count(*) FROM webhook_events e WHERE `+where, args...).Row().Scan(&n); err != nil {
		return 0, fmt.Errorf("count webhook events: %w", err)
	}
	return n, nil
}

func (s *WebhookStore) List(ctx context.Context, sc scope.Scope, f webhook.Filter, p webhook.Page) ([]webhook.Event, string, error) {
	where, args := eventWhere(sc, f)
	if p.Cursor != "" {
		c, err := keyset.Decode(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		where += " AND (e.received_at, e.id) < (?, ?)"
		args = append(args, c.At, c.ID)
	}
	var rows []eventRow
	// The list leaves out the raw body; the detail view reads it.
	err := s.db.conn(ctx).Raw(`SELECT `+eventListCols+` FROM webhook_events e LEFT JOIN tenants t ON t.id = e.tenant_id
		WHERE `+where+` ORDER BY e.received_at DESC, e.id DESC LIMIT ?`, append(args, p.Limit+1)...).Scan(&rows).Error
	if err != nil {
		return nil, "", fmt.Errorf("list events: %w", err)
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		last := rows[len(rows)-1]
		next = keyset.Encode(keyset.Cursor{At: last.ReceivedAt, ID: last.ID})
	}
	out := make([]webhook.Event, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

func (s *WebhookStore) Get(ctx context.Context, sc scope.Scope, pk int64) (webhook.Event, []webhook.Attempt, error) {
	cond, args := scopeCond("e.tenant_id", sc)
	var r eventRow
	res := s.db.conn(ctx).Raw(`SELECT `+eventListCols+`, e.raw FROM webhook_events e LEFT JOIN tenants t ON t.id = e.tenant_id WHERE e.id = ? AND `+cond,
		append([]any{pk}, args...)...).Scan(&r)
	if res.Error != nil {
		return webhook.Event{}, nil, fmt.Errorf("get event: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return webhook.Event{}, nil, apperr.E(apperr.NotFound, "No such webhook event.")
	}
	var as []webhook.Attempt
	err := s.db.conn(ctx).Raw(`SELECT event_pk, attempt, started_at, finished_at, outcome, error, worker FROM webhook_attempts WHERE event_pk = ? ORDER BY id`, pk).Scan(&as).Error
	return r.domain(), as, err
}

func (s *WebhookStore) ListQuarantine(ctx context.Context, sc scope.Scope, p webhook.Page) ([]webhook.Quarantined, string, error) {
	if !sc.IsAll() {
		return []webhook.Quarantined{}, "", nil // deliveries of no tenant
	}
	where, args := "TRUE", []any{}
	if p.Cursor != "" {
		c, err := keyset.Decode(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		where, args = "(received_at, id) < (?, ?)", []any{c.At, c.ID}
	}
	var rows []webhook.Quarantined
	err := s.db.conn(ctx).Raw(`SELECT id, received_at, reason, signing_key_id, signature, remote_ip, body_size, body FROM webhook_quarantine WHERE `+where+
		` ORDER BY received_at DESC, id DESC LIMIT ?`, append(args, p.Limit+1)...).Scan(&rows).Error
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		next = keyset.Encode(keyset.Cursor{At: rows[len(rows)-1].ReceivedAt, ID: rows[len(rows)-1].ID})
	}
	return rows, next, nil
}

func (s *WebhookStore) Counts(ctx context.Context, sc scope.Scope) (webhook.Counts, error) {
	c := webhook.Counts{ByStatus: map[string]int{}, ByType: map[string]int{}}
	type kv struct {
		K string
		N int
	}
	var st, ty []kv
	g := s.db.conn(ctx)
	cond, args := scopeCond("tenant_id", sc)
	if err := g.Raw(`SELECT status AS k, count(*) AS n FROM webhook_events WHERE `+cond+` GROUP BY status`, args...).Scan(&st).Error; err != nil {
		return c, fmt.Errorf("count events: %w", err)
	}
	if err := g.Raw(`SELECT event_type AS k, count(*) AS n FROM webhook_events WHERE `+cond+` GROUP BY event_type ORDER BY 2 DESC LIMIT 50`, args...).Scan(&ty).Error; err != nil {
		return c, fmt.Errorf("count events: %w", err)
	}
	for _, x := range st {
		c.ByStatus[x.K] = x.N
	}
	for _, x := range ty {
		c.ByType[x.K] = x.N
	}
	if sc.IsAll() { // quarantined deliveries belong to no tenant
		if err := g.Raw(`SELECT count(*) FROM webhook_quarantine`).Scan(&c.Quarantined).Error; err != nil {
			return c, fmt.Errorf("count quarantine: %w", err)
		}
	}
	var oldest sql.NullTime
	if err := g.Raw(`SELECT min(received_at) FROM webhook_events WHERE status IN ('received', 'failed') AND `+cond, args...).Scan(&oldest).Error; err != nil {
		return c, fmt.Errorf("oldest open event: %w", err)
	}
	if oldest.Valid {
		c.OldestOpen = &oldest.Time
	}
	return c, nil
}

func (s *WebhookStore) TenantOfAccount(ctx context.Context, accountID string) (uuid.UUID, bool, error) {
	var ids []uuid.UUID
	if err := s.db.conn(ctx).Raw(`SELECT tenant_id FROM partner_accounts WHERE klarna_account_id = ?`, accountID).Scan(&ids).Error; err != nil {
		return uuid.Nil, false, err
	}
	if len(ids) == 0 {
		return uuid.Nil, false, nil
	}
	return ids[0], true, nil
}

// accountLock is the advisory lock of a Klarna account id: shared while an
// event of the account is processed, exclusive while the account is linked.
const accountLock = `hashtextextended('partner_account:' || ?, 0)`

func (s *WebhookStore) HoldAccount(ctx context.Context, accountID string) error {
	g, err := mustTx(ctx, "hold account")
	if err != nil {
		return err
	}
	return g.Exec(`SELECT pg_advisory_xact_lock_shared(`+accountLock+`)`, accountID).Error
}

func (s *WebhookStore) SaveKey(ctx context.Context, id string, sealed []byte) error {
	return s.db.conn(ctx).Exec(`INSERT INTO webhook_signing_keys (id, secret_enc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET secret_enc = EXCLUDED.secret_enc`, id, sealed).Error
}

func (s *WebhookStore) SealedKeys(ctx context.Context) ([]webhook.SealedKey, error) {
	var out []webhook.SealedKey
	err := s.db.conn(ctx).Raw(`SELECT id, secret_enc AS sealed, created_at, accept_until FROM webhook_signing_keys ORDER BY created_at`).Scan(&out).Error
	return out, err
}

func (s *WebhookStore) SetAcceptUntil(ctx context.Context, keep string, until time.Time) error {
	return s.db.conn(ctx).Exec(`UPDATE webhook_signing_keys SET accept_until = ? WHERE id <> ? AND accept_until IS NULL`, until, keep).Error
}

func (s *WebhookStore) SaveSubscription(ctx context.Context, sub webhook.Subscription) error {
	return s.db.conn(ctx).Exec(`INSERT INTO webhook_subscriptions (id, url, event_types, event_version, signing_key_id, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, coalesce(?, now()), now())
		ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, event_types = EXCLUDED.event_types, event_version = EXCLUDED.event_version,
			signing_key_id = EXCLUDED.signing_key_id, status = EXCLUDED.status, updated_at = now()`,
		sub.ID, sub.URL, pq.Array(sub.EventTypes), sub.EventVersion, sub.SigningKeyID, sub.Status, nullTime(sub.CreatedAt)).Error
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *WebhookStore) Subscriptions(ctx context.Context) ([]webhook.Subscription, error) {
	type row struct {
		ID, URL, EventVersion, SigningKeyID, Status string
		EventTypes                                  pq.StringArray `gorm:"type:text[]"`
		CreatedAt, UpdatedAt                        time.Time
	}
	var rows []row
	err := s.db.conn(ctx).Raw(`SELECT id, url, event_types, event_version, signing_key_id, status, created_at, updated_at FROM webhook_subscriptions ORDER BY created_at`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	out := make([]webhook.Subscription, len(rows))
	for i, r := range rows {
		out[i] = webhook.Subscription{ID: r.ID, URL: r.URL, EventTypes: r.EventTypes, EventVersion: r.EventVersion, SigningKeyID: r.SigningKeyID, Status: r.Status, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}
