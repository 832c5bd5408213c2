package app_test

import (
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// The demo has a half-filled draft to resume and one Klarna refused with
// a field error; seeding again adds nothing.
func TestSeedDemo_AddsOnboardingDraftsOnce(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil) // seeds once
	if err := a.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	ds, _, err := a.Onboarding.List(t.Context(), scope.All(), partner.DraftFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[partner.DraftStatus][]partner.Draft{}
	for _, d := range ds {
		byStatus[d.Status] = append(byStatus[d.Status], d)
	}
	if len(ds) != 2 || len(byStatus[partner.DraftEditing]) != 1 || len(byStatus[partner.DraftRejected]) != 1 {
		t.Fatalf("drafts: %+v", ds)
	}
	half, rejected := byStatus[partner.DraftEditing][0], byStatus[partner.DraftRejected][0]
	if len(a.Onboarding.Validation(&half)) == 0 || half.Step != "business_entities" {
		t.Fatalf("the half-filled draft: %+v", half)
	}
	if len(rejected.FieldErrors) != 1 || rejected.FieldErrors[0].Field != "payment_product.payment_accounts[0].payment_acquiring_account_id" {
		t.Fatalf("the refused draft: %+v", rejected.FieldErrors)
	}
}
