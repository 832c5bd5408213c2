//go:build linux

package multiinstance

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// BenchmarkReceive posts signed deliveries with unique event ids through the
// application's HTTP handler (router, middleware, verification, the
// de-duplicating insert and the job enqueue in one transaction) on a pgtest
// database. Building and signing each body (the sender's work, a few µs) is
// inside the timed loop. River processes the events in the background meanwhile, as in
// production. events/s is acknowledged deliveries per second.
func BenchmarkReceive(b *testing.B) {
	cfg := apptest.Config(b)
	cfg.WebhookSigningKeys = []string{signingKeyID + "=" + signingKey}
	a := apptest.Start(b, cfg, nil)
	h := a.Handler()
	var seq atomic.Int64
	post := func(b *testing.B) {
		n := seq.Add(1)
		at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Millisecond)
		body := envelope(uuid.NewString(), "settlement.report.created", "", &at, map[string]any{"payment_reference": fmt.Sprintf("bench-%d", n)})
		req := httptest.NewRequest(http.MethodPost, "/webhooks/klarna", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Klarna-Signing-Key-Id", signingKeyID)
		req.Header.Set("Klarna-Signature", klarna.Sign([]byte(signingKey), body))
		req.RemoteAddr = "127.0.0.1:40000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Errorf("delivery answered %d: %s", rec.Code, rec.Body) // Errorf: also called from RunParallel's goroutines
		}
	}
	b.Run("Serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			post(b)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("Parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(8) // 8 × GOMAXPROCS concurrent deliveries, as Klarna's parallel sends
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				post(b)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
