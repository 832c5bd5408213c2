package app

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// demoDraftNS names the demo drafts, so seeding again finds them.
var demoDraftNS = uuid.MustParse("4c1f0d7e-9a51-4b7e-8f0a-3d2b1c6e5a90")

// seedDemoDrafts adds onboarding drafts in two states: a new partner half
// filled in (resume it in the wizard), and one Klarna refused with a field
// error to fix. Existing ones are left as they are.
func (a *App) seedDemoDrafts(ctx context.Context) error {
	profile := "krn:partner:global:payment-profile:test:demo"
	if a.Klarna != nil {
		if cat, err := a.Onboarding.Catalogue(ctx); err == nil && len(cat.PaymentProfiles) > 0 {
			profile = cat.PaymentProfiles[0].PaymentProfileID
		}
	}
	half := partner.Onboarding{
		PartnerAccountReference: "DEMO-FJALL-001", PartnerAccountName: "Fjällgården Camping",
		Contact:          partner.Contact{GivenName: "Elin", FamilyName: "Berg", Email: "elin.berg@fjallgarden.example", Phone: "+46705550101"},
		BusinessEntities: []partner.BusinessEntity{{Reference: "DEMO-FJALL-LE-SE", LegalName: "Fjällgården Camping AB"}},
		Brands:           []partner.Brand{}, StoreGroups: []partner.StoreGroup{},
	}
	rejected := partner.Onboarding{
		PartnerAccountReference: "DEMO-LUMEN-001", PartnerAccountName: "Lumen Lighting",
		Contact:          partner.Contact{GivenName: "Oskar", FamilyName: "Nyman", Email: "oskar@lumen-lighting.example", Phone: "+358401234567"},
		BusinessEntities: []partner.BusinessEntity{{Reference: "DEMO-LUMEN-LE-FI", LegalName: "Lumen Lighting Oy", Country: "FI", EnabledMerchantCategoryCodes: []string{"5719"}}},
		PaymentProduct: &partner.PaymentProduct{PaymentProfileID: profile, PaymentAccounts: []partner.PaymentAccount{{
			Reference: "DEMO-LUMEN-PA-EUR", AcquiringAccountID: "krn:partner:global:payment-acquiring-account:test:retired-eur",
			BusinessEntityReference: "DEMO-LUMEN-LE-FI", DefaultMerchantCategoryCode: "5719", DefaultStoreGroupReference: "DEMO-LUMEN-SG-WEB"}}},
		Brands: []partner.Brand{{Reference: "DEMO-LUMEN-BR", DisplayName: "Lumen", LogoURL: "https://lumen-lighting.example/logo.png"}},
		StoreGroups: []partner.StoreGroup{{Reference: "DEMO-LUMEN-SG-WEB", BrandReference: "DEMO-LUMEN-BR", SupportEmail: "help@lumen-lighting.example",
			Stores: []partner.StoreDef{{Reference: "DEMO-LUMEN-ST-FI", Type: "WEBSITE", URL: "https://lumen-lighting.example"}}}},
	}
	// The refused draft names a retired acquiring account; the catalogue
	// offers the right one.
	now := time.Now()
	yesterday := now.Add(-26 * time.Hour)
	drafts := []partner.Draft{
		{Kind: "new", Payload: half, Step: "business_entities", Status: partner.DraftEditing},
		{Kind: "new", Payload: rejected, Step: "review", Status: partner.DraftRejected, Attempts: 1, SubmittedAt: &yesterday, CompletedAt: &yesterday,
			FieldErrors: []apperr.FieldError{{Field: "payment_product.payment_accounts[0].payment_acquiring_account_id", Message: "Klarna: is not one of your payment acquiring accounts"}},
			LastError:   "Klarna refused the data: Request body failed validation"},
	}
	store := a.DB.Onboarding()
	for i := range drafts {
		d := &drafts[i]
		d.ID = uuid.NewSHA1(demoDraftNS, []byte(d.Payload.PartnerAccountReference))
		if _, err := store.Draft(ctx, scope.All(), d.ID); err == nil {
			continue
		} else if !apperr.Is(err, apperr.NotFound) {
			return fmt.Errorf("seed draft %s: %w", d.Payload.PartnerAccountReference, err)
		}
		d.IdempotencyKey, d.Version, d.CreatedAt, d.UpdatedAt = uuid.New(), 1, yesterday, yesterday
		if err := store.CreateDraft(ctx, d); err != nil {
			return fmt.Errorf("seed draft %s: %w", d.Payload.PartnerAccountReference, err)
		}
	}
	return nil
}
