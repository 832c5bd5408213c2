package postgres_test

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/auth"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

// BenchmarkSessionLookup measures the latency a request pays to resolve its
// session cookie against PostgreSQL (p50/p99 reported as metrics).
func BenchmarkSessionLookup(b *testing.B) {
	db := pgtest.New(b)
	ctx := context.Background()
	u, err := db.Identity().UpsertUser(ctx, identity.User{ID: uuid.New(), Issuer: "bench", Subject: "s"})
	if err != nil {
		b.Fatal(err)
	}
	svc := auth.New(auth.Config{IdleTimeout: time.Hour, AbsoluteTimeout: time.Hour}, db.Sessions(), nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	// 10 000 live sessions; look up one of them.
	secret := ""
	for i := range 10000 {
		s := uuid.NewString()
		h := sha256.Sum256([]byte(s))
		if err := db.Sessions().CreateSession(ctx, auth.Session{IDHash: h[:], UserID: u.ID, CSRFToken: "c", AuthTime: time.Now(), CreatedAt: time.Now(), LastSeenAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		if i == 5000 {
			secret = s
		}
	}
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		if _, _, err := svc.Lookup(ctx, secret); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
