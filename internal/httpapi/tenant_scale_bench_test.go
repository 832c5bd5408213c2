package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/audit"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
)

// BenchmarkTenantScale measures /me, the webhook inbox and the audit list
// in-process through the real handler, with 2 and with 10 000 partner
// tenants, 10 000 webhook events and 500 audit events either way. It reports
// p50 and p99 per request in milliseconds:
//
//	go test -run '^$' -bench TenantScale -benchtime 300x ./internal/httpapi/
func BenchmarkTenantScale(b *testing.B) {
	for _, partners := range []int{2, 10000} {
		b.Run(fmt.Sprintf("partners=%d", partners), func(b *testing.B) {
			a := apptest.Start(b, nil, nil)
			seedScale(b, a, partners)
			admin, merchant := a.Login("acquirer-admin"), a.Login("merchant-admin")
			for _, c := range []struct {
				name   string
				client *apitest.Client
				path   string
			}{
				{"me/acquirer-admin", admin, "/api/v1/me"},
				{"webhook-inbox/acquirer-admin", admin, "/api/v1/webhooks/events"},
				{"audit/acquirer-admin", admin, "/api/v1/audit"},
				{"audit/merchant-admin", merchant, "/api/v1/audit"},
			} {
				b.Run(c.name, func(b *testing.B) { measure(b, a, c.client, c.path) })
			}
		})
	}
}

// seedScale adds partner tenants up to partners (the demo seeds 2) with
// one generate_series INSERT, 10 000 webhook events spread over the
// partners, and 500 audit events spread over the first ten partners.
func seedScale(b *testing.B, a *apptest.App, partners int) {
	b.Helper()
	g := a.DB.Gorm
	if n := partners - 2; n > 0 {
		if err := g.Exec(`INSERT INTO tenants (id, kind, slug, name) SELECT gen_random_uuid(), 'partner', 'scale-' || i, 'Scale Partner ' || lpad(i::text, 5, '0') FROM generate_series(1, ?) AS i`, n).Error; err != nil {
			b.Fatal(err)
		}
	}
	// The same 10 000 events at both sizes, spread over the partners, so
	// only the number of tenants differs.
	if err := g.Exec(`WITH p AS (SELECT id, row_number() OVER (ORDER BY slug) - 1 AS rn, count(*) OVER () AS n FROM tenants WHERE kind = 'partner')
		INSERT INTO webhook_events (event_id, event_type, received_at, tenant_id, signing_key_id, raw, envelope, status)
		SELECT 'evt-scale-' || i, 'matrix.seeded', now() - random() * interval '1 day', p.id, 'k', '{}', '{}', 'processed'
		FROM generate_series(0, 9999) AS i JOIN p ON p.rn = i % p.n`).Error; err != nil {
		b.Fatal(err)
	}
	var ids []string
	if err := g.Raw(`SELECT id::text FROM tenants WHERE kind = 'partner' ORDER BY slug LIMIT 10`).Scan(&ids).Error; err != nil {
		b.Fatal(err)
	}
	err := a.DB.InTx(context.Background(), func(ctx context.Context) error {
		for i := range 500 {
			id := uuid.MustParse(ids[i%len(ids)])
			if err := a.Access.Audit.Record(ctx, audit.Entry{TenantID: &id, Action: "scale:seed", TargetType: "scale", TargetID: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := g.Exec(`ANALYZE`).Error; err != nil {
		b.Fatal(err)
	}
}

// measure serves path b.N times through the app's handler with c's session.
func measure(b *testing.B, a *apptest.App, c *apitest.Client, path string) {
	u, _ := url.Parse(a.URL() + path)
	cookies := c.HTTP.Jar.Cookies(u)
	h := a.Handler()
	serve := func() {
		req := httptest.NewRequest(http.MethodGet, u.String(), nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	for range 5 { // warm the caches and the connection pool
		serve()
	}
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		serve()
		took = append(took, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(took)
	pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
