package httpapi_test

import (
	"bytes"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// syncBuffer collects the app's log lines from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// credentialsApp is the app against a simulator holding partners A and B
// (aurora, borealis), linked to their tenants; logs collects every log line.
func credentialsApp(t *testing.T) (a *apptest.App, sim *klarnasim.Sim, logs *syncBuffer) {
	t.Helper()
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.Start(t.Context())
	t.Cleanup(func() { sim.Close() })
	if err := app.SeedSimulator(sim, app.DemoPartners); err != nil {
		t.Fatal(err)
	}
	logs = &syncBuffer{}
	a = apptest.StartWithKlarna(t, nil, logs, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 5 * time.Second})
	return a, sim, logs
}

func tenantIDOf(t *testing.T, a *apptest.App, slug string) string {
	t.Helper()
	tn, err := a.DB.Identity().TenantBySlug(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID.String()
}

// Offboarding disables every enabled key and client identifier of the
// partner at Klarna, leaves other partners' alone, and is idempotent.
func TestDisableAllForPartnerDisablesEachCredentialOnceAndLeavesOthers(t *testing.T) {
	t.Parallel()
	a, sim, _ := credentialsApp(t)
	ctx := t.Context()
	aurora, _ := sim.PartnerAccountID("aurora")
	borealis, _ := sim.PartnerAccountID("borealis")
	for _, acc := range []string{aurora, borealis} {
		for _, d := range []string{"backend", "reports"} {
			if _, err := a.Klarna.CreateAPIKey(ctx, d, klarna.OnBehalfOf(acc)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Klarna.CreateClientIdentifier(ctx, "web", []string{"https://shop.example"}, klarna.OnBehalfOf(acc)); err != nil {
			t.Fatal(err)
		}
	}
	tn, err := a.DB.Identity().TenantBySlug(ctx, "aurora")
	if err != nil {
		t.Fatal(err)
	}
	n, err := a.Credentials.DisableAllForPartner(ctx, tn.ID)
	if err != nil || n != 3 {
		t.Fatalf("first offboarding: disabled %d, %v; want 3", n, err)
	}
	if n, err := a.Credentials.DisableAllForPartner(ctx, tn.ID); err != nil || n != 0 {
		t.Fatalf("second offboarding: disabled %d, %v; want 0 and no error", n, err)
	}
	enabled := func(acc string) int {
		keys, err := a.Klarna.ListAPIKeys(ctx, klarna.OnBehalfOf(acc))
		if err != nil {
			t.Fatal(err)
		}
		ids, err := a.Klarna.ListClientIdentifiers(ctx, klarna.OnBehalfOf(acc))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, k := range keys {
			if k.Status == "ENABLED" {
				n++
			}
		}
		for _, c := range ids {
			if c.Status == "ENABLED" {
				n++
			}
		}
		return n
	}
	if got := enabled(aurora); got != 0 {
		t.Fatalf("aurora still has %d enabled credentials at Klarna", got)
	}
	if got := enabled(borealis); got != 3 {
		t.Fatalf("borealis has %d enabled credentials at Klarna, want its 3 untouched", got)
	}
	var audited int
	if err := a.DB.Gorm.Raw(`SELECT count(*) FROM audit_events WHERE action LIKE 'credential:disable_%' AND tenant_id = ?`, tn.ID).Scan(&audited).Error; err != nil {
		t.Fatal(err)
	}
	if audited != 3 {
		t.Fatalf("%d disable audit entries, want 3", audited)
	}
}
