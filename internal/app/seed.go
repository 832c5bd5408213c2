package app

import (
	"context"
	"fmt"
)

// DemoPartner is a partner the demo seeds.
type DemoPartner struct{ Slug, Name string }

// DemoPartners are partners A and B of the development personas.
var DemoPartners = []DemoPartner{
	{Slug: "aurora", Name: "Aurora Outfitters"},
	{Slug: "borealis", Name: "Borealis Bikes"},
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
// tenant.
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
	}
	return a.seedDemoDrafts(ctx)
}

// Subscribe makes sure Klarna delivers webhooks to this instance.
func (a *App) Subscribe(ctx context.Context) error {
	_, err := a.Webhooks.EnsureSubscription(ctx, a.cfg.BaseURL()+"/webhooks/klarna")
	return err
}
