package postgres_test

import (
	"context"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/idem"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

// Keys older than 24 h are purged by the store itself, in bounded batches,
// and a withheld (secret-bearing) answer keeps no body.
func TestIdempotencyKeysArePurgedAndSecretsWithheld(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, body, created_at)
		SELECT 'user:x', 'old-' || i, 'POST', '/api/v1/x', '\x00'::bytea, 201, 'secret'::bytea, now() - interval '25 hours'
		FROM generate_series(1, 150) i`); err != nil {
		t.Fatal(err)
	}
	count := func(where string) int {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM idempotency_keys WHERE `+where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	s := db.Idempotency()
	for i, want := range []int{50, 0} { // at most 100 per call
		if prev, err := s.Begin(ctx, "user:y", "k"+string(rune('a'+i)), "POST", "/api/v1/tokens", []byte{1}); err != nil || prev != nil {
			t.Fatalf("begin: %v %v", prev, err)
		}
		if n := count(`key LIKE 'old-%'`); n != want {
			t.Fatalf("after %d Begin calls %d expired keys are left, want %d", i+1, n, want)
		}
	}
	if err := s.Complete(ctx, "user:y", "ka", idem.Response{Status: 201, ContentType: "application/json", Body: []byte(`{"secret":"pdt_x"}`), Withheld: true}); err != nil {
		t.Fatal(err)
	}
	if n := count(`key = 'ka' AND body IS NULL AND withheld`); n != 1 {
		t.Fatal("a withheld answer kept its body")
	}
	prev, err := s.Begin(ctx, "user:y", "ka", "POST", "/api/v1/tokens", []byte{1})
	if err != nil || prev == nil || !prev.Withheld || len(prev.Body) != 0 {
		t.Fatalf("replay of a withheld answer: %+v %v", prev, err)
	}
}
