package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

// changesApp starts the app against a simulator with partners A and B
// linked, and a change kind "test_store"/"update" that sets a store's URL.
func changesApp(t *testing.T) (*apptest.App, *klarnasim.Sim) {
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
	a := apptest.StartWithKlarna(t, apptest.Config(t), nil, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 2 * time.Second}, func(o *app.Options) { o.ChangeRetryBase = 100 * time.Millisecond })
	if err := a.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	a.Changes.Register("test_store", "update", func(ctx context.Context, k *klarna.Client, c partner.Change, opts ...klarna.CallOption) (any, string, error) {
		var in klarna.Store
		if err := json.Unmarshal(c.Payload, &in); err != nil {
			return nil, "", err
		}
		out, err := k.UpdateStore(ctx, c.AccountID, c.ResourceID, in, opts...)
		return out, "", err
	})
	return a, sim
}

// firstStore is aurora's tenant, its Klarna account and its first store.
func firstStore(t *testing.T, a *apptest.App) (uuid.UUID, string, apigen.PartnerStoreNode) {
	t.Helper()
	admin := a.Login("acquirer-admin")
	ps := bySlug(partnersOf(t, admin, ""))
	aurora := ps["aurora"]
	var d apigen.PartnerDetail
	if err := json.Unmarshal(admin.Get("/api/v1/tenants/"+aurora.TenantId.String()+"/partner").Body, &d); err != nil {
		t.Fatal(err)
	}
	for _, b := range d.Brands {
		for _, g := range b.StoreGroups {
			for _, s := range g.Stores {
				return aurora.TenantId, aurora.KlarnaAccountId, s
			}
		}
	}
	t.Fatalf("aurora has no store: %+v", d)
	return uuid.Nil, "", apigen.PartnerStoreNode{}
}

func enqueueStoreURL(t *testing.T, a *apptest.App, tenant uuid.UUID, account, store, url string) partner.Change {
	t.Helper()
	ctx := actor.With(t.Context(), actor.Actor{Label: "test@example.com"})
	c, err := a.Changes.Enqueue(ctx, "store:update", partner.Change{TenantID: tenant, AccountID: account, Kind: "test_store", Operation: "update",
		ResourceID: store, Payload: json.RawMessage(fmt.Sprintf(`{"url":%q}`, url))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func changesOf(t *testing.T, a *apptest.App, persona string, tenant uuid.UUID, query string) []apigen.PartnerChange {
	t.Helper()
	r := a.Login(persona).Get("/api/v1/tenants/" + tenant.String() + "/partner/changes?" + query)
	if r.Status != 200 {
		t.Fatalf("changes: %d %s", r.Status, r.Body)
	}
	var l apigen.PartnerChangeList
	if err := json.Unmarshal(r.Body, &l); err != nil {
		t.Fatal(err)
	}
	return l.Items
}

// Changes of one account reach Klarna in the order they were made, one per
// second at most, and the partner's page shows the last one once applied.
func TestChangesOfOneAccountAreAppliedInOrderAtMostOnePerSecond(t *testing.T) {
	a, _ := changesApp(t)
	tenant, account, store := firstStore(t, a)
	urls := []string{"https://one.example", "https://two.example", "https://three.example"}
	for _, u := range urls {
		enqueueStoreURL(t, a, tenant, account, store.Id, u)
	}
	var cs []apigen.PartnerChange
	waitFor(t, "three changes applied", 20*time.Second, func() (bool, string) {
		cs = changesOf(t, a, "merchant-admin", tenant, "kind=test_store")
		n := 0
		for _, c := range cs {
			if c.Status == "applied" {
				n++
			}
		}
		return n == 3, fmt.Sprint(len(cs), " changes, ", n, " applied")
	})
	slices.Reverse(cs) // oldest first
	for i, c := range cs {
		if got := c.Payload["url"]; got != urls[i] {
			t.Fatalf("change %d is %v, want %s", i, got, urls[i])
		}
		if c.Attempts != 1 || c.RequestedBy != "test@example.com" || c.ResourceId != store.Id {
			t.Errorf("change %d: %+v", i, c)
		}
		if i > 0 && c.AppliedAt.Sub(*cs[i-1].AppliedAt) < 900*time.Millisecond {
			t.Errorf("changes %d and %d reached Klarna %s apart, less than a second", i-1, i, c.AppliedAt.Sub(*cs[i-1].AppliedAt))
		}
	}
	waitFor(t, "the page shows the last URL", 10*time.Second, func() (bool, string) {
		_, _, s := firstStore(t, a)
		return s.Url == urls[2], s.Url
	})
	// Each change is in the audit trail: who asked, and Klarna's answer.
	var asked, applied int
	if err := a.DB.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE action = 'store:update'), count(*) FILTER (WHERE action = 'partner_change:applied')
		FROM audit_events WHERE target_id = $1`, store.Id).Scan(&asked, &applied); err != nil {
		t.Fatal(err)
	}
	if asked != 3 || applied != 3 {
		t.Errorf("audit: %d asked, %d applied", asked, applied)
	}
}

// A change Klarna refuses fails with Klarna's field errors, and is not
// tried again until someone retries it; a merchant of another partner sees
// none of it.
func TestChangeRefusedByKlarnaFailsWithItsFieldErrorsAndCanBeRetried(t *testing.T) {
	a, _ := changesApp(t)
	tenant, account, store := firstStore(t, a)
	c := enqueueStoreURL(t, a, tenant, account, store.Id, "not a url")
	var got apigen.PartnerChange
	waitFor(t, "the change failed", 10*time.Second, func() (bool, string) {
		cs := changesOf(t, a, "acquirer-admin", tenant, "status=failed")
		if len(cs) == 1 {
			got = cs[0]
		}
		return len(cs) == 1, fmt.Sprint(cs)
	})
	if got.Id != c.ID || got.Attempts != 1 || !strings.Contains(got.Error, "Klarna refused the change") ||
		len(got.FieldErrors) != 1 || got.FieldErrors[0].Field != "url" || got.FieldErrors[0].Message == "" {
		t.Fatalf("failed change: %+v", got)
	}

	other := a.Login("merchant-admin-b")
	if r := other.Get("/api/v1/tenants/" + tenant.String() + "/partner/changes"); r.Status != 404 {
		t.Errorf("another partner's merchant lists the changes: %d %s", r.Status, r.Body)
	}
	if r := other.Send("POST", "/api/v1/tenants/"+tenant.String()+"/partner/changes/"+c.ID.String()+"/retry", "", nil); r.Status != 404 {
		t.Errorf("another partner's merchant retries the change: %d %s", r.Status, r.Body)
	}

	r := a.Login("merchant-admin").Send("POST", "/api/v1/tenants/"+tenant.String()+"/partner/changes/"+c.ID.String()+"/retry", "", nil)
	if r.Status != 200 {
		t.Fatalf("retry: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the retried change failed again", 10*time.Second, func() (bool, string) {
		cs := changesOf(t, a, "acquirer-admin", tenant, "status=failed")
		return len(cs) == 1 && cs[0].UpdatedAt.After(got.UpdatedAt), fmt.Sprint(cs)
	})
}

// The partner page's Boost checklist reads the partner's Klarna tree and its
// users: aurora's product is enabled; it has no client identifier yet.
func TestReadinessChecklistReportsEachItemOfThePartner(t *testing.T) {
	a, _ := changesApp(t)
	tenant, _, _ := firstStore(t, a)
	r := a.Login("merchant-admin").Get("/api/v1/tenants/" + tenant.String() + "/partner/readiness")
	if r.Status != 200 {
		t.Fatalf("readiness: %d %s", r.Status, r.Body)
	}
	var got apigen.PartnerReadiness
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	items := map[string]apigen.PartnerReadinessItem{}
	for _, it := range got.Items {
		items[it.Key] = it
	}
	if it := items["product"]; !it.Ok {
		t.Errorf("product: %+v", it)
	}
	if it := items["client_identifier"]; it.Ok || it.Fix != "credentials" {
		t.Errorf("client identifier: %+v", it)
	}
	if len(items) != 4 {
		t.Errorf("items: %s", r.Body)
	}
	if r := a.Login("merchant-admin-b").Get("/api/v1/tenants/" + tenant.String() + "/partner/readiness"); r.Status != 404 {
		t.Errorf("another partner's merchant: %d", r.Status)
	}
}
