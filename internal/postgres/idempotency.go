package postgres

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/idem"
)

// IdempotencyTTL is how long a stored answer is replayed.
const IdempotencyTTL = 24 * time.Hour

// idempotencyPurgeBatch bounds the expired rows each Begin deletes.
const idempotencyPurgeBatch = 100

// IdempotencyStore implements idem.Store.
type IdempotencyStore struct{ db *DB }

// Idempotency returns the idempotency-key store.
func (db *DB) Idempotency() *IdempotencyStore { return &IdempotencyStore{db: db} }

var _ idem.Store = (*IdempotencyStore)(nil)

func (s *IdempotencyStore) Begin(ctx context.Context, principal, key, method, path string, hash []byte) (*idem.Response, error) {
	g := s.db.conn(ctx)
	// The expired row for this key, and a bounded batch of any other expired
	// rows (oldest first, on the created_at index): the table never holds
	// much more than a day of keys, without a job of its own.
	cutoff := time.Now().Add(-IdempotencyTTL)
	if err := g.Exec(`DELETE FROM idempotency_keys WHERE (principal = ? AND key = ? AND created_at < ?)
		OR ctid = ANY (ARRAY(SELECT ctid FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?))`,
		principal, key, cutoff, cutoff, idempotencyPurgeBatch).Error; err != nil {
		return nil, fmt.Errorf("idempotency purge: %w", err)
	}
	res := g.Exec(`INSERT INTO idempotency_keys (principal, key, method, path, request_hash) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		principal, key, method, path, hash)
	if res.Error != nil {
		return nil, fmt.Errorf("idempotency begin: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil, nil
	}
	var row struct {
		RequestHash []byte
		Status      *int
		Body        []byte
		ContentType string
		Withheld    bool
	}
	if err := g.Raw(`SELECT request_hash, status, body, content_type, withheld FROM idempotency_keys WHERE principal = ? AND key = ?`, principal, key).Scan(&row).Error; err != nil {
		return nil, fmt.Errorf("idempotency lookup: %w", err)
	}
	if !bytes.Equal(row.RequestHash, hash) {
		return nil, apperr.E(apperr.Conflict, "This Idempotency-Key was already used for a different request.")
	}
	if row.Status == nil {
		return nil, apperr.E(apperr.Conflict, "A request with this Idempotency-Key is still being processed; retry shortly.")
	}
	return &idem.Response{Status: *row.Status, ContentType: row.ContentType, Body: row.Body, Withheld: row.Withheld}, nil
}

func (s *IdempotencyStore) Complete(ctx context.Context, principal, key string, r idem.Response) error {
	body := r.Body
	if r.Withheld {
		body = nil // a secret never reaches this table
	}
	if err := s.db.conn(ctx).Exec(`UPDATE idempotency_keys SET status = ?, body = ?, content_type = ?, withheld = ? WHERE principal = ? AND key = ?`,
		r.Status, body, r.ContentType, r.Withheld, principal, key).Error; err != nil {
		return fmt.Errorf("idempotency complete: %w", err)
	}
	return nil
}

func (s *IdempotencyStore) Release(ctx context.Context, principal, key string) {
	s.db.conn(ctx).Exec(`DELETE FROM idempotency_keys WHERE principal = ? AND key = ? AND status IS NULL`, principal, key)
}
