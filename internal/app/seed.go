package app

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// DemoPartner is a partner the demo seeds: its tenant, and how its account
// is onboarded at the simulator (under the slug as reference).
type DemoPartner struct {
	Slug, Name string
	// At the simulator.
	Email, Country, Currency, LogoURL string
	// Operational skips PARTIALLY_OPERATIONAL; OperationalAfter (simulated
	// time) makes an onboarding that completes during the demo; HoldPartial
	// one that is stuck; Disabled one Klarna support disabled.
	Operational      bool
	OperationalAfter time.Duration
	HoldPartial      bool
	Disabled         bool
}

// DemoPartners are partners A and B of the development personas.
var DemoPartners = []DemoPartner{
	{Slug: "aurora", Name: "Aurora Outfitters", Operational: true},
	{Slug: "borealis", Name: "Borealis Bikes", Operational: true},
}

// DemoDirectory are the other demo partners, one in every onboarding state,
// so each persona sees a realistic directory and status board. They are
// linked when the Klarna account exists (the simulator of `make run`).
var DemoDirectory = []DemoPartner{
	{Slug: "cascade-coffee", Name: "Cascade Coffee Roasters", Operational: true},
	{Slug: "dalarna-design", Name: "Dalarna Design", Country: "FI", Currency: "EUR", Operational: true},
	{Slug: "elm-electronics", Name: "Elm Street Electronics", Operational: true},
	{Slug: "fjord-fashion", Name: "Fjord Fashion", OperationalAfter: 3 * time.Minute},
	{Slug: "granite-games", Name: "Granite Games", Operational: true, Disabled: true},
	// Klarna cannot retrieve this logo (a .invalid host) and says so with
	// partner.account.brand.data-incomplete.
	{Slug: "harbor-home", Name: "Harbor Home Goods", Operational: true, LogoURL: "https://cdn.harbor-home.invalid/logo.png"},
	{Slug: "iris-interiors", Name: "Iris Interiors", HoldPartial: true},
}

// SeedSimulator onboards, at the simulator, each of partners it does not
// hold yet; running it again changes nothing. Dev seeds DemoPartners before
// the app starts and DemoDirectory once it receives webhooks, so their
// events (an onboarding completing, a brand's data incomplete) arrive.
func SeedSimulator(sim *klarnasim.Sim, partners []DemoPartner) error {
	for _, p := range partners {
		if _, ok := sim.PartnerAccountID(p.Slug); ok {
			continue
		}
		email := p.Email
		if email == "" {
			email = "admin@" + p.Slug + ".example"
		}
		if _, err := sim.SeedPartner(klarnasim.PartnerSpec{Reference: p.Slug, Name: p.Name, Email: email, Country: p.Country, Currency: p.Currency,
			LogoURL: p.LogoURL, Operational: p.Operational, OperationalAfterSeconds: int(p.OperationalAfter / time.Second),
			HoldPartial: p.HoldPartial, Disabled: p.Disabled}); err != nil {
			return fmt.Errorf("seeding partner %s in the Klarna simulator: %w", p.Slug, err)
		}
	}
	for _, p := range partners {
		if err := seedCredentials(sim, p.Slug); err != nil {
			return err
		}
	}
	return nil
}

// DemoCredential is a Klarna credential a demo partner holds: an API key,
// or a Web SDK client identifier when Origins is set, created Age ago.
type DemoCredential struct {
	Description string
	Origins     []string
	Age         time.Duration
}

// DemoCredentials are the credentials some demo partners hold at the
// simulator, by slug. Aurora's ERP key is old and was never used, so the
// credentials inventory warns that Klarna is about to disable it.
var DemoCredentials = map[string][]DemoCredential{
	"aurora": {
		{Description: "Legacy ERP sync", Age: 7 * 7 * 24 * time.Hour},
		{Description: "Shop backend, production", Age: 9 * 24 * time.Hour},
		{Description: "Web checkout", Origins: []string{"https://aurora-outfitters.example", "https://*.aurora-outfitters.example"}, Age: 30 * 24 * time.Hour},
	},
	"borealis":       {{Description: "POS integration", Age: 3 * 24 * time.Hour}},
	"cascade-coffee": {{Description: "Online shop", Origins: []string{"https://cascade-coffee.example"}, Age: 14 * 24 * time.Hour}},
}

// seedCredentials gives a demo partner its credentials at the simulator,
// once: a partner that holds any already is left alone.
func seedCredentials(sim *klarnasim.Sim, slug string) error {
	id, ok := sim.PartnerAccountID(slug)
	if !ok || sim.HasCredentials(id) {
		return nil
	}
	for _, c := range DemoCredentials[slug] {
		at := sim.Clock().Now().Add(-c.Age)
		var err error
		if c.Origins != nil {
			_, err = sim.IssuePartnerClientIdentifier(id, c.Description, c.Origins, at)
		} else {
			_, _, err = sim.IssuePartnerAPIKey(id, c.Description, at)
		}
		if err != nil {
			return fmt.Errorf("seeding credentials of %s in the Klarna simulator: %w", slug, err)
		}
	}
	return nil
}

// DemoGroupRoles maps the development IdP's persona groups to roles.
var DemoGroupRoles = []string{
	"pd-acquirer-admins=acquirer:acquirer-admin",
	"pd-acquirer-support=acquirer:acquirer-support",
	"pd-acquirer-finance=acquirer:acquirer-finance",
	"pd-auditors=acquirer:auditor",
	"pd-partner-a-admins=aurora:merchant-admin",
	"pd-partner-a-disputes=aurora:merchant-disputes",
	"pd-partner-a-finance=aurora:merchant-finance",
	"pd-partner-b-admins=borealis:merchant-admin",
}

// SeedDemo creates the demo data that is missing; running it again changes
// nothing.
// With Klarna configured (the simulator, in dev), each demo partner's Klarna
// account, onboarded under the partner's slug as reference, is linked to its
// tenant, which reads its data into the directory. The DemoDirectory
// partners are seeded only where their account exists at Klarna.
func (a *App) SeedDemo(ctx context.Context) error {
	for _, p := range DemoPartners {
		t, err := a.Access.Identity.EnsurePartnerTenant(ctx, p.Slug, p.Name)
		if err != nil {
			return fmt.Errorf("seed partner %s: %w", p.Slug, err)
		}
		if a.Klarna == nil {
			continue
		}
		id, err := a.Klarna.ResolvePartnerAccountID(ctx, p.Slug)
		if err != nil {
			return fmt.Errorf("seed partner %s: find its Klarna account: %w", p.Slug, err)
		}
		if err := a.Partners.LinkAccount(ctx, t.ID, id); err != nil {
			return fmt.Errorf("seed partner %s: %w", p.Slug, err)
		}
		if err := a.refreshDemoCredentials(ctx, p.Slug, t.ID); err != nil {
			return err
		}
	}
	if err := a.linkDemoDirectory(ctx); err != nil {
		return err
	}
	if err := a.seedProductHistory(ctx); err != nil {
		return err
	}
	return a.seedDemoDrafts(ctx)
}

// linkDemoDirectory gives each directory partner the simulator holds a tenant
// linked to its account.
func (a *App) linkDemoDirectory(ctx context.Context) error {
	if a.Klarna == nil {
		return nil
	}
	for _, p := range DemoDirectory {
		id, err := a.Klarna.ResolvePartnerAccountID(ctx, p.Slug)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("seed partner %s: find its Klarna account: %w", p.Slug, err)
		}
		t, err := a.Access.Identity.EnsurePartnerTenant(ctx, p.Slug, p.Name)
		if err != nil {
			return fmt.Errorf("seed partner %s: %w", p.Slug, err)
		}
		if err := a.Partners.LinkAccount(ctx, t.ID, id); err != nil {
			return fmt.Errorf("seed partner %s: %w", p.Slug, err)
		}
		if err := a.refreshDemoCredentials(ctx, p.Slug, t.ID); err != nil {
			return err
		}
	}
	return nil
}

// refreshDemoCredentials reads the credentials of a demo partner that has
// some into the mirror, so the credentials inventory shows them from the
// start.
func (a *App) refreshDemoCredentials(ctx context.Context, slug string, tenantID uuid.UUID) error {
	if len(DemoCredentials[slug]) == 0 {
		return nil
	}
	if err := a.Credentials.Refresh(ctx, tenantID); err != nil {
		return fmt.Errorf("seed partner %s: read its Klarna credentials: %w", slug, err)
	}
	return nil
}

// Subscribe makes sure Klarna delivers webhooks to this instance.
func (a *App) Subscribe(ctx context.Context) error {
	_, err := a.Webhooks.EnsureSubscription(ctx, a.cfg.BaseURL()+"/webhooks/klarna")
	return err
}
