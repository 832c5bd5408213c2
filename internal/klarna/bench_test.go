package klarna_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

func benchEnv(b *testing.B) (*klarna.Client, string) {
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close() })
	p, err := sim.SeedPartner(klarnasim.PartnerSpec{Operational: true})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: p.PartnerAccountID, Count: 50, Silent: true}); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	b.Cleanup(srv.Close)
	c, err := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: srv.URL, APIKey: sim.InitialAPIKey()})
	if err != nil {
		b.Fatal(err)
	}
	return c, p.PartnerAccountID
}

// BenchmarkClientGetDispute measures one typed GET round trip against the
// in-process simulator (client overhead + loopback HTTP + simulator).
func BenchmarkClientGetDispute(b *testing.B) {
	c, _ := benchEnv(b)
	ctx := context.Background()
	l, err := c.ListDisputes(ctx, klarna.ListDisputesParams{Size: 1})
	if err != nil {
		b.Fatal(err)
	}
	id := l.Disputes[0].PaymentDisputeID
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetDispute(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientListDisputes20 measures a 20-dispute page.
func BenchmarkClientListDisputes20(b *testing.B) {
	c, _ := benchEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ListDisputes(ctx, klarna.ListDisputesParams{Size: 20}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientUpdateAccount measures a PATCH with an idempotency key.
func BenchmarkClientUpdateAccount(b *testing.B) {
	c, id := benchEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.UpdateAccount(ctx, id, klarna.PartnerAccount{PartnerAccountName: "Bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
