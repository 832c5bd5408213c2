package postgres_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/klarnalog"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

func callRec(at time.Time, partner, op string) klarna.CallRecord {
	return klarna.CallRecord{At: at, Operation: klarna.Operation(op), Method: "GET", Path: "/v2/x", Host: "gateway", PartnerAccount: partner,
		Status: 200, Outcome: "ok", Duration: 12 * time.Millisecond, Attempts: 1, CorrelationID: "corr-" + op}
}

func countCalls(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var n int
	if err := db.Gorm.Raw(`SELECT count(*) FROM klarna_calls`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Calls from many goroutines all land, in batches, and Close writes what
// is still buffered; a call recorded after Close is dropped and counted.
func TestKlarnaCallRecorder_ConcurrentCallsAllLandAndCloseFlushes(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	reg := prometheus.NewRegistry()
	// No timer flush during the test: only full batches and Close write.
	rec := postgres.NewKlarnaCallRecorder(db, postgres.KlarnaCallRecorderOptions{BatchSize: 64, FlushEvery: time.Hour, Registerer: reg})
	const workers, each = 16, 125
	var wg sync.WaitGroup
	now := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rec.RecordCall(callRec(now, "", fmt.Sprintf("op_%d_%d", w, i)))
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countCalls(t, db); n != workers*each {
		t.Fatalf("%d calls written, want %d", n, workers*each)
	}
	rec.RecordCall(callRec(now, "", "late"))
	if got := counterValue(t, reg, "partnerdesk_klarna_call_log_dropped_total", "closed"); got != 1 {
		t.Fatalf("dropped after close = %v, want 1", got)
	}
	if got := counterValue(t, reg, "partnerdesk_klarna_call_log_written_total", ""); got != workers*each {
		t.Fatalf("written = %v", got)
	}
	if err := rec.Close(ctx); err != nil { // twice is fine
		t.Fatal(err)
	}
}

// counterValue is a registered counter's value (with reason, when given).
func counterValue(t *testing.T, reg *prometheus.Registry, name, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.Metric {
			ok := reason == ""
			for _, l := range m.Label {
				ok = ok || (l.GetName() == "reason" && l.GetValue() == reason)
			}
			if ok {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// The timer writes a lone call within FlushEvery, without Close; each row
// gets its partner's tenant from partner_accounts, an unknown or absent
// partner none. The list is scoped in SQL and pages by keyset.
func TestKlarnaCallRecorder_TimerFlushResolvesTenantsAndListIsScoped(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a, b := twoPartners(t, db)
	for acc, tn := range map[string]string{"krn:acc:A": a.ID.String(), "krn:acc:B": b.ID.String()} {
		if err := db.Gorm.Exec(`INSERT INTO partner_accounts (klarna_account_id, tenant_id) VALUES (?, ?)`, acc, tn).Error; err != nil {
			t.Fatal(err)
		}
	}
	rec := postgres.NewKlarnaCallRecorder(db, postgres.KlarnaCallRecorderOptions{FlushEvery: 20 * time.Millisecond})
	t.Cleanup(func() { _ = rec.Close(context.Background()) })
	now := time.Now().UTC().Truncate(time.Microsecond)
	rec.RecordCall(callRec(now.Add(-3*time.Second), "krn:acc:A", "get_brand"))
	rec.RecordCall(callRec(now.Add(-2*time.Second), "krn:acc:A", "update_brand"))
	rec.RecordCall(callRec(now.Add(-1*time.Second), "krn:acc:B", "get_store"))
	rec.RecordCall(callRec(now, "", "list_payment_profiles"))
	rec.RecordCall(callRec(now, "krn:acc:unknown", "get_account"))
	deadline := time.Now().Add(5 * time.Second)
	for countCalls(t, db) < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("the timer did not write the calls: %d", countCalls(t, db))
		}
		time.Sleep(10 * time.Millisecond)
	}
	st := db.KlarnaCalls()
	ctx := t.Context()
	list := func(sc scope.Scope, f klarnalog.Filter, p klarnalog.Page) ([]klarnalog.Call, string) {
		t.Helper()
		if p.Limit == 0 {
			p.Limit = 50
		}
		calls, next, err := st.ListCalls(ctx, sc, f, p)
		if err != nil {
			t.Fatal(err)
		}
		return calls, next
	}
	ownA, _ := list(scope.Tenants(a.ID), klarnalog.Filter{}, klarnalog.Page{})
	if len(ownA) != 2 || ownA[0].Operation != "update_brand" || ownA[0].TenantID == nil || *ownA[0].TenantID != a.ID || ownA[0].TenantName != "A Co" {
		t.Fatalf("A's calls = %+v", ownA)
	}
	if all, _ := list(scope.All(), klarnalog.Filter{}, klarnalog.Page{}); len(all) != 5 {
		t.Fatalf("all tenants see %d calls, want 5 (acquirer and unlinked calls included)", len(all))
	}
	if none, _ := list(scope.None(), klarnalog.Filter{}, klarnalog.Page{}); len(none) != 0 {
		t.Fatalf("the empty scope sees %d calls", len(none))
	}
	if _, err := st.Call(ctx, scope.Tenants(b.ID), ownA[0].ID); err == nil {
		t.Fatal("B reads A's call")
	}
	if c, err := st.Call(ctx, scope.Tenants(a.ID), ownA[0].ID); err != nil || c.CorrelationID != "corr-update_brand" || c.Duration != 12*time.Millisecond {
		t.Fatalf("A's call = %+v, %v", c, err)
	}
	// Keyset paging: one row a page, newest first, nothing twice.
	seen := map[int64]bool{}
	cursor := ""
	for range 10 {
		page, next := list(scope.All(), klarnalog.Filter{}, klarnalog.Page{Limit: 2, Cursor: cursor})
		for _, c := range page {
			if seen[c.ID] {
				t.Fatalf("call %d listed twice", c.ID)
			}
			seen[c.ID] = true
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged through %d calls, want 5", len(seen))
	}
	if got, _ := list(scope.All(), klarnalog.Filter{Search: "corr-get_store"}, klarnalog.Page{}); len(got) != 1 || got[0].Operation != "get_store" {
		t.Fatalf("search by correlation id = %+v", got)
	}
	if got, _ := list(scope.All(), klarnalog.Filter{Operation: "get_brand", From: now.Add(-4 * time.Second), To: now}, klarnalog.Page{}); len(got) != 1 {
		t.Fatalf("operation and time filters = %+v", got)
	}
}

// The retention purge deletes only calls older than the retention period,
// in batches.
func TestKlarnaCallRetention_DeletesOnlyOldRows(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	rec := postgres.NewKlarnaCallRecorder(db, postgres.KlarnaCallRecorderOptions{})
	now := time.Now()
	for i := range 7 {
		rec.RecordCall(callRec(now.Add(-31*24*time.Hour-time.Duration(i)*time.Hour), "", "old"))
	}
	rec.RecordCall(callRec(now.Add(-29*24*time.Hour), "", "recent"))
	rec.RecordCall(callRec(now, "", "new"))
	if err := rec.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A batch of 3 needs three statements for the 7 old rows.
	n, err := db.KlarnaCalls().PurgeCalls(t.Context(), now.Add(-30*24*time.Hour), 3)
	if err != nil || n != 7 {
		t.Fatalf("purged %d, %v; want 7", n, err)
	}
	var left []string
	if err := db.Gorm.Raw(`SELECT operation FROM klarna_calls ORDER BY at`).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(left) != "[recent new]" {
		t.Fatalf("left %v", left)
	}
	// The service purges by its configured retention (here 1 day).
	svc := klarnalog.New(db.KlarnaCalls(), 24*time.Hour)
	if n, err := svc.Purge(t.Context()); err != nil || n != 1 {
		t.Fatalf("service purge: %d, %v; want 1", n, err)
	}
	if countCalls(t, db) != 1 {
		t.Fatal("the new call is gone")
	}
}

// BenchmarkKlarnaCallRecorder is the cost the call log adds to a Klarna
// call: the same GET against the in-process simulator with no recorder and
// with the PostgreSQL recorder (its writes happen on the writer goroutine,
// included in the run's CPU), and RecordCall alone.
func BenchmarkKlarnaCallRecorder(b *testing.B) {
	db := pgtest.New(b)
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close() })
	p, err := sim.SeedPartner(klarnasim.PartnerSpec{Operational: true})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	b.Cleanup(srv.Close)
	client := func(r klarna.Recorder) *klarna.Client {
		c, err := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: srv.URL, APIKey: sim.InitialAPIKey(), Recorder: r})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	ctx := context.Background()
	run := func(b *testing.B, c *klarna.Client) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.GetAccount(ctx, p.PartnerAccountID); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("no_recorder", func(b *testing.B) { run(b, client(nil)) })
	b.Run("recorder", func(b *testing.B) {
		rec := postgres.NewKlarnaCallRecorder(db, postgres.KlarnaCallRecorderOptions{})
		run(b, client(rec))
		b.StopTimer()
		_ = rec.Close(ctx)
	})
	// The writer: 1000 calls recorded and written (two 500-row INSERTs
	// with the tenant lookup); rows/s is what one instance can log.
	b.Run("write_1000", func(b *testing.B) {
		rec := postgres.NewKlarnaCallRecorder(db, postgres.KlarnaCallRecorderOptions{Buffer: 2000, FlushEvery: time.Hour})
		r := callRec(time.Now(), p.PartnerAccountID, "get_account")
		b.ReportAllocs()
		for b.Loop() {
			for range 1000 {
				rec.RecordCall(r)
			}
			if err := rec.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "rows/s")
		b.StopTimer()
		_ = rec.Close(ctx)
	})
	// RecordCall alone, as fast as a loop can call it (far beyond any
	// Klarna rate limit): what is not written in time is dropped and
	// counted (dropped/op), never waited for.
	b.Run("record_call_only", func(b *testing.B) {
		reg := prometheus.NewRegistry()
		rec := postgres.NewKlarnaCallRecorder(db, postgres.KlarnaCallRecorderOptions{Registerer: reg})
		r := callRec(time.Now(), p.PartnerAccountID, "get_account")
		b.ReportAllocs()
		for b.Loop() {
			rec.RecordCall(r)
		}
		b.StopTimer()
		_ = rec.Close(ctx)
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() == "partnerdesk_klarna_call_log_dropped_total" {
				for _, m := range mf.Metric {
					b.ReportMetric(m.GetCounter().GetValue()/float64(b.N), "dropped/op")
				}
			}
		}
	})
}
