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
func (a *App) SeedDemo(ctx context.Context) error {
	for _, p := range DemoPartners {
		if _, err := a.Access.Identity.EnsurePartnerTenant(ctx, p.Slug, p.Name); err != nil {
			return fmt.Errorf("seed partner %s: %w", p.Slug, err)
		}
	}
	return nil
}
