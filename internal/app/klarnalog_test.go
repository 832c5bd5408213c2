package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/klarnalog"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// The demo seed (what `make run` does) goes through the Klarna client, so
// the call log fills: the demo partners' calls are in their tenants, and
// the acquirer's own calls (no partner) only in the all-tenants scope.
func TestDemoSeedFillsTheKlarnaCallLog(t *testing.T) {
	t.Parallel()
	_, kc := settlementSim(t)
	a := apptest.StartWithKlarna(t, nil, nil, kc)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := a.CallLog.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	all, _, err := a.KlarnaLog.List(ctx, scope.All(), klarnalog.Filter{}, klarnalog.Page{Limit: 200})
	if err != nil || len(all) == 0 {
		t.Fatalf("the demo seed logged %d calls (%v)", len(all), err)
	}
	ops := map[string]bool{}
	for _, c := range all {
		ops[string(c.Operation)] = true
	}
	if !ops["resolve_partner_account_id"] || !ops["list_api_keys"] {
		t.Fatalf("logged operations %v", ops)
	}
	tn, err := a.DB.Identity().TenantBySlug(ctx, "aurora")
	if err != nil {
		t.Fatal(err)
	}
	own, _, err := a.KlarnaLog.List(ctx, scope.Tenants(tn.ID), klarnalog.Filter{}, klarnalog.Page{Limit: 200})
	if err != nil || len(own) == 0 {
		t.Fatalf("aurora's calls: %d (%v)", len(own), err)
	}
	for _, c := range own {
		if c.TenantID == nil || *c.TenantID != tn.ID || c.PartnerAccount == "" {
			t.Fatalf("a call in aurora's scope is not aurora's: %+v", c)
		}
	}
}
