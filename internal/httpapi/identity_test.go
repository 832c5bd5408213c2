package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
)

type meDTO struct {
	User struct {
		ID    string
		Email string
	}
	Tenants   []meTenant
	CSRFToken string `json:"csrf_token"`
	ViaToken  bool   `json:"via_token"`
}

func me(t *testing.T, c *apitest.Client) (meDTO, int) {
	t.Helper()
	r := c.Get("/api/v1/me")
	var m meDTO
	if r.Status == 200 {
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		m.Tenants = withReachedPartners(t, c, m.Tenants)
	}
	return m, r.Status
}

func tenantID(t *testing.T, m meDTO, slug string) string {
	t.Helper()
	for _, tn := range m.Tenants {
		if tn.Slug == slug {
			return tn.ID
		}
	}
	t.Fatalf("tenant %s not visible to %s", slug, m.User.Email)
	return ""
}

func jsonBody(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func problemCode(r *apitest.Response) string {
	var p struct{ Code string }
	_ = json.Unmarshal(r.Body, &p)
	return p.Code
}

func TestLoginShowsRolesPerTenant(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)

	admin, st := me(t, a.Login("acquirer-admin"))
	if st != 200 || len(admin.Tenants) != 3 || admin.Tenants[0].Kind != "acquirer" || admin.Tenants[0].Roles[0] != "acquirer-admin" {
		t.Fatalf("acquirer admin sees %+v", admin.Tenants)
	}
	merchant, _ := me(t, a.Login("merchant-disputes"))
	if len(merchant.Tenants) != 1 || merchant.Tenants[0].Slug != "aurora" || strings.Join(merchant.Tenants[0].Roles, ",") != "merchant-disputes" {
		t.Fatalf("merchant sees %+v", merchant.Tenants)
	}
	if strings.Contains(strings.Join(merchant.Tenants[0].Actions, ","), "user:manage") {
		t.Fatal("dispute handler may manage users")
	}
	if _, st := me(t, a.Client()); st != 401 {
		t.Fatalf("anonymous /me = %d, want 401", st)
	}
}

func TestLoginReturnToMustStayOnSite(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := a.Client()
	for _, rt := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		r := c.Get("/auth/login?login_hint=auditor&return_to=" + strings.ReplaceAll(rt, "/", "%2F"))
		if r.Status != 400 || problemCode(r) != "invalid" {
			t.Errorf("return_to %q: %d %s", rt, r.Status, r.Body)
		}
	}
	r := c.Get("/auth/login?login_hint=auditor&return_to=%2Fdisputes%3Fstate%3Dopen")
	if r.Status != 302 || !strings.HasPrefix(r.Header.Get("Location"), a.IdP.Issuer()) {
		t.Fatalf("same-site return_to refused: %d %s", r.Status, r.Header.Get("Location"))
	}
	loc := r.Header.Get("Location")
	for _, want := range []string{"code_challenge_method=S256", "nonce=", "state=", "login_hint=auditor"} {
		if !strings.Contains(loc, want) {
			t.Errorf("authorize URL lacks %s: %s", want, loc)
		}
	}
}

func TestMutationsNeedCSRFToken(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := a.Login("acquirer-admin")
	m, _ := me(t, c)
	body := jsonBody(map[string]any{"email": "new@aurora.example", "roles": []string{"merchant-finance"}})
	csrf := c.CSRF
	c.CSRF = ""
	r := c.Send("POST", "/api/v1/tenants/"+tenantID(t, m, "aurora")+"/invitations", "application/json", body)
	if r.Status != 403 || !strings.Contains(string(r.Body), "CSRF") {
		t.Fatalf("without CSRF token: %d %s", r.Status, r.Body)
	}
	c.CSRF = "wrong"
	if r := c.Send("POST", "/api/v1/tenants/"+tenantID(t, m, "aurora")+"/invitations", "application/json", body); r.Status != 403 {
		t.Fatalf("wrong CSRF token: %d", r.Status)
	}
	c.CSRF = csrf
	if r := c.Send("POST", "/api/v1/tenants/"+tenantID(t, m, "aurora")+"/invitations", "application/json", body); r.Status != 201 {
		t.Fatalf("with CSRF token: %d %s", r.Status, r.Body)
	}
}

func TestLogoutEndsSessionEverywhere(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := a.Login("auditor")
	r := c.Send("POST", "/auth/logout", "", nil)
	var out struct{ Redirect string }
	_ = json.Unmarshal(r.Body, &out)
	if r.Status != 200 || !strings.HasPrefix(out.Redirect, a.IdP.Issuer()) || !strings.Contains(out.Redirect, "id_token_hint=") {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if _, st := me(t, c); st != 401 {
		t.Fatalf("session still works after logout: %d", st)
	}
	if r := a.Login("acquirer-admin").Get("/api/v1/audit?action=session:logout"); !strings.Contains(string(r.Body), `"actor_label":"auditor@acquirer.example"`) {
		t.Fatalf("the logout is not audited under the user's email: %s", r.Body)
	}
}

func TestDisablingAUserRevokesSessionsAtOnce(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	victim := a.Login("merchant-finance")
	vm, _ := me(t, victim)
	admin := a.Login("merchant-admin")
	aurora := tenantID(t, vm, "aurora")
	r := admin.Send("PUT", "/api/v1/tenants/"+aurora+"/users/"+vm.User.ID+"/disabled", "application/json", []byte(`{"disabled":true}`))
	if r.Status != 204 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if _, st := me(t, victim); st != 401 {
		t.Fatalf("disabled user's session answered %d", st)
	}
	// A partner B admin cannot reach partner A's users at all.
	other := a.Login("merchant-admin-b")
	if r := other.Send("PUT", "/api/v1/tenants/"+aurora+"/users/"+vm.User.ID+"/disabled", "application/json", []byte(`{"disabled":false}`)); r.Status != 404 {
		t.Fatalf("cross-tenant enable: %d", r.Status)
	}
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := a.Login("merchant-admin")
	m, _ := me(t, c)
	aurora := tenantID(t, m, "aurora")

	r := c.Send("POST", "/api/v1/tokens", "application/json", jsonBody(map[string]any{"tenant_id": aurora, "name": "ci", "roles": []string{"acquirer-admin"}, "expires_in_days": 30}))
	if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"roles[0]"`) {
		t.Fatalf("token with a role not held: %d %s", r.Status, r.Body)
	}
	r = c.Send("POST", "/api/v1/tokens", "application/json", jsonBody(map[string]any{"tenant_id": aurora, "name": "ci", "roles": []string{"merchant-admin"}, "expires_in_days": 30}))
	var created struct {
		Token  struct{ ID, Prefix string }
		Secret string
	}
	_ = json.Unmarshal(r.Body, &created)
	if r.Status != 201 || !strings.HasPrefix(created.Secret, "pdt_") || !strings.HasPrefix(created.Secret, created.Token.Prefix) {
		t.Fatalf("create token: %d %s", r.Status, r.Body)
	}
	list := c.Get("/api/v1/tokens")
	if strings.Contains(string(list.Body), created.Secret) {
		t.Fatal("the secret is shown again in the token list")
	}

	bot := a.Client()
	bot.Bearer = created.Secret
	bm, st := me(t, bot)
	if st != 200 || !bm.ViaToken || len(bm.Tenants) != 1 {
		t.Fatalf("token /me: %d %+v", st, bm)
	}
	if r := bot.Get("/api/v1/tenants/" + aurora + "/users"); r.Status != 200 {
		t.Fatalf("token cannot read users it may read: %d", r.Status)
	}
	// Mutations with a token need no CSRF token (no ambient credentials).
	if r := bot.Send("POST", "/api/v1/tenants/"+aurora+"/invitations", "application/json", jsonBody(map[string]any{"email": "bot@aurora.example", "roles": []string{"merchant-finance"}})); r.Status != 201 {
		t.Fatalf("token mutation: %d %s", r.Status, r.Body)
	}
	if r := c.Send("DELETE", "/api/v1/tokens/"+created.Token.ID, "", nil); r.Status != 204 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if _, st := me(t, bot); st != 401 {
		t.Fatalf("revoked token still works: %d", st)
	}
	bot.Bearer = "pdt_not-a-real-token"
	if _, st := me(t, bot); st != 401 {
		t.Fatalf("bogus token: %d", st)
	}
}

func TestSensitiveActionsNeedRecentLogin(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.StepUpMaxAge = time.Nanosecond
	a := apptest.Start(t, cfg, nil)
	c := a.Login("acquirer-admin")
	m, _ := me(t, c)
	r := c.Send("POST", "/api/v1/tokens", "application/json", jsonBody(map[string]any{"tenant_id": tenantID(t, m, "acquirer"), "name": "x", "roles": []string{"acquirer-admin"}, "expires_in_days": 1}))
	if r.Status != 401 || problemCode(r) != "step_up_required" {
		t.Fatalf("token creation with an old login: %d %s", r.Status, r.Body)
	}
	if r := c.Get("/auth/login?step_up=1&return_to=%2Fsettings"); r.Status != 302 || !strings.Contains(r.Header.Get("Location"), "prompt=login") || !strings.Contains(r.Header.Get("Location"), "max_age=0") {
		t.Fatalf("step-up login URL: %s", r.Header.Get("Location"))
	}
}

func TestInvitationBecomesMembershipAtFirstLogin(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	admin := a.Login("acquirer-admin")
	m, _ := me(t, admin)
	aurora := tenantID(t, m, "aurora")
	path := "/api/v1/tenants/" + aurora + "/invitations"

	bad := admin.Send("POST", path, "application/json", jsonBody(map[string]any{"email": "not an email", "roles": []string{"acquirer-admin"}}))
	if bad.Status != 400 || !strings.Contains(string(bad.Body), `"field":"email"`) {
		t.Fatalf("bad invitation: %d %s", bad.Status, bad.Body)
	}
	wrongScope := admin.Send("POST", path, "application/json", jsonBody(map[string]any{"email": "x@y.example", "roles": []string{"acquirer-admin"}}))
	if wrongScope.Status != 400 || !strings.Contains(string(wrongScope.Body), "roles[0]") {
		t.Fatalf("acquirer role in a partner tenant: %d %s", wrongScope.Status, wrongScope.Body)
	}
	// merchant-admin-b (admin@borealis.example) is invited to Aurora too.
	if r := admin.Send("POST", path, "application/json", jsonBody(map[string]any{"email": "Admin@Borealis.example", "roles": []string{"merchant-finance"}})); r.Status != 201 {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	b, _ := me(t, a.Login("merchant-admin-b"))
	if len(b.Tenants) != 2 {
		t.Fatalf("after accepting, merchant-admin-b sees %+v", b.Tenants)
	}
	users := admin.Get("/api/v1/tenants/" + aurora + "/users")
	if !strings.Contains(string(users.Body), `"source":"invitation"`) || strings.Contains(string(users.Body), `"invitations":[{`) {
		t.Fatalf("users after acceptance: %s", users.Body)
	}
}

func TestIdempotencyKeyReplaysFirstAnswer(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := a.Login("acquirer-admin")
	m, _ := me(t, c)
	path := "/api/v1/tenants/" + tenantID(t, m, "borealis") + "/invitations"
	send := func(email string) *apitest.Response {
		req, _ := http.NewRequest("POST", a.URL()+path, strings.NewReader(string(jsonBody(map[string]any{"email": email, "roles": []string{"merchant-finance"}}))))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "invite-1")
		return c.Do(req)
	}
	first, again := send("retry@borealis.example"), send("retry@borealis.example")
	if first.Status != 201 || again.Status != 201 || string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	if other := send("someone-else@borealis.example"); other.Status != 409 {
		t.Fatalf("same key, other body: %d %s", other.Status, other.Body)
	}
}

func TestAuditTrailRecordsAndScopes(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	admin := a.Login("acquirer-admin")
	m, _ := me(t, admin)
	aurora := tenantID(t, m, "aurora")
	admin.Send("POST", "/api/v1/tenants/"+aurora+"/invitations", "application/json", jsonBody(map[string]any{"email": "audited@aurora.example", "roles": []string{"merchant-finance"}}))

	r := admin.Get("/api/v1/audit?action=session:")
	if r.Status != 200 || !strings.Contains(string(r.Body), `"action":"session:login"`) || !strings.Contains(string(r.Body), "admin@acquirer.example") {
		t.Fatalf("acquirer admin audit: %d %s", r.Status, r.Body)
	}
	merchant := a.Login("merchant-admin")
	mr := merchant.Get("/api/v1/audit")
	if mr.Status != 200 || !strings.Contains(string(mr.Body), `"action":"user:invite"`) || strings.Contains(string(mr.Body), `"action":"session:login"`) {
		t.Fatalf("merchant admin must see own tenant's events only: %s", mr.Body)
	}
	if b := a.Login("merchant-admin-b").Get("/api/v1/audit"); strings.Contains(string(b.Body), "audited@aurora.example") {
		t.Fatal("partner B sees partner A's audit events")
	}
	if r := a.Login("merchant-disputes").Get("/api/v1/audit"); r.Status != 403 {
		t.Fatalf("dispute handler reads audit: %d", r.Status)
	}
	csv := a.Login("auditor").Get("/api/v1/audit/export.csv?action=user:")
	if csv.Status != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(csv.Body), "user:invite") {
		t.Fatalf("export: %d %s", csv.Status, csv.Body)
	}
	if r := admin.Get("/api/v1/audit?action=audit:export"); !strings.Contains(string(r.Body), "auditor@acquirer.example") {
		t.Fatalf("the export itself is not audited: %s", r.Body)
	}
	if r := admin.Get("/api/v1/audit?from=yesterday"); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"from"`) {
		t.Fatalf("bad filter: %d %s", r.Status, r.Body)
	}
}

// A role change on one instance reaches another instance's cached enforcer
// within a second (PostgreSQL LISTEN/NOTIFY).
func TestRoleChangesReachOtherInstances(t *testing.T) {
	t.Parallel()
	one := apptest.Start(t, nil, nil)
	cfg := apptest.Config(t)
	cfg.DatabaseURL = one.Config().DatabaseURL
	two := apptest.Start(t, cfg, nil)

	victim := two.Login("merchant-finance")
	vm, _ := me(t, victim)
	aurora := tenantID(t, vm, "aurora")
	if r := victim.Get("/api/v1/tenants/" + aurora + "/users"); r.Status != 403 {
		t.Fatalf("before grant: %d", r.Status)
	}
	admin := one.Login("merchant-admin")
	if r := admin.Send("PUT", fmt.Sprintf("/api/v1/tenants/%s/users/%s/roles/merchant-admin", aurora, vm.User.ID), "", nil); r.Status != 204 {
		t.Fatalf("grant: %d %s", r.Status, r.Body)
	}
	start := time.Now()
	for victim.Get("/api/v1/tenants/"+aurora+"/users").Status != 200 {
		if time.Since(start) > time.Second {
			t.Fatal("the grant did not reach the other instance within 1 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.LoginRateLimit = 3
	a := apptest.Start(t, cfg, nil)
	c := a.Client()
	codes := []int{}
	for i := 0; i < 5; i++ {
		codes = append(codes, c.Get("/auth/login?login_hint=auditor").Status)
	}
	if fmt.Sprint(codes) != "[302 302 302 429 429]" {
		t.Fatalf("login attempts answered %v", codes)
	}
}
