package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/partnerdesk/partnerdesk/internal/audit"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// auditLockKey is the pg_advisory_xact_lock key that serializes audit
// appends, so the hash chain stays linear under concurrency ("pd-audit").
const auditLockKey int64 = 0x70642d6175646974

// Audit returns the audit trail store.
func (db *DB) Audit() audit.Store { return auditStore{db} }

type auditStore struct{ db *DB }

const auditColumns = `id, occurred_at, actor_id, actor_label, tenant_id, action, target_type, target_id,
	diff::text, request_id, ip, user_agent, prev_hash, hash`

// Append implements audit.Store. It takes the audit advisory lock for the
// rest of the transaction, reads the chain head (last id and hash), inserts
// ev as its successor and moves the head. Under READ COMMITTED (the default) the read after the lock sees
// every committed append; should a caller's stricter isolation hide one, the
// insert fails on the primary key instead of forking the chain.
func (s auditStore) Append(ctx context.Context, ev audit.Event) error {
	tx, err := mustTx(ctx, "audit append")
	if err != nil {
		return err
	}
	if err := tx.Exec(`SELECT pg_advisory_xact_lock(?)`, auditLockKey).Error; err != nil {
		return fmt.Errorf("audit append: lock: %w", err)
	}
	var last struct {
		ID   int64
		Hash []byte
	}
	if err := tx.Raw(`SELECT last_id AS id, last_hash AS hash FROM audit_chain_head`).Scan(&last).Error; err != nil {
		return fmt.Errorf("audit append: read chain head: %w", err)
	}
	diff, err := audit.CanonicalJSON(ev.Diff)
	if err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	ev.ID = last.ID + 1
	ev.OccurredAt = audit.Normalize(ev.OccurredAt)
	ev.Diff = diff
	ev.PrevHash = last.Hash
	if ev.Hash, err = audit.ChainHash(ev.PrevHash, ev); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	err = tx.Exec(`INSERT INTO audit_events
		(id, occurred_at, actor_id, actor_label, tenant_id, action, target_type, target_id,
		 diff, request_id, ip, user_agent, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)`,
		ev.ID, ev.OccurredAt, uuidArg(ev.ActorID), ev.ActorLabel, uuidArg(ev.TenantID), ev.Action, ev.TargetType, ev.TargetID,
		string(ev.Diff), ev.RequestID, ev.IP, ev.UserAgent, bytesArg(ev.PrevHash), ev.Hash).Error
	if err != nil {
		return fmt.Errorf("audit append: insert: %w", err)
	}
	res := tx.Exec(`UPDATE audit_chain_head SET last_id = ?, last_hash = ?`, ev.ID, ev.Hash)
	if res.Error != nil {
		return fmt.Errorf("audit append: move chain head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return errors.New("audit append: the chain head row is missing")
	}
	return nil
}

func uuidArg(id *uuid.UUID) any {
	if id == nil {
		return nil
	}
	return id.String()
}

func bytesArg(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// auditWhere builds the WHERE clause (with leading " WHERE ") on
// audit_events "e" for the events of sc matching f.
func auditWhere(sc scope.Scope, f audit.Filter, cur *keyset.Cursor) (string, []any) {
	cond, args := scopeCond("e.tenant_id", sc)
	conds := []string{cond}
	if f.ActorID != nil {
		conds = append(conds, "e.actor_id = ?")
		args = append(args, f.ActorID.String())
	}
	if f.ActorLabel != "" {
		conds = append(conds, `e.actor_label ILIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(f.ActorLabel)+"%")
	}
	if f.Action != "" {
		if f.ActionIsPrefix() {
			conds = append(conds, `e.action LIKE ? ESCAPE '\'`)
			args = append(args, likeEscape(f.Action)+"%")
		} else {
			conds = append(conds, "e.action = ?")
			args = append(args, f.Action)
		}
	}
	if !f.From.IsZero() {
		conds = append(conds, "e.occurred_at >= ?")
		args = append(args, audit.Normalize(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "e.occurred_at < ?")
		args = append(args, audit.Normalize(f.To))
	}
	if cur != nil {
		conds = append(conds, "(e.occurred_at, e.id) < (?, ?)")
		args = append(args, cur.At, cur.ID)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// auditColumnsOf is auditColumns qualified with a table alias.
func auditColumnsOf(alias string) string {
	cols := strings.Split(auditColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// scanAuditEvent reads a row of auditColumns, followed by extra columns.
func scanAuditEvent(rows *sql.Rows, extra ...any) (audit.Event, error) {
	var ev audit.Event
	var diff string
	dest := append([]any{&ev.ID, &ev.OccurredAt, &ev.ActorID, &ev.ActorLabel, &ev.TenantID, &ev.Action, &ev.TargetType, &ev.TargetID,
		&diff, &ev.RequestID, &ev.IP, &ev.UserAgent, &ev.PrevHash, &ev.Hash}, extra...)
	err := rows.Scan(dest...)
	if err != nil {
		return ev, err
	}
	ev.OccurredAt = ev.OccurredAt.UTC()
	// jsonb prints its own layout; hand out the canonical form that was
	// hashed (a row whose diff no longer parses is left as stored, for
	// Verify to report).
	ev.Diff = []byte(diff)
	if c, err := audit.CanonicalJSON(ev.Diff); err == nil {
		ev.Diff = c
	}
	return ev, nil
}

// List implements audit.Store: keyset paging on (occurred_at, id) desc.
func (s auditStore) List(ctx context.Context, sc scope.Scope, f audit.Filter, p audit.Page) ([]audit.Event, string, error) {
	var cur *keyset.Cursor
	if p.Cursor != "" {
		c, err := keyset.Decode(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		cur = &c
	}
	where, args := auditWhere(sc, f, cur)
	args = append(args, p.Limit+1)
	// The tenant's name comes with the page (a join), not from a lookup of
	// every tenant.
	rows, err := s.db.conn(ctx).Raw(`SELECT `+auditColumnsOf("e")+`, coalesce(t.name, '') FROM audit_events e LEFT JOIN tenants t ON t.id = e.tenant_id`+where+
		` ORDER BY e.occurred_at DESC, e.id DESC LIMIT ?`, args...).Rows()
	if err != nil {
		return nil, "", fmt.Errorf("list audit events: %w", err)
	}
	defer rows.Close()
	evs := make([]audit.Event, 0, p.Limit)
	var name string
	for rows.Next() {
		ev, err := scanAuditEvent(rows, &name)
		if err != nil {
			return nil, "", fmt.Errorf("list audit events: %w", err)
		}
		ev.TenantName = name
		evs = append(evs, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list audit events: %w", err)
	}
	next := ""
	if len(evs) > p.Limit {
		evs = evs[:p.Limit]
		last := evs[len(evs)-1]
		next = keyset.Encode(keyset.Cursor{At: last.OccurredAt, ID: last.ID})
	}
	return evs, next, nil
}

// Stream implements audit.Store: one query whose rows are read as they
// arrive.
func (s auditStore) Stream(ctx context.Context, sc scope.Scope, f audit.Filter, fn func(audit.Event) error) error {
	where, args := auditWhere(sc, f, nil)
	rows, err := s.db.conn(ctx).Raw(`SELECT `+auditColumnsOf("e")+` FROM audit_events e`+where+
		` ORDER BY e.occurred_at DESC, e.id DESC`, args...).Rows()
	if err != nil {
		return fmt.Errorf("stream audit events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		ev, err := scanAuditEvent(rows)
		if err != nil {
			return fmt.Errorf("stream audit events: %w", err)
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stream audit events: %w", err)
	}
	return nil
}

// Verify implements audit.Store: in one read-only snapshot it walks every
// event in id order, holding one row at a time, and then compares the end
// of the walk with the chain head.
func (s auditStore) Verify(ctx context.Context) (audit.VerifyResult, error) {
	var res audit.VerifyResult
	walk := func(tx *gorm.DB) error {
		v := audit.NewVerifier()
		rows, err := tx.Raw(`SELECT ` + auditColumns + ` FROM audit_events ORDER BY id`).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		intact := true
		for intact && rows.Next() {
			ev, err := scanAuditEvent(rows)
			if err != nil {
				return err
			}
			intact = v.Add(ev)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if intact {
			var head struct {
				ID   int64
				Hash []byte
			}
			if err := tx.Raw(`SELECT last_id AS id, last_hash AS hash FROM audit_chain_head`).Scan(&head).Error; err != nil {
				return err
			}
			v.CheckHead(head.ID, head.Hash)
		}
		res = v.Result()
		return nil
	}
	var err error
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		err = walk(tx)
	} else {
		err = s.db.Gorm.WithContext(ctx).Transaction(walk, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	if err != nil {
		return audit.VerifyResult{}, fmt.Errorf("verify audit chain: %w", err)
	}
	return res, nil
}
