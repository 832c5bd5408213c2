package httpapi_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/identity"
)

type meTenant struct {
	ID, Kind, Slug, Name string
	Roles, Actions       []string
	AllPartners          bool `json:"all_partners"`
}

type tenantPage struct {
	Items []struct {
		ID, Kind, Slug, Name string
	}
	NextCursor *string `json:"next_cursor"`
}

func listTenants(t *testing.T, c *apitest.Client, query string) tenantPage {
	t.Helper()
	r := c.Get("/api/v1/tenants?" + query)
	if r.Status != 200 {
		t.Fatalf("GET /tenants?%s: %d %s", query, r.Status, r.Body)
	}
	var p tenantPage
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// withReachedPartners adds, for a /me tenant marked all_partners, the
// partners it reaches (searched at /tenants) with its actions, so tests can
// look a partner up by slug as the UI does.
func withReachedPartners(t *testing.T, c *apitest.Client, ts []meTenant) []meTenant {
	t.Helper()
	for _, mt := range ts {
		if !mt.AllPartners {
			continue
		}
		for _, it := range listTenants(t, c, "limit=100").Items {
			known := false
			for _, x := range ts {
				known = known || x.ID == it.ID
			}
			if !known {
				ts = append(ts, meTenant{ID: it.ID, Kind: it.Kind, Slug: it.Slug, Name: it.Name, Roles: []string{}, Actions: mt.Actions})
			}
		}
		break
	}
	return ts
}

// /me lists only the tenants where the user holds roles; partners are
// searched at /tenants, scoped to what the caller can see, keyset paged.
func TestTenantDirectory(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	ctx := t.Context()
	for i, name := range []string{"Zephyr Zips", "Yonder Yarns", "Xylo Xpress"} {
		if _, err := a.Access.Identity.EnsurePartnerTenant(ctx, strings.ToLower(strings.Fields(name)[0]), name); err != nil {
			t.Fatalf("partner %d: %v", i, err)
		}
	}
	admin, merchant := a.Login("acquirer-admin"), a.Login("merchant-admin")

	t.Run("OK_MeListsMembershipsOnly", func(t *testing.T) {
		var m struct{ Tenants []meTenant }
		if err := json.Unmarshal(admin.Get("/api/v1/me").Body, &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Tenants) != 1 || m.Tenants[0].Kind != identity.KindAcquirer || !m.Tenants[0].AllPartners {
			t.Fatalf("acquirer admin /me tenants: %+v, want the acquirer alone, reaching all partners", m.Tenants)
		}
		if err := json.Unmarshal(merchant.Get("/api/v1/me").Body, &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Tenants) != 1 || m.Tenants[0].Slug != "aurora" || m.Tenants[0].AllPartners {
			t.Fatalf("merchant /me tenants: %+v, want aurora alone", m.Tenants)
		}
	})
	t.Run("OK_AcquirerPagesThroughEveryTenant", func(t *testing.T) {
		var names []string
		q := "limit=2"
		for range 10 {
			p := listTenants(t, admin, q)
			for _, it := range p.Items {
				names = append(names, it.Name)
			}
			if p.NextCursor == nil {
				break
			}
			q = "limit=2&cursor=" + url.QueryEscape(*p.NextCursor)
		}
		// Acquirer first, then partners by name.
		want := "Northwind Payments,Aurora Outfitters,Borealis Bikes,Xylo Xpress,Yonder Yarns,Zephyr Zips"
		if got := strings.Join(names, ","); !strings.HasSuffix(got, strings.SplitN(want, ",", 2)[1]) || len(names) != 6 {
			t.Fatalf("pages: %s, want %s", got, want)
		}
	})
	t.Run("OK_SearchByNameSlugOrID", func(t *testing.T) {
		if p := listTenants(t, admin, "q=YARN"); len(p.Items) != 1 || p.Items[0].Slug != "yonder" {
			t.Fatalf("q=YARN: %+v", p.Items)
		}
		if p := listTenants(t, admin, "q=xylo"); len(p.Items) != 1 || p.Items[0].Name != "Xylo Xpress" {
			t.Fatalf("q=xylo: %+v", p.Items)
		}
		id := listTenants(t, admin, "q=zephyr").Items[0].ID
		if p := listTenants(t, admin, "q="+id); len(p.Items) != 1 || p.Items[0].ID != id {
			t.Fatalf("q=<id>: %+v", p.Items)
		}
		if p := listTenants(t, admin, "q=%25"); len(p.Items) != 0 {
			t.Fatalf("q=%%: a wildcard matched %+v", p.Items)
		}
	})
	t.Run("OK_MerchantSeesOnlyItsTenant", func(t *testing.T) {
		p := listTenants(t, merchant, "limit=100")
		if len(p.Items) != 1 || p.Items[0].Slug != "aurora" {
			t.Fatalf("merchant sees %+v", p.Items)
		}
		b, err := a.DB.Identity().TenantBySlug(ctx, "borealis")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"q=borealis", "q=" + b.ID.String(), "q=bikes"} {
			if p := listTenants(t, merchant, q); len(p.Items) != 0 {
				t.Fatalf("merchant %s: %+v", q, p.Items)
			}
		}
	})
	t.Run("ErrInvalid_BadParameters", func(t *testing.T) {
		for _, q := range []string{"limit=0", "limit=101", "cursor=nope", "q=" + strings.Repeat("a", 201), "q=a%00b", "q=%ff"} {
			if r := admin.Get("/api/v1/tenants?" + q); r.Status != 400 {
				t.Errorf("%s: %d %s, want 400", q, r.Status, r.Body)
			}
		}
	})
}
