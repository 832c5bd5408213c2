package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/httpapi"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// syncBuffer collects the app's log lines from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// credEnv is the app against a simulator holding partners A and B
// (aurora, borealis), linked to their tenants; logs collects every log
// line; simURL is the simulator's base URL.
type credEnv struct {
	a      *apptest.App
	sim    *klarnasim.Sim
	logs   *syncBuffer
	simURL string
}

func credentialsApp(t *testing.T, cfg *config.Config) (a *apptest.App, sim *klarnasim.Sim, logs *syncBuffer) {
	e := newCredEnv(t, cfg)
	return e.a, e.sim, e.logs
}

func newCredEnv(t *testing.T, cfg *config.Config) *credEnv {
	t.Helper()
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.Start(t.Context())
	t.Cleanup(func() { sim.Close() })
	// Partners A and B as the demo has them, without the demo's credentials.
	for _, p := range app.DemoPartners {
		if _, err := sim.SeedPartner(klarnasim.PartnerSpec{Reference: p.Slug, Name: p.Name, Email: "admin@" + p.Slug + ".example", Operational: true}); err != nil {
			t.Fatal(err)
		}
	}
	logs := &syncBuffer{}
	a := apptest.StartWithKlarna(t, cfg, logs, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 5 * time.Second})
	return &credEnv{a: a, sim: sim, logs: logs, simURL: srv.URL}
}

func tenantIDOf(t *testing.T, a *apptest.App, slug string) string {
	t.Helper()
	tn, err := a.DB.Identity().TenantBySlug(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID.String()
}

// Offboarding disables every enabled key and client identifier of the
// partner at Klarna, leaves other partners' alone, and is idempotent.
func TestDisableAllForPartnerDisablesEachCredentialOnceAndLeavesOthers(t *testing.T) {
	t.Parallel()
	a, sim, _ := credentialsApp(t, nil)
	ctx := t.Context()
	aurora, _ := sim.PartnerAccountID("aurora")
	borealis, _ := sim.PartnerAccountID("borealis")
	for _, acc := range []string{aurora, borealis} {
		for _, d := range []string{"backend", "reports"} {
			if _, err := a.Klarna.CreateAPIKey(ctx, d, klarna.OnBehalfOf(acc)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Klarna.CreateClientIdentifier(ctx, "web", []string{"https://shop.example"}, klarna.OnBehalfOf(acc)); err != nil {
			t.Fatal(err)
		}
	}
	tn, err := a.DB.Identity().TenantBySlug(ctx, "aurora")
	if err != nil {
		t.Fatal(err)
	}
	n, err := a.Credentials.DisableAllForPartner(ctx, tn.ID)
	if err != nil || n != 3 {
		t.Fatalf("first offboarding: disabled %d, %v; want 3", n, err)
	}
	if n, err := a.Credentials.DisableAllForPartner(ctx, tn.ID); err != nil || n != 0 {
		t.Fatalf("second offboarding: disabled %d, %v; want 0 and no error", n, err)
	}
	enabled := func(acc string) int {
		keys, err := a.Klarna.ListAPIKeys(ctx, klarna.OnBehalfOf(acc))
		if err != nil {
			t.Fatal(err)
		}
		ids, err := a.Klarna.ListClientIdentifiers(ctx, klarna.OnBehalfOf(acc))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, k := range keys {
			if k.Status == "ENABLED" {
				n++
			}
		}
		for _, c := range ids {
			if c.Status == "ENABLED" {
				n++
			}
		}
		return n
	}
	if got := enabled(aurora); got != 0 {
		t.Fatalf("aurora still has %d enabled credentials at Klarna", got)
	}
	if got := enabled(borealis); got != 3 {
		t.Fatalf("borealis has %d enabled credentials at Klarna, want its 3 untouched", got)
	}
	var audited int
	if err := a.DB.Gorm.Raw(`SELECT count(*) FROM audit_events WHERE action LIKE 'credential:disable_%' AND tenant_id = ?`, tn.ID).Scan(&audited).Error; err != nil {
		t.Fatal(err)
	}
	if audited != 3 {
		t.Fatalf("%d disable audit entries, want 3", audited)
	}
}

func partnerCredentials(t *testing.T, c *apitest.Client, tenant string) apigen.PartnerCredentials {
	t.Helper()
	r := c.Get("/api/v1/tenants/" + tenant + "/credentials")
	if r.Status != 200 {
		t.Fatalf("GET credentials: %d %s", r.Status, r.Body)
	}
	return decode[apigen.PartnerCredentials](t, r, 200)
}

// sendWithKey is Send with an Idempotency-Key.
func sendWithKey(t *testing.T, c *apitest.Client, method, path, key string, body []byte) *apitest.Response {
	t.Helper()
	req, err := http.NewRequest(method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	return c.Do(req)
}

// The secret of a new API key is in the create response and nowhere else:
// not in any later response (lists, inventory, audit, a replay of the same
// request), not in any log line, not in any database row, not in the audit
// entry, which names the key by id and description.
func TestAPIKeySecretIsShownOnceAndKeptNowhere(t *testing.T) {
	t.Parallel()
	a, _, logs := credentialsApp(t, nil)
	merchant := a.Login("merchant-admin")
	aurora := tenantIDOf(t, a, "aurora")
	path := "/api/v1/tenants/" + aurora + "/credentials/api-keys"
	body := jsonBody(map[string]string{"description": "shop backend, prod: 2026"})
	r := sendWithKey(t, merchant, "POST", path, "create-key-1", body)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	created := decode[apigen.CreatedAPIKey](t, r, 201)
	secret := created.Secret
	if !strings.HasPrefix(secret, "klarna_test_api_") || created.Key.Status != "ENABLED" || created.Key.CreatedBy == "" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("created = %+v (Cache-Control %q)", created, r.Header.Get("Cache-Control"))
	}
	responses := []*apitest.Response{
		sendWithKey(t, merchant, "POST", path, "create-key-1", body), // a retry: refused, the secret is not kept
		merchant.Get("/api/v1/tenants/" + aurora + "/credentials"),
		merchant.Get("/api/v1/credentials"),
		merchant.Get("/api/v1/audit?limit=200"),
		a.Login("acquirer-admin").Get("/api/v1/credentials?q=" + created.Key.CredentialId),
	}
	if responses[0].Status != 409 {
		t.Fatalf("replay: %d %s, want 409", responses[0].Status, responses[0].Body)
	}
	for _, resp := range responses {
		if bytes.Contains(resp.Body, []byte(secret)) {
			t.Fatalf("a later response holds the secret: %s", resp.Body)
		}
	}
	list := decode[apigen.PartnerCredentials](t, responses[1], 200)
	if len(list.ApiKeys) != 1 || list.ApiKeys[0].CredentialId != created.Key.CredentialId || list.ApiKeys[0].Description != "shop backend, prod: 2026" ||
		list.ApiKeys[0].CreatedBy != created.Key.CreatedBy {
		t.Fatalf("the list shows %+v, want the new key with its creator", list.ApiKeys)
	}
	if n := strings.Count(logs.String(), secret); n != 0 {
		t.Fatalf("the secret is in %d log lines", n)
	}
	// Every row of every table, as text.
	var tables []string
	if err := a.DB.Gorm.Raw(`SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables found", len(tables))
	}
	for _, tb := range tables {
		var n int
		if err := a.DB.Gorm.Raw(`SELECT count(*) FROM `+tb+` x WHERE x::text LIKE '%' || ? || '%'`, secret).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		if n != 0 {
			t.Fatalf("%d rows of %s hold the secret", n, tb)
		}
	}
	var diffs []string
	if err := a.DB.Gorm.Raw(`SELECT diff::text FROM audit_events WHERE action = 'credential:create_api_key' AND target_id = ?`, created.Key.CredentialId).Scan(&diffs).Error; err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || !strings.Contains(diffs[0], "shop backend, prod: 2026") {
		t.Fatalf("audit of the creation = %v, want one entry with the description", diffs)
	}
}

// Disabling a key asks for a recent login, is final (the key stops
// working at Klarna, and nothing turns it back on) and a second disable
// changes nothing.
func TestDisablingAnAPIKeyIsFinal(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t, nil)
	a, sim := e.a, e.sim
	ctx := t.Context()
	acc, _ := sim.PartnerAccountID("aurora")
	k, err := a.Klarna.CreateAPIKey(ctx, "to be disabled", klarna.OnBehalfOf(acc))
	if err != nil {
		t.Fatal(err)
	}
	admin := a.Login("acquirer-admin")
	path := "/api/v1/tenants/" + tenantIDOf(t, a, "aurora") + "/credentials/api-keys/" + k.CredentialID + "/disable"
	r := admin.Send("POST", path, "application/json", nil)
	if r.Status != 200 || decode[apigen.PartnerCredential](t, r, 200).Status != "DISABLED" {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	own, err := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: e.simURL, APIKey: k.Secret, MaxRetryTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := own.ListAPIKeys(ctx); klarna.HTTPStatusOf(err) != 401 {
		t.Fatalf("the disabled key still authenticates at Klarna: %v", err)
	}
	if r := admin.Send("POST", path, "application/json", nil); r.Status != 200 || decode[apigen.PartnerCredential](t, r, 200).Status != "DISABLED" {
		t.Fatalf("second disable: %d %s", r.Status, r.Body)
	}
	for _, rt := range httpapi.Routes() {
		if strings.Contains(rt.Path, "/credentials/api-keys/:credential/") && !strings.HasSuffix(rt.Path, "/disable") {
			t.Errorf("%s %s acts on a key after creation; a disabled key must stay disabled", rt.Method, rt.Path)
		}
	}
}

// Creating and disabling credentials needs a recent login: with an old one
// they are refused before Klarna is called.
func TestCreatingAndDisablingCredentialsNeedARecentLogin(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.StepUpMaxAge = time.Nanosecond
	a, sim, _ := credentialsApp(t, cfg)
	acc, _ := sim.PartnerAccountID("aurora")
	k, err := a.Klarna.CreateAPIKey(t.Context(), "kept", klarna.OnBehalfOf(acc))
	if err != nil {
		t.Fatal(err)
	}
	ci, err := a.Klarna.CreateClientIdentifier(t.Context(), "kept", []string{"https://shop.example"}, klarna.OnBehalfOf(acc))
	if err != nil {
		t.Fatal(err)
	}
	merchant := a.Login("merchant-admin")
	base := "/api/v1/tenants/" + tenantIDOf(t, a, "aurora") + "/credentials"
	for _, req := range []struct{ path, body string }{
		{base + "/api-keys", `{"description":"new"}`},
		{base + "/api-keys/" + k.CredentialID + "/disable", ``},
		{base + "/client-identifiers", `{"description":"new","origins":["https://shop.example"]}`},
		{base + "/client-identifiers/" + ci.CredentialID + "/disable", ``},
	} {
		if r := merchant.Send("POST", req.path, "application/json", []byte(req.body)); r.Status != 401 || problemCode(r) != "step_up_required" {
			t.Fatalf("POST %s with an old login: %d %s", req.path, r.Status, r.Body)
		}
	}
	got := partnerCredentials(t, merchant, tenantIDOf(t, a, "aurora"))
	if len(got.ApiKeys) != 1 || got.ApiKeys[0].Status != "ENABLED" || len(got.ClientIdentifiers) != 1 || got.ClientIdentifiers[0].Status != "ENABLED" {
		t.Fatalf("after refused requests: %+v", got)
	}
}

func fieldsOf(t *testing.T, r *apitest.Response) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field, Message string }
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// Client identifiers: every bad origin is reported at once on its index;
// wildcard subdomains and http://localhost are accepted; origins are added
// and removed; Klarna's refusal to change a disabled identifier reads as
// a sentence.
func TestClientIdentifierOriginsAreValidatedAllAtOnce(t *testing.T) {
	t.Parallel()
	a, _, _ := credentialsApp(t, nil)
	merchant := a.Login("merchant-admin")
	base := "/api/v1/tenants/" + tenantIDOf(t, a, "aurora") + "/credentials/client-identifiers"
	bad := []string{"https://shop.example", "http://shop.example", "https://*.shop.example", "ftp://shop.example", "https://shop.example/checkout",
		"https://a.*.example", "shop.example", "https://*.example", "http://localhost:5173", "https://shop.example"}
	r := merchant.Send("POST", base, "application/json", jsonBody(map[string]any{"description": "bad/desc", "origins": bad}))
	want := []string{"description", "origins[1]", "origins[3]", "origins[4]", "origins[5]", "origins[6]", "origins[7]", "origins[9]"}
	if got := fieldsOf(t, r); r.Status != 400 || !slices.Equal(got, want) {
		t.Fatalf("bad origins: %d fields %v, want %v (%s)", r.Status, got, want, r.Body)
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("https://shop%d.example", i)
	}
	if r := merchant.Send("POST", base, "application/json", jsonBody(map[string]any{"description": "many", "origins": many})); r.Status != 400 || !slices.Contains(fieldsOf(t, r), "origins") {
		t.Fatalf("101 origins: %d %s", r.Status, r.Body)
	}

	r = merchant.Send("POST", base, "application/json", jsonBody(map[string]any{"description": "web checkout", "origins": []string{"https://*.shop.example", "http://localhost:5173"}}))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	ci := decode[apigen.PartnerCredential](t, r, 201)
	if !strings.HasPrefix(ci.ClientId, "klarna_test_client_") || len(ci.Origins) != 2 {
		t.Fatalf("created %+v", ci)
	}
	origins := base + "/" + ci.CredentialId + "/origins"
	r = merchant.Send("PUT", origins, "application/json", jsonBody(map[string]any{"origins": []string{"https://*.shop.example", "https://shop.example"}}))
	if r.Status != 200 || !slices.Equal(decode[apigen.PartnerCredential](t, r, 200).Origins, []string{"https://*.shop.example", "https://shop.example"}) {
		t.Fatalf("set origins: %d %s", r.Status, r.Body)
	}
	if r := merchant.Send("PUT", origins, "application/json", jsonBody(map[string]any{"origins": []string{"https://shop.example", "https://x.example/p"}})); r.Status != 400 || !slices.Equal(fieldsOf(t, r), []string{"origins[1]"}) {
		t.Fatalf("bad new origin: %d %s", r.Status, r.Body)
	}
	if r := merchant.Send("POST", base+"/"+ci.CredentialId+"/disable", "application/json", nil); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	r = merchant.Send("PUT", origins, "application/json", jsonBody(map[string]any{"origins": []string{"https://shop.example"}}))
	if r.Status != 409 || !strings.Contains(string(r.Body), "Klarna refused to change the client identifier") {
		t.Fatalf("origins of a disabled identifier: %d %s", r.Status, r.Body)
	}
}

// A merchant of another partner gets 404 on every per-partner credentials
// route, whatever it asks, and its inventory holds only its own.
func TestAnotherPartnersCredentialsAreNotFound(t *testing.T) {
	t.Parallel()
	a, sim, _ := credentialsApp(t, nil)
	acc, _ := sim.PartnerAccountID("aurora")
	k, err := a.Klarna.CreateAPIKey(t.Context(), "aurora only", klarna.OnBehalfOf(acc))
	if err != nil {
		t.Fatal(err)
	}
	aurora := tenantIDOf(t, a, "aurora")
	partnerCredentials(t, a.Login("merchant-admin"), aurora) // mirrored
	other := a.Login("merchant-admin-b")
	n := 0
	for _, rt := range httpapi.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/tenants/:tenant/credentials") {
			continue
		}
		n++
		path := strings.NewReplacer(":tenant", aurora, ":credential", k.CredentialID).Replace(rt.Path)
		r := other.Send(rt.Method, path, "application/json", []byte(`{"description":"x","origins":["https://x.example"]}`))
		if rt.Method == "GET" {
			r = other.Get(path)
		}
		if r.Status != 404 {
			t.Errorf("%s %s as another partner's admin: %d %s", rt.Method, rt.Path, r.Status, r.Body)
		}
	}
	if n != 6 {
		t.Fatalf("%d per-partner credential routes, want 6", n)
	}
	inv := decode[apigen.CredentialPage](t, other.Get("/api/v1/credentials?tenant="+aurora), 200)
	if len(inv.Items) != 0 {
		t.Fatalf("another partner's inventory filtered to aurora shows %+v", inv.Items)
	}
	keys, _ := a.Klarna.ListAPIKeys(t.Context(), klarna.OnBehalfOf(acc))
	if len(keys) != 1 || keys[0].Status != "ENABLED" {
		t.Fatalf("aurora's keys at Klarna: %+v", keys)
	}
}

// The inventory lists every partner's credentials for the acquirer, a
// merchant's own for a merchant, filters and pages them, and warns before
// Klarna disables a key left unused, which then shows DISABLED.
func TestCredentialInventoryFiltersPagesAndWarnsBeforeAutoDisable(t *testing.T) {
	t.Parallel()
	a, sim, _ := credentialsApp(t, nil)
	ctx := t.Context()
	aurora, _ := sim.PartnerAccountID("aurora")
	borealis, _ := sim.PartnerAccountID("borealis")
	if _, _, err := sim.IssuePartnerAPIKey(aurora, "old integration", time.Now().Add(-7*7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Klarna.CreateAPIKey(ctx, "fresh key", klarna.OnBehalfOf(aurora)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Klarna.CreateClientIdentifier(ctx, "borealis web", []string{"https://borealis.example"}, klarna.OnBehalfOf(borealis)); err != nil {
		t.Fatal(err)
	}
	admin := a.Login("acquirer-admin")
	partnerCredentials(t, admin, tenantIDOf(t, a, "aurora"))
	partnerCredentials(t, admin, tenantIDOf(t, a, "borealis"))

	inv := func(c *apitest.Client, q string) apigen.CredentialPage {
		t.Helper()
		r := c.Get("/api/v1/credentials?" + q)
		if r.Status != 200 {
			t.Fatalf("inventory ?%s: %d %s", q, r.Status, r.Body)
		}
		return decode[apigen.CredentialPage](t, r, 200)
	}
	descs := func(p apigen.CredentialPage) []string {
		var out []string
		for _, c := range p.Items {
			out = append(out, c.Description)
		}
		return out
	}
	if got := descs(inv(admin, "")); !slices.Equal(got, []string{"borealis web", "fresh key", "old integration"}) {
		t.Fatalf("acquirer inventory: %v", got)
	}
	if got := descs(inv(a.Login("merchant-admin"), "")); !slices.Equal(got, []string{"fresh key", "old integration"}) {
		t.Fatalf("aurora's inventory: %v", got)
	}
	if got := descs(inv(admin, "kind=client_identifier")); !slices.Equal(got, []string{"borealis web"}) {
		t.Fatalf("kind filter: %v", got)
	}
	if got := descs(inv(admin, "q=OLD")); !slices.Equal(got, []string{"old integration"}) {
		t.Fatalf("search: %v", got)
	}
	if got := descs(inv(admin, "min_age_days=30")); !slices.Equal(got, []string{"old integration"}) {
		t.Fatalf("age filter: %v", got)
	}
	old := inv(admin, "unused=true")
	if len(old.Items) != 1 || !old.Items[0].UnusedWarning || old.Items[0].AutoDisableAt == nil {
		t.Fatalf("unused filter: %+v", old.Items)
	}
	if left := time.Until(*old.Items[0].AutoDisableAt); left < 8*24*time.Hour || left > 20*24*time.Hour {
		t.Fatalf("auto-disable in %s, want about 12 days", left)
	}
	p1 := inv(admin, "limit=2")
	if len(p1.Items) != 2 || p1.NextCursor == nil {
		t.Fatalf("first page: %+v", p1)
	}
	if p2 := inv(admin, "limit=2&cursor="+*p1.NextCursor); !slices.Equal(descs(p2), []string{"old integration"}) || p2.NextCursor != nil {
		t.Fatalf("second page: %v", descs(p2))
	}
	if r := admin.Get("/api/v1/credentials?kind=x&status=y&min_age_days=-1&limit=0"); r.Status != 400 || len(fieldsOf(t, r)) != 4 {
		t.Fatalf("bad filters: %d %s", r.Status, r.Body)
	}

	sim.Advance(20 * 24 * time.Hour) // the old key passes two months unused
	got := partnerCredentials(t, admin, tenantIDOf(t, a, "aurora"))
	status := map[string]string{}
	for _, k := range got.ApiKeys {
		status[k.Description] = k.Status
	}
	if status["old integration"] != "DISABLED" || status["fresh key"] != "ENABLED" {
		t.Fatalf("after two months: %v", status)
	}
}

// The demo's partners hold a few credentials from the start, and the
// inventory shows them without anyone opening a partner's tab, with the
// warning on Aurora's old unused key; seeding again adds nothing.
func TestDemoCredentialsShowInTheInventoryWithTheUnusedWarning(t *testing.T) {
	t.Parallel()
	a, sim := demoDirectory(t)
	admin := a.Login("acquirer-admin")
	page := decode[apigen.CredentialPage](t, admin.Get("/api/v1/credentials?limit=200"), 200)
	got := map[string]apigen.PartnerCredential{}
	for _, c := range page.Items {
		got[c.TenantSlug+"/"+c.Description] = c
	}
	want := 0
	for slug, cs := range app.DemoCredentials {
		for _, c := range cs {
			want++
			if _, ok := got[slug+"/"+c.Description]; !ok {
				t.Errorf("the inventory lacks %s's %q: %v", slug, c.Description, got)
			}
		}
	}
	if len(page.Items) != want {
		t.Fatalf("%d credentials in the inventory, want the %d of the demo", len(page.Items), want)
	}
	legacy := got["aurora/Legacy ERP sync"]
	if !legacy.UnusedWarning || legacy.Kind != "api_key" || legacy.Status != "ENABLED" {
		t.Fatalf("Aurora's old key = %+v, want an enabled key with the unused warning", legacy)
	}
	if got["aurora/Shop backend, production"].UnusedWarning {
		t.Fatal("a recent key carries the unused warning")
	}
	if err := app.SeedSimulator(sim, append(app.DemoPartners, app.DemoDirectory...)); err != nil {
		t.Fatal(err)
	}
	if err := a.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	if again := decode[apigen.CredentialPage](t, admin.Get("/api/v1/credentials?limit=200"), 200); len(again.Items) != want {
		t.Fatalf("seeding again: %d credentials, want %d", len(again.Items), want)
	}
}
