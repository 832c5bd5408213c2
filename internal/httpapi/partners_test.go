package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// demoDirectory starts the app against a simulator seeded the way `make
// run` seeds it: partners A and B before the app starts, the rest of the
// demo directory once webhooks flow, then linked by SeedDemo.
func demoDirectory(t *testing.T) (*apptest.App, *klarnasim.Sim) {
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
	cfg := apptest.Config(t)
	cfg.PartnerResyncAfter = time.Second
	cfg.PartnerStuckAfter = 2 * time.Second
	a := apptest.StartWithKlarna(t, cfg, nil, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 5 * time.Second})
	if err := a.Subscribe(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := app.SeedSimulator(sim, app.DemoDirectory); err != nil {
		t.Fatal(err)
	}
	if err := a.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	return a, sim
}

func partnersOf(t *testing.T, c *apitest.Client, query string) []apigen.PartnerSummary {
	t.Helper()
	r := c.Get("/api/v1/partners?" + query)
	if r.Status != 200 {
		t.Fatalf("GET /partners?%s: %d %s", query, r.Status, r.Body)
	}
	var p apigen.PartnerPage
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// waitFor polls cond until it holds, failing with what it saw last.
func waitFor(t *testing.T, what string, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last seen: %s", what, within, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func bySlug(ps []apigen.PartnerSummary) map[string]apigen.PartnerSummary {
	out := map[string]apigen.PartnerSummary{}
	for _, p := range ps {
		out[p.TenantSlug] = p
	}
	return out
}

func summaryLine(ps []apigen.PartnerSummary) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.TenantSlug + "=" + string(p.OnboardingStage) + "/" + p.State + "/" + strings.Join(p.Warnings, ",") + " ")
	}
	return b.String()
}

// The demo directory shows every onboarding state from what Klarna holds:
// the accounts read on link, the onboarding in progress turning operational
// by webhook, the brand warning raised by webhook and cleared by a refresh
// after the brand was fixed, the held account stuck; a merchant sees only its
// own partner; seeding again changes nothing.
func TestDemoDirectoryShowsEveryOnboardingStateFromKlarna(t *testing.T) {
	t.Parallel()
	a, sim := demoDirectory(t)
	admin := a.Login("acquirer-admin")

	waitFor(t, "every demo partner read from Klarna", 60*time.Second, func() (bool, string) {
		ps := partnersOf(t, admin, "limit=50")
		got := bySlug(ps)
		ok := len(ps) == 9
		for _, p := range ps {
			ok = ok && p.SyncedAt != nil && p.KlarnaAccountId != ""
		}
		ok = ok && got["granite-games"].OnboardingStage == "disabled" && got["iris-interiors"].Stuck && slices.Contains(got["harbor-home"].Warnings, klarna.EventBrandDataIncomplete)
		return ok, summaryLine(ps)
	})
	got := bySlug(partnersOf(t, admin, "limit=50"))
	for _, slug := range []string{"aurora", "borealis", "cascade-coffee", "dalarna-design", "elm-electronics", "harbor-home"} {
		if p := got[slug]; p.OnboardingStage != "operational" || p.ProductStatus != "ENABLED" || p.EntityCount != 1 || p.BrandCount != 1 || p.StoreCount != 1 || p.PaymentAccountCount != 1 || p.Reference != slug {
			t.Errorf("%s: %+v", slug, p)
		}
	}
	if p := got["fjord-fashion"]; p.OnboardingStage != "partially_operational" {
		t.Errorf("the onboarding in progress: %+v", p)
	}
	if p := got["granite-games"]; p.ProductStatus != "DISABLED" {
		t.Errorf("the disabled partner's product: %+v", p)
	}

	// Filters in the address; search by a Klarna id of a store.
	if ps := partnersOf(t, admin, "onboarding=stuck"); len(ps) < 1 || !slices.ContainsFunc(ps, func(p apigen.PartnerSummary) bool { return p.TenantSlug == "iris-interiors" }) {
		t.Errorf("onboarding=stuck: %s", summaryLine(ps))
	}
	if ps := partnersOf(t, admin, "state=DISABLED"); len(ps) != 1 || ps[0].TenantSlug != "granite-games" {
		t.Errorf("state=DISABLED: %s", summaryLine(ps))
	}
	if r := admin.Get("/api/v1/partners?state=nope&sort=size&limit=0&onboarding=later"); r.Status != 400 || !containsAll(string(r.Body), `"state"`, `"sort"`, `"limit"`, `"onboarding"`) {
		t.Errorf("bad filters must each be named: %d %s", r.Status, r.Body)
	}

	// The partner's page: the tree with Klarna's ids and our references.
	aurora := got["aurora"]
	r := admin.Get("/api/v1/tenants/" + aurora.TenantId.String() + "/partner")
	var d apigen.PartnerDetail
	if err := json.Unmarshal(r.Body, &d); err != nil || r.Status != 200 {
		t.Fatalf("aurora's page: %d %s", r.Status, r.Body)
	}
	if len(d.BusinessEntities) != 1 || d.BusinessEntities[0].Reference != "aurora-LE" || d.BusinessEntities[0].Id == "" ||
		d.PaymentProduct == nil || len(d.PaymentProduct.PaymentAccounts) != 1 || d.PaymentProduct.PaymentAccounts[0].Reference != "aurora-PA-SEK" ||
		d.PaymentProduct.PaymentAccounts[0].BusinessEntityId != d.BusinessEntities[0].Id || d.PaymentProduct.PaymentAccounts[0].MerchantCategoryCode != "5999" ||
		len(d.Brands) != 1 || len(d.Brands[0].StoreGroups) != 1 || d.Brands[0].StoreGroups[0].Reference != "aurora-SG" ||
		len(d.Brands[0].StoreGroups[0].Stores) != 1 || d.Brands[0].StoreGroups[0].Stores[0].Reference != "aurora-ST" || d.Contact.Email != "admin@aurora.example" {
		t.Fatalf("aurora's tree:\n%s", r.Body)
	}
	storeID := d.Brands[0].StoreGroups[0].Stores[0].Id
	if ps := partnersOf(t, admin, "q="+url.QueryEscape(storeID)); len(ps) != 1 || ps[0].TenantSlug != "aurora" {
		t.Errorf("search by a store id: %s", summaryLine(ps))
	}

	// The onboarding in progress turns operational by its webhook.
	sim.Advance(4 * time.Minute)
	waitFor(t, "fjord-fashion operational by webhook", 15*time.Second, func() (bool, string) {
		ps := partnersOf(t, admin, "q=fjord-fashion")
		return len(ps) == 1 && ps[0].OnboardingStage == "operational" && ps[0].OperationalAt != nil, summaryLine(ps)
	})

	// The brand is fixed at Klarna; a refresh shows the warning resolved.
	harbor := got["harbor-home"]
	r = admin.Get("/api/v1/tenants/" + harbor.TenantId.String() + "/partner")
	_ = json.Unmarshal(r.Body, &d)
	if _, err := a.Klarna.UpdateBrand(t.Context(), harbor.KlarnaAccountId, d.Brands[0].Id, klarna.Brand{Element: &klarna.BrandElement{LogoURL: "https://harbor-home.example/logo.png"}}); err != nil {
		t.Fatal(err)
	}
	if r := admin.Send("POST", "/api/v1/tenants/"+harbor.TenantId.String()+"/partner/refresh", "", nil); r.Status != 202 {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the brand warning resolved", 15*time.Second, func() (bool, string) {
		ps := partnersOf(t, admin, "q=harbor-home")
		return len(ps) == 1 && len(ps[0].Warnings) == 0, summaryLine(ps)
	})
	if r := admin.Get("/api/v1/audit?action=partner:refresh"); !strings.Contains(string(r.Body), harbor.KlarnaAccountId) {
		t.Errorf("the refresh is not audited: %s", r.Body)
	}

	// The status board.
	var board apigen.OnboardingBoard
	r = admin.Get("/api/v1/partners/onboarding")
	if err := json.Unmarshal(r.Body, &board); err != nil || r.Status != 200 {
		t.Fatalf("board: %d %s", r.Status, r.Body)
	}
	counts := map[apigen.OnboardingStage]int{}
	var stages []apigen.OnboardingStage
	for _, st := range board.Stages {
		counts[st.Stage] = st.Count
		stages = append(stages, st.Stage)
		if len(st.Items) != st.Count {
			t.Errorf("stage %s lists %d of %d", st.Stage, len(st.Items), st.Count)
		}
	}
	if !slices.Equal(stages, []apigen.OnboardingStage{"draft", "submitted", "partially_operational", "operational", "disabled", "failed", "stuck"}) ||
		counts["operational"] != 7 || counts["disabled"] != 1 || counts["partially_operational"] != 1 || counts["stuck"] != 1 || board.StuckAfterSeconds != 2 {
		t.Fatalf("board counts %v, stages %v:\n%s", counts, stages, r.Body)
	}

	// A merchant: its own partner only, by every route.
	merchant := a.Login("merchant-admin")
	if ps := partnersOf(t, merchant, ""); len(ps) != 1 || ps[0].TenantSlug != "aurora" {
		t.Errorf("the merchant's directory: %s", summaryLine(ps))
	}
	if ps := partnersOf(t, merchant, "q="+url.QueryEscape(harbor.KlarnaAccountId)); len(ps) != 0 {
		t.Errorf("the merchant found another partner by its Klarna id: %s", summaryLine(ps))
	}
	if r := merchant.Get("/api/v1/tenants/" + harbor.TenantId.String() + "/partner"); r.Status != 404 {
		t.Errorf("another partner's page: %d", r.Status)
	}
	if r := merchant.Get("/api/v1/partners/export.csv"); r.Status != 200 || strings.Count(strings.TrimSpace(string(r.Body)), "\n") != 1 || !strings.Contains(string(r.Body), ",aurora,") {
		t.Errorf("the merchant's export:\n%s", r.Body)
	}
	r = merchant.Get("/api/v1/partners/onboarding")
	if strings.Contains(string(r.Body), "harbor-home") || !strings.Contains(string(r.Body), `"tenant_slug":"aurora"`) {
		t.Errorf("the merchant's board:\n%s", r.Body)
	}
	if r := admin.Get("/api/v1/partners/export.csv?state=OPERATIONAL"); strings.Count(strings.TrimSpace(string(r.Body)), "\n") != 7 {
		t.Errorf("the operational export:\n%s", r.Body)
	}

	// Seeding again changes nothing: not the simulator, not the tenants,
	// not the links, not the audit trail.
	count := func(q string) int {
		var n int
		if err := a.DB.Pool.QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := [4]int{sim.Stats().Accounts, count(`SELECT count(*) FROM tenants`), count(`SELECT count(*) FROM partner_accounts`), count(`SELECT count(*) FROM audit_events`)}
	for range 2 {
		if err := app.SeedSimulator(sim, append(append([]app.DemoPartner(nil), app.DemoPartners...), app.DemoDirectory...)); err != nil {
			t.Fatal(err)
		}
		if err := a.SeedDemo(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if after := [4]int{sim.Stats().Accounts, count(`SELECT count(*) FROM tenants`), count(`SELECT count(*) FROM partner_accounts`), count(`SELECT count(*) FROM audit_events`)}; after != before {
		t.Fatalf("seeding again changed (sim accounts, tenants, links, audit rows) from %v to %v", before, after)
	}
}

// A lost webhook does not leave a partner behind: the periodic job re-reads
// the account still partially operational after PARTNER_RESYNC_AFTER and the
// directory shows it operational.
func TestLostWebhookIsRecoveredByTheOverdueJob(t *testing.T) {
	t.Parallel()
	a, sim := demoDirectory(t)
	// Klarna's deliveries are lost from now on.
	sim.SetFaults(klarnasim.Faults{WebhookDropRate: 1})
	on, err := sim.SeedPartner(klarnasim.PartnerSpec{Reference: "lost-webhook-co", Name: "Lost Webhook Co", OperationalAfterSeconds: 30})
	if err != nil {
		t.Fatal(err)
	}
	tn, err := a.Access.Identity.EnsurePartnerTenant(t.Context(), "lost-webhook-co", "Lost Webhook Co")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Partners.LinkAccount(t.Context(), tn.ID, on.PartnerAccountID); err != nil {
		t.Fatal(err)
	}
	admin := a.Login("acquirer-admin")
	waitFor(t, "the new partner read as partially operational", 15*time.Second, func() (bool, string) {
		ps := partnersOf(t, admin, "q=lost-webhook-co")
		return len(ps) == 1 && ps[0].OnboardingStage == "partially_operational" && ps[0].SyncedAt != nil, summaryLine(ps)
	})
	sim.Advance(time.Minute)
	waitFor(t, "the operational webhook dropped", 10*time.Second, func() (bool, string) {
		for _, d := range sim.Deliveries() {
			if d.EventType == klarna.EventAccountOperational && d.Outcome == "dropped" {
				return true, ""
			}
		}
		return false, "no dropped delivery"
	})
	waitFor(t, "the partner operational after the overdue job read it", 20*time.Second, func() (bool, string) {
		ps := partnersOf(t, admin, "q=lost-webhook-co")
		return len(ps) == 1 && ps[0].OnboardingStage == "operational", summaryLine(ps)
	})
}
