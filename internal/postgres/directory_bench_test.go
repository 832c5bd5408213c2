package postgres_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

const benchPartners = 100_000

// seedBenchDirectory loads benchPartners partners (SeedBenchPartners).
func seedBenchDirectory(b *testing.B, db *postgres.DB) {
	b.Helper()
	res, err := db.SeedBenchPartners(context.Background(), benchPartners)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d partners (%d linked, %d resources) in %s", res.Partners, res.Linked, res.Resources, res.Took.Round(time.Millisecond))
}

// BenchmarkDirectorySearch measures the directory's search with 100 000
// partners (each with one resource of every kind): by name prefix (a whole
// name but its last digits, and a word's first four letters), by an
// exact Klarna id (a store's), by contact e-mail, and a filtered first page
// (operational, product enabled, sorted by name). Each kind runs through the
// store (GORM, scanning the rows into summaries) and, as the baseline, the
// same SQL straight through pgx. p50/p99 in ms; the goal is p99 < 50 ms.
//
//	go test ./internal/postgres/ -run '^$' -bench BenchmarkDirectorySearch -benchtime 300x
func BenchmarkDirectorySearch(b *testing.B) {
	db := pgtest.New(b)
	seedBenchDirectory(b, db)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() postgres.BenchPartner {
		for {
			if p := postgres.BenchPartnerAt(rng.IntN(benchPartners)); p.Linked {
				return p
			}
		}
	}
	kinds := []struct {
		name   string
		filter func() partner.Filter
		want   func(n int) bool
	}{
		{"name_prefix", func() partner.Filter {
			p := random()
			return partner.Filter{Q: strings.ToLower(p.Name[:len(p.Name)-2])}
		}, func(n int) bool { return n >= 1 }},
		// A word's first letters: about 2 % of all partners match.
		{"name_prefix_short", func() partner.Filter { return partner.Filter{Q: strings.ToLower(random().Name[:4])} }, func(n int) bool { return n == 50 }},
		{"klarna_store_id", func() partner.Filter { return partner.Filter{Q: postgres.BenchID(partner.KindStore, random().I)} }, func(n int) bool { return n == 1 }},
		{"klarna_account_id", func() partner.Filter { return partner.Filter{Q: random().Account} }, func(n int) bool { return n == 1 }},
		{"email", func() partner.Filter { return partner.Filter{Q: strings.ToUpper(random().Email)} }, func(n int) bool { return n == 1 }},
		{"filtered_first_page", func() partner.Filter {
			return partner.Filter{State: "OPERATIONAL", ProductStatus: "ENABLED", Sort: "name"}
		}, func(n int) bool { return n == 50 }},
	}
	report := func(b *testing.B, lat []time.Duration) {
		slices.Sort(lat)
		pct := func(q float64) float64 {
			return float64(lat[min(len(lat)-1, int(float64(len(lat))*q))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
	}
	for _, k := range kinds {
		b.Run(k.name+"/store", func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				f := k.filter()
				f.StuckBefore = time.Now().Add(-10 * time.Minute)
				t0 := time.Now()
				ps, _, err := db.Directory().ListPartners(ctx, scope.All(), f, "", 50)
				lat = append(lat, time.Since(t0))
				if err != nil || !k.want(len(ps)) {
					b.Fatalf("%+v: %d rows, %v", f, len(ps), err)
				}
			}
			report(b, lat)
		})
		b.Run(k.name+"/pgx", func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				f := k.filter()
				f.StuckBefore = time.Now().Add(-10 * time.Minute)
				q, args, err := postgres.DirectoryListSQL(scope.All(), f, 50)
				if err == nil {
					q, args, err = postgres.PgxSQL(q, args)
				}
				if err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				rows, err := db.Pool.Query(ctx, q, args...)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				lat = append(lat, time.Since(t0))
				if rows.Err() != nil || !k.want(min(n, 50)) {
					b.Fatalf("%+v: %d rows, %v", f, n, rows.Err())
				}
			}
			report(b, lat)
		})
	}
}
