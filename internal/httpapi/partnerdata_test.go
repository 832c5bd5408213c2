package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// klarnaWrites counts the management writes the simulator received.
var klarnaWrites atomic.Int64

// dataApp starts the app against a simulator holding demo partners A and
// B, linked; so tunes the simulator (its rate limits).
func dataApp(t testing.TB, so klarnasim.Options) (*apptest.App, *klarnasim.Sim, string) {
	t.Helper()
	sim, err := klarnasim.New(so)
	if err != nil {
		t.Fatal(err)
	}
	h := sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && strings.HasPrefix(r.URL.Path, "/v2/accounts/") {
			klarnaWrites.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
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
	return a, sim, srv.URL
}

// partnerPage is a partner's page (its tree) as c sees it.
func partnerPage(t testing.TB, c *apitest.Client, tenant uuid.UUID) apigen.PartnerDetail {
	t.Helper()
	r := c.Get("/api/v1/tenants/" + tenant.String() + "/partner")
	if r.Status != 200 {
		t.Fatalf("partner page: %d %s", r.Status, r.Body)
	}
	var d apigen.PartnerDetail
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func tenantOfSlug(t testing.TB, a *apptest.App, slug string) uuid.UUID {
	t.Helper()
	tn, err := a.DB.Identity().TenantBySlug(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

func esc(id string) string { return url.PathEscape(id) }

// send sends a JSON body and expects status want; it returns the change
// queued (for a 202) or the problem's field errors.
func send(t testing.TB, c *apitest.Client, method, path string, body any, want int) (apigen.PartnerChange, map[string]string) {
	t.Helper()
	b, _ := json.Marshal(body)
	r := c.Send(method, path, "application/json", b)
	if r.Status != want {
		t.Fatalf("%s %s: want %d, got %d %s", method, path, want, r.Status, r.Body)
	}
	var ch apigen.PartnerChange
	fields := map[string]string{}
	if want == 202 {
		if err := json.Unmarshal(r.Body, &ch); err != nil {
			t.Fatal(err)
		}
		return ch, nil
	}
	var p struct {
		Errors []struct{ Field, Message string } `json:"errors"`
	}
	_ = json.Unmarshal(r.Body, &p)
	for _, e := range p.Errors {
		fields[e.Field] = e.Message
	}
	return ch, fields
}

// settled waits until change id is applied or failed, and returns it.
func settled(t testing.TB, a *apptest.App, c *apitest.Client, tenant uuid.UUID, id uuid.UUID, within time.Duration) apigen.PartnerChange {
	t.Helper()
	var got apigen.PartnerChange
	deadline := time.Now().Add(within)
	for {
		r := c.Get("/api/v1/tenants/" + tenant.String() + "/partner/changes")
		var l apigen.PartnerChangeList
		_ = json.Unmarshal(r.Body, &l)
		for _, ch := range l.Items {
			if ch.Id == id {
				got = ch
			}
		}
		if got.Status == "applied" || got.Status == "failed" {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("change %s not settled within %s: %+v", id, within, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBrandEdit_AppliedAtKlarnaAndShownOnThePageAudited(t *testing.T) {
	a, sim, simURL := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	aurora := tenantOfSlug(t, a, "aurora")
	merchant := a.Login("merchant-admin")
	brand := partnerPage(t, merchant, aurora).Brands[0]
	logo := klarnasim.DemoImageURL(simURL, "logo", "green")

	ch, _ := send(t, merchant, "PATCH", "/api/v1/tenants/"+aurora.String()+"/partner/brands/"+esc(brand.Id),
		map[string]any{"brand_reference": brand.Reference, "display_name": "Aurora Outdoor", "logo_url": logo}, 202)
	if ch.Status != "pending" || ch.Kind != "brand" || ch.ResourceId != brand.Id {
		t.Fatalf("queued: %+v", ch)
	}
	if got := settled(t, a, merchant, aurora, ch.Id, 15*time.Second); got.Status != "applied" {
		t.Fatalf("not applied: %+v", got)
	}
	waitFor(t, "the page shows the new brand", 10*time.Second, func() (bool, string) {
		b := partnerPage(t, merchant, aurora).Brands[0]
		return b.DisplayName == "Aurora Outdoor" && b.LogoUrl == logo, b.DisplayName + " " + b.LogoUrl
	})
	// Klarna holds it too.
	id, _ := sim.PartnerAccountID("aurora")
	kb, err := a.Klarna.GetBrand(t.Context(), id, brand.Id)
	if err != nil || kb.DisplayName != "Aurora Outdoor" {
		t.Fatalf("at Klarna: %+v %v", kb, err)
	}
	// The audit trail holds who asked, the brand before and after, and Klarna's answer.
	var diff string
	var actor string
	if err := a.DB.Pool.QueryRow(t.Context(), `SELECT diff::text, actor_label FROM audit_events WHERE action = 'brand:update' AND target_id = $1`, brand.Id).Scan(&diff, &actor); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(diff, `"`+brand.DisplayName+`"`) || !strings.Contains(diff, "Aurora Outdoor") || actor == "" {
		t.Fatalf("audit of the edit by %q: %s", actor, diff)
	}
	var applied int
	if err := a.DB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'partner_change:applied' AND target_id = $1`, brand.Id).Scan(&applied); err != nil || applied != 1 {
		t.Fatalf("applied audited %d times: %v", applied, err)
	}
}

func TestBrandEdit_EveryInvalidFieldAtOnceAndNothingQueued(t *testing.T) {
	a, _, _ := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	aurora := tenantOfSlug(t, a, "aurora")
	merchant := a.Login("merchant-admin")
	brand := partnerPage(t, merchant, aurora).Brands[0]
	_, fields := send(t, merchant, "PATCH", "/api/v1/tenants/"+aurora.String()+"/partner/brands/"+esc(brand.Id),
		map[string]any{"display_name": " ", "logo_url": "ftp://logo", "icon_url": "not a url", "feature_image_url": "https://ok.example/f.png"}, 400)
	if len(fields) != 3 || fields["display_name"] == "" || fields["logo_url"] == "" || fields["icon_url"] == "" {
		t.Fatalf("fields: %v", fields)
	}
	if cs := changesOf(t, a, "merchant-admin", aurora, "kind=brand"); len(cs) != 0 {
		t.Fatalf("a refused edit queued %d changes", len(cs))
	}
}

func TestStoreEdit_ImmutableFieldRefused422WithoutAnyKlarnaCall(t *testing.T) {
	a, _, _ := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	aurora := tenantOfSlug(t, a, "aurora")
	merchant := a.Login("merchant-admin")
	store := partnerPage(t, merchant, aurora).Brands[0].StoreGroups[0].Stores[0]
	before := klarnaWrites.Load()
	_, fields := send(t, merchant, "PATCH", "/api/v1/tenants/"+aurora.String()+"/partner/stores/"+esc(store.Id),
		map[string]any{"store_reference": "SOMETHING-ELSE", "type": "WEBSITE", "url": "https://elsewhere.example"}, 422)
	if !strings.Contains(fields["store_reference"], "cannot be changed") {
		t.Fatalf("fields: %v", fields)
	}
	if cs := changesOf(t, a, "merchant-admin", aurora, "kind=store"); len(cs) != 0 {
		t.Fatalf("queued %d changes", len(cs))
	}
	if after := klarnaWrites.Load(); after != before {
		t.Fatalf("Klarna was called: %d writes before, %d after", before, after)
	}
	if got := partnerPage(t, merchant, aurora).Brands[0].StoreGroups[0].Stores[0]; got.Url != store.Url {
		t.Fatalf("the store changed: %+v", got)
	}
}

// Klarna refuses a value our rules let through (its store types are upper
// case): the change fails with Klarna's field error on the form's field.
func TestStoreEdit_RefusedByKlarnaFailsWithTheFieldError(t *testing.T) {
	a, _, _ := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	aurora := tenantOfSlug(t, a, "aurora")
	merchant := a.Login("merchant-admin")
	store := partnerPage(t, merchant, aurora).Brands[0].StoreGroups[0].Stores[0]
	ch, _ := send(t, merchant, "PATCH", "/api/v1/tenants/"+aurora.String()+"/partner/stores/"+esc(store.Id),
		map[string]any{"type": "pop-up", "url": "https://popup.example"}, 202)
	got := settled(t, a, merchant, aurora, ch.Id, 15*time.Second)
	if got.Status != "failed" || len(got.FieldErrors) != 1 || got.FieldErrors[0].Field != "type" || !strings.Contains(got.Error, "Klarna") {
		t.Fatalf("failed change: %+v", got)
	}
	var failed int
	if err := a.DB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'partner_change:failed' AND target_id = $1`, store.Id).Scan(&failed); err != nil || failed != 1 {
		t.Fatalf("failure audited %d times: %v", failed, err)
	}
}

// Three quick edits of one account are queued at once and reach Klarna in
// order, however hard Klarna holds the account's writes back (here one
// every two seconds, answering 429 with Retry-After to anything quicker).
func TestBrandEdits_RateLimitedQueuedThenAppliedInOrder(t *testing.T) {
	limits := klarnasim.DefaultRateLimits()
	limits[klarnasim.CategoryAccountWrites] = klarnasim.RateLimit{PerSecond: 0.5, Burst: 1}
	a, _, _ := dataApp(t, klarnasim.Options{RateLimits: limits})
	aurora := tenantOfSlug(t, a, "aurora")
	merchant := a.Login("merchant-admin")
	brand := partnerPage(t, merchant, aurora).Brands[0]
	names := []string{"Aurora One", "Aurora Two", "Aurora Three"}
	var ids []uuid.UUID
	for _, n := range names {
		ch, _ := send(t, merchant, "PATCH", "/api/v1/tenants/"+aurora.String()+"/partner/brands/"+esc(brand.Id), map[string]any{"display_name": n}, 202)
		if ch.Status != "pending" {
			t.Fatalf("queued: %+v", ch)
		}
		ids = append(ids, ch.Id)
	}
	var applied []apigen.PartnerChange
	for _, id := range ids {
		got := settled(t, a, merchant, aurora, id, 30*time.Second)
		if got.Status != "applied" {
			t.Fatalf("not applied: %+v", got)
		}
		applied = append(applied, got)
	}
	if !sort.SliceIsSorted(applied, func(i, j int) bool { return applied[i].AppliedAt.Before(*applied[j].AppliedAt) }) {
		t.Fatalf("applied out of order: %v %v %v", applied[0].AppliedAt, applied[1].AppliedAt, applied[2].AppliedAt)
	}
	for i := 1; i < len(applied); i++ {
		if gap := applied[i].AppliedAt.Sub(*applied[i-1].AppliedAt); gap < 1500*time.Millisecond {
			t.Errorf("changes %d and %d applied %s apart, quicker than Klarna allows", i-1, i, gap)
		}
	}
	waitFor(t, "the page shows the last name", 10*time.Second, func() (bool, string) {
		b := partnerPage(t, merchant, aurora).Brands[0]
		return b.DisplayName == names[2], b.DisplayName
	})
}

func TestAccountAndEntityEdits_AppliedAndShown(t *testing.T) {
	a, _, _ := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	aurora := tenantOfSlug(t, a, "aurora")
	admin := a.Login("acquirer-admin")
	base := "/api/v1/tenants/" + aurora.String() + "/partner"
	page := partnerPage(t, admin, aurora)
	entity := page.BusinessEntities[0]

	contact, _ := send(t, admin, "PATCH", base+"/account", map[string]any{"given_name": "Ada", "family_name": "Lind", "email": "ada@aurora.example", "phone": "+46701234567"}, 202)
	edit := map[string]any{"partner_business_entity_reference": entity.Reference, "legal_registered_entity_name": "Aurora Outfitters AB",
		"legal_registration_country": entity.Country,
		"operating_addresses":        []map[string]string{{"street_address": "Sveavägen 44", "postal_code": "11134", "city": "Stockholm", "country": "SE"}},
		"stakeholders":               []map[string]any{{"given_name": "Ada", "family_name": "Lind", "date_of_birth": "1984-03-12", "roles": []string{"OWNER"}}}}
	ent, _ := send(t, admin, "PATCH", base+"/business-entities/"+esc(entity.Id), edit, 202)
	created, _ := send(t, admin, "POST", base+"/business-entities", map[string]any{"partner_business_entity_reference": "AURORA-LE-2",
		"legal_registered_entity_name": "Aurora Retail Oy", "legal_registration_country": "FI"}, 202)
	for _, id := range []uuid.UUID{contact.Id, ent.Id, created.Id} {
		if got := settled(t, a, admin, aurora, id, 20*time.Second); got.Status != "applied" {
			t.Fatalf("not applied: %+v", got)
		}
	}
	waitFor(t, "the page shows the contact and both entities", 10*time.Second, func() (bool, string) {
		p := partnerPage(t, admin, aurora)
		var names []string
		for _, e := range p.BusinessEntities {
			names = append(names, e.LegalName)
		}
		return p.Contact.Email == "ada@aurora.example" && slices.Contains(names, "Aurora Outfitters AB") && slices.Contains(names, "Aurora Retail Oy"),
			fmt.Sprint(p.Contact, names)
	})
	// The country of registration stays.
	_, fields := send(t, admin, "PATCH", base+"/business-entities/"+esc(entity.Id), map[string]any{"legal_registered_entity_name": "X", "legal_registration_country": "DK"}, 422)
	if fields["legal_registration_country"] == "" {
		t.Fatalf("fields: %v", fields)
	}
	// A merchant's contact edit needs partner:manage; a merchant admin holds it on its own partner.
	_, fields = send(t, a.Login("merchant-admin"), "PATCH", base+"/account", map[string]any{"given_name": "", "family_name": "", "email": "nope", "phone": "0701"}, 400)
	if fields["email"] == "" || fields["phone"] == "" {
		t.Fatalf("contact fields: %v", fields)
	}
}

func TestNewBrandStoreGroupAndStore_CreatedInTurn(t *testing.T) {
	a, _, simURL := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	aurora := tenantOfSlug(t, a, "aurora")
	merchant := a.Login("merchant-admin")
	base := "/api/v1/tenants/" + aurora.String() + "/partner"
	b, _ := send(t, merchant, "POST", base+"/brands", map[string]any{"brand_reference": "AURORA-BR-2", "display_name": "Aurora Kids", "logo_url": klarnasim.DemoImageURL(simURL, "logo", "pink")}, 202)
	// Until Klarna holds the brand, a store group cannot name it.
	if _, fields := send(t, merchant, "POST", base+"/store-groups", map[string]any{"store_group_reference": "AURORA-SG-2", "brand_reference": "AURORA-BR-2"}, 400); fields["brand_reference"] == "" {
		t.Fatalf("fields: %v", fields)
	}
	if got := settled(t, a, merchant, aurora, b.Id, 15*time.Second); got.Status != "applied" || got.ResourceId == "" {
		t.Fatalf("brand: %+v", got)
	}
	// The store group names a brand of the account: once the brand is read back, it does.
	waitFor(t, "the new brand on the page", 10*time.Second, func() (bool, string) {
		return len(partnerPage(t, merchant, aurora).Brands) == 2, ""
	})
	gc, _ := send(t, merchant, "POST", base+"/store-groups", map[string]any{"store_group_reference": "AURORA-SG-2", "brand_reference": "AURORA-BR-2",
		"support_email": "kids@aurora.example", "social_media_links": []map[string]string{{"provider": "INSTAGRAM", "url": "https://instagram.com/aurorakids"}}}, 202)
	group := settled(t, a, merchant, aurora, gc.Id, 15*time.Second)
	if group.Status != "applied" {
		t.Fatalf("store group: %+v", group)
	}
	waitFor(t, "the new store group on the page", 10*time.Second, func() (bool, string) {
		for _, br := range partnerPage(t, merchant, aurora).Brands {
			for _, g := range br.StoreGroups {
				if g.Id == group.ResourceId {
					return true, ""
				}
			}
		}
		return false, "not yet"
	})
	sc, _ := send(t, merchant, "POST", base+"/stores", map[string]any{"store_reference": "AURORA-ST-2", "store_group_id": group.ResourceId, "type": "WEBSITE", "url": "https://kids.aurora.example"}, 202)
	if got := settled(t, a, merchant, aurora, sc.Id, 15*time.Second); got.Status != "applied" {
		t.Fatalf("store: %+v", got)
	}
	waitFor(t, "the new store on the page", 10*time.Second, func() (bool, string) {
		for _, br := range partnerPage(t, merchant, aurora).Brands {
			for _, g := range br.StoreGroups {
				for _, s := range g.Stores {
					if s.Reference == "AURORA-ST-2" && br.Reference == "AURORA-BR-2" {
						return true, ""
					}
				}
			}
		}
		return false, "not yet"
	})
}

// A merchant of another partner gets 404 on every partner data route of
// this one; a merchant naming another partner's resource under its own
// tenant finds no such resource.
func TestPartnerData_OtherPartnersAre404(t *testing.T) {
	a, _, _ := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	aurora, borealis := tenantOfSlug(t, a, "aurora"), tenantOfSlug(t, a, "borealis")
	other := a.Login("merchant-admin-b")
	page := partnerPage(t, a.Login("acquirer-admin"), aurora)
	brand, group := page.Brands[0], page.Brands[0].StoreGroups[0]
	base := "/api/v1/tenants/" + aurora.String() + "/partner"
	for _, rt := range []struct{ method, path string }{
		{"GET", base + "/data"}, {"GET", base + "/image-check?url=https://x.example/a.png"},
		{"POST", base + "/brands"}, {"PATCH", base + "/brands/" + esc(brand.Id)},
		{"POST", base + "/store-groups"}, {"PATCH", base + "/store-groups/" + esc(group.Id)},
		{"POST", base + "/stores"}, {"PATCH", base + "/stores/" + esc(group.Stores[0].Id)},
		{"PATCH", base + "/account"}, {"POST", base + "/business-entities"}, {"PATCH", base + "/business-entities/" + esc(page.BusinessEntities[0].Id)},
	} {
		var r *apitest.Response
		if rt.method == "GET" {
			r = other.Get(rt.path)
		} else {
			r = other.Send(rt.method, rt.path, "application/json", []byte(`{"display_name":"x","type":"WEBSITE"}`))
		}
		if r.Status != 404 {
			t.Errorf("%s %s: %d %s", rt.method, rt.path, r.Status, r.Body)
		}
	}
	// Borealis's admin names aurora's brand under borealis.
	_, _ = send(t, other, "PATCH", "/api/v1/tenants/"+borealis.String()+"/partner/brands/"+esc(brand.Id), map[string]any{"display_name": "Mine now"}, 404)
}

func TestPartnerData_BrandWarningUntilTheLogoIsFixed(t *testing.T) {
	a, sim, simURL := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	aurora := tenantOfSlug(t, a, "aurora")
	merchant := a.Login("merchant-admin")
	brand := partnerPage(t, merchant, aurora).Brands[0]
	account, _ := sim.PartnerAccountID("aurora")
	// Klarna's partner.account.brand.data-incomplete, as its webhook handler records it.
	if err := a.DB.Directory().AddBrandWarning(t.Context(), account, "partner.account.brand.data-incomplete", brand.Id); err != nil {
		t.Fatal(err)
	}
	view := func() apigen.PartnerData {
		r := merchant.Get("/api/v1/tenants/" + aurora.String() + "/partner/data")
		var d apigen.PartnerData
		if r.Status != 200 || json.Unmarshal(r.Body, &d) != nil {
			t.Fatalf("data: %d %s", r.Status, r.Body)
		}
		return d
	}
	if d := view(); len(d.BrandWarnings) != 1 || d.BrandWarnings[0].BrandId != brand.Id || len(d.ImmutableFields) == 0 {
		t.Fatalf("view: %+v", d)
	}
	ch, _ := send(t, merchant, "PATCH", "/api/v1/tenants/"+aurora.String()+"/partner/brands/"+esc(brand.Id),
		map[string]any{"display_name": brand.DisplayName, "logo_url": klarnasim.DemoImageURL(simURL, "logo", "blue")}, 202)
	settled(t, a, merchant, aurora, ch.Id, 15*time.Second)
	waitFor(t, "the warning resolved", 10*time.Second, func() (bool, string) {
		d := view()
		return len(d.BrandWarnings) == 0, fmt.Sprint(d.BrandWarnings)
	})
}

func TestImageCheck_SimulatorImagesReachableAndPagesNotImages(t *testing.T) {
	a, _, simURL := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	aurora := tenantOfSlug(t, a, "aurora")
	merchant := a.Login("merchant-admin")
	check := func(u string) apigen.PartnerImageCheck {
		r := merchant.Get("/api/v1/tenants/" + aurora.String() + "/partner/image-check?url=" + url.QueryEscape(u))
		var out apigen.PartnerImageCheck
		if r.Status != 200 || json.Unmarshal(r.Body, &out) != nil {
			t.Fatalf("check %s: %d %s", u, r.Status, r.Body)
		}
		return out
	}
	if got := check(klarnasim.DemoImageURL(simURL, "logo", "blue")); got.Status != "reachable" {
		t.Errorf("demo logo: %+v", got)
	}
	if got := check(simURL + "/demo-images/not-an-image.html"); got.Status != "not_image" {
		t.Errorf("page: %+v", got)
	}
	// The app's own address is loopback and not the simulator: never fetched.
	if got := check(a.URL() + "/healthz"); got.Status != "unreachable" || !strings.Contains(got.Message, "public internet") {
		t.Errorf("app's own host: %+v", got)
	}
	if r := a.Login("merchant-finance").Get("/api/v1/tenants/" + aurora.String() + "/partner/image-check?url=https://x.example"); r.Status != 403 {
		t.Errorf("without brand:manage: %d", r.Status)
	}
	// The browser may show the simulator's demo images (http, in dev) as previews.
	if csp := a.Client().Get("/").Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https: "+simURL+";") {
		t.Errorf("CSP: %s", csp)
	}
}

// BenchmarkBrandEditToApplied measures the time from a brand edit (the
// API's 202) to the change applied at the simulator, one edit at a time:
// "back-to-back" edits right after the last was applied (so each waits out
// the account's one-call-a-second pace), "spaced" edits a second apart.
func BenchmarkBrandEditToApplied(b *testing.B) {
	for _, spaced := range []bool{false, true} {
		name := map[bool]string{false: "back-to-back", true: "spaced"}[spaced]
		b.Run(name, func(b *testing.B) { benchBrandEdits(b, spaced) })
	}
}

func benchBrandEdits(b *testing.B, spaced bool) {
	a, _, _ := dataApp(b, klarnasim.Options{})
	aurora := tenantOfSlug(b, a, "aurora")
	merchant := a.Login("merchant-admin")
	brand := partnerPage(b, merchant, aurora).Brands[0]
	var took []time.Duration
	for i := 0; b.Loop(); i++ {
		if spaced {
			b.StopTimer()
			time.Sleep(1100 * time.Millisecond) // past the account's pace: the edit's own latency
			b.StartTimer()
		}
		start := time.Now()
		ch, _ := send(b, merchant, "PATCH", "/api/v1/tenants/"+aurora.String()+"/partner/brands/"+esc(brand.Id), map[string]any{"display_name": fmt.Sprintf("Aurora %d", i)}, 202)
		if got := settled(b, a, merchant, aurora, ch.Id, 30*time.Second); got.Status != "applied" {
			b.Fatalf("not applied: %+v", got)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Milliseconds()), "ms-p50")
	b.ReportMetric(float64(took[len(took)-1].Milliseconds()), "ms-max")
}

// make run's demo partners show a change Klarna applied and one it refused.
func TestSeedDemoChanges_OneAppliedOneFailedOnPartnerA(t *testing.T) {
	a, _, simURL := dataApp(t, klarnasim.Options{DisableRateLimits: true})
	if err := a.SeedDemoChanges(t.Context(), simURL); err != nil {
		t.Fatal(err)
	}
	if err := a.SeedDemoChanges(t.Context(), simURL); err != nil { // again: nothing more
		t.Fatal(err)
	}
	aurora := tenantOfSlug(t, a, "aurora")
	waitFor(t, "an applied and a failed change", 15*time.Second, func() (bool, string) {
		cs := changesOf(t, a, "merchant-admin", aurora, "")
		var st []string
		for _, c := range cs {
			st = append(st, c.Kind+":"+string(c.Status))
		}
		slices.Sort(st)
		return strings.Join(st, ",") == "brand:applied,store:failed", strings.Join(st, ",")
	})
}
