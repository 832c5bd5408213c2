package app

import (
	"context"
	"fmt"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// SeedDemoChanges gives partner A a history of changes pushed to Klarna:
// its brand's logo and icon set to the simulator's demo images (applied)
// and a store type Klarna does not know (failed, with Klarna's field
// error on the store), and partner B a new logo (applied). They are only
// queued here; Klarna applies them within seconds. Partners that have
// changes already are left alone.
func (a *App) SeedDemoChanges(ctx context.Context, simURL string) error {
	if a.Klarna == nil || a.PartnerData == nil {
		return nil
	}
	ctx = actor.With(ctx, actor.Actor{Label: "demo seed"})
	colour := map[string]string{"aurora": "orange", "borealis": "green"}
	for _, p := range DemoPartners {
		t, err := a.DB.Identity().TenantBySlug(ctx, p.Slug)
		if err != nil {
			return fmt.Errorf("seed changes of %s: %w", p.Slug, err)
		}
		if cs, _, err := a.Changes.List(ctx, scope.All(), t.ID, partner.ChangeFilter{Limit: 1}); err != nil || len(cs) > 0 {
			continue
		}
		tree, err := a.Directory.Tree(ctx, scope.All(), t.ID)
		if err == nil && tree.Summary.SyncedAt == nil && tree.Summary.KlarnaAccountID != "" {
			// Linked a moment ago: read the account now rather than wait for its job.
			if err = a.Directory.Sync(ctx, tree.Summary.KlarnaAccountID); err == nil {
				tree, err = a.Directory.Tree(ctx, scope.All(), t.ID)
			}
		}
		if err != nil {
			return fmt.Errorf("seed changes of %s: %w", p.Slug, err)
		}
		if len(tree.Brands) == 0 {
			continue
		}
		b := tree.Brands[0].Brand
		edit := partner.BrandOf(b)
		edit.LogoURL = klarnasim.DemoImageURL(simURL, "logo", colour[p.Slug])
		edit.IconURL = klarnasim.DemoImageURL(simURL, "icon", colour[p.Slug])
		if _, err := a.PartnerData.UpdateBrand(ctx, scope.All(), t.ID, b.BrandID, edit); err != nil {
			return fmt.Errorf("seed changes of %s: %w", p.Slug, err)
		}
		if p.Slug != "aurora" || len(tree.Brands[0].StoreGroups) == 0 || len(tree.Brands[0].StoreGroups[0].Stores) == 0 {
			continue
		}
		st := tree.Brands[0].StoreGroups[0].Stores[0]
		// Klarna's store types are upper case: it refuses "pop-up".
		if _, err := a.PartnerData.UpdateStore(ctx, scope.All(), t.ID, st.StoreID, partner.StoreEdit{StoreDef: partner.StoreDef{Type: "pop-up", URL: st.URL}}); err != nil {
			return fmt.Errorf("seed changes of %s: %w", p.Slug, err)
		}
	}
	return nil
}
