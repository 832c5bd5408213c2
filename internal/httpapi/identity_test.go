package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

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
	// A partner admin's disable is per tenant: the user loses Aurora at once.
	if vm2, st := me(t, victim); st != 200 || len(vm2.Tenants) != 0 {
		t.Fatalf("suspended user still sees %+v (%d)", vm2.Tenants, st)
	}
	if r := victim.Get("/api/v1/tenants/" + aurora + "/users"); r.Status != 404 {
		t.Fatalf("suspended user reads Aurora's users: %d", r.Status)
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
	if r := bot.Send("DELETE", "/api/v1/tenants/"+aurora+"/invitations/"+uuid.NewString(), "", nil); r.Status != 404 {
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

func put(c *apitest.Client, path, body string) *apitest.Response {
	if body == "" {
		return c.Send("PUT", path, "", nil)
	}
	return c.Send("PUT", path, "application/json", []byte(body))
}

func problemDetail(r *apitest.Response) string {
	var p struct{ Detail string }
	_ = json.Unmarshal(r.Body, &p)
	return p.Detail
}

func createToken(t *testing.T, c *apitest.Client, tenant string, roles []string, days int) (id, secret string) {
	t.Helper()
	r := c.Send("POST", "/api/v1/tokens", "application/json", jsonBody(map[string]any{"tenant_id": tenant, "name": "t", "roles": roles, "expires_in_days": days}))
	var out struct {
		Token  struct{ ID string }
		Secret string
	}
	_ = json.Unmarshal(r.Body, &out)
	if r.Status != 201 {
		t.Fatalf("create token: %d %s", r.Status, r.Body)
	}
	return out.Token.ID, out.Secret
}

func bearer(a *apptest.App, secret string) *apitest.Client {
	c := a.Client()
	c.Bearer = secret
	return c
}

// A partner admin reaches only their own tenant's members: granting a role
// to, or disabling, the acquirer's only admin (or any unknown id) is the same
// 404, and the acquirer admin keeps working.
func TestTenantAdminCannotReachOtherUsers(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	ada := a.Login("acquirer-admin")
	am, _ := me(t, ada)
	bm, _ := me(t, a.Login("merchant-admin-b"))
	admin := a.Login("merchant-admin")
	aurora := tenantID(t, am, "aurora")

	var details []string
	for _, uid := range []string{am.User.ID, bm.User.ID, uuid.NewString()} {
		for _, try := range []struct{ path, body string }{
			{"/api/v1/tenants/" + aurora + "/users/" + uid + "/roles/merchant-finance", ""},
			{"/api/v1/tenants/" + aurora + "/users/" + uid + "/disabled", `{"disabled":true}`},
			{"/api/v1/tenants/" + aurora + "/users/" + uid + "/roles/merchant-finance", ""}, // still not a member
		} {
			r := put(admin, try.path, try.body)
			if r.Status != 404 {
				t.Fatalf("PUT %s as Aurora's admin: %d %s", try.path, r.Status, r.Body)
			}
			details = append(details, problemDetail(r))
		}
		if r := admin.Send("DELETE", "/api/v1/tenants/"+aurora+"/users/"+uid+"/roles/merchant-admin", "", nil); r.Status != 404 {
			t.Fatalf("revoke from a non-member: %d %s", r.Status, r.Body)
		}
	}
	for _, d := range details[3:] {
		if d != details[0] && d != details[1] {
			t.Errorf("an unknown id and another tenant's user answer differently: %q vs %q/%q", d, details[0], details[1])
		}
	}
	if m, st := me(t, ada); st != 200 || len(m.Tenants) != 3 || len(m.Tenants[0].Roles) != 1 {
		t.Fatalf("the acquirer admin was affected: %d %+v", st, m.Tenants)
	}
	if r := ada.Get("/api/v1/tenants/" + aurora + "/users"); strings.Contains(string(r.Body), am.User.ID) {
		t.Fatal("the acquirer admin became a member of Aurora")
	}
}

// Disabling in a partner tenant suspends the user there only: their other
// tenant, session and tokens stay; their tokens for that tenant are revoked
// for good; re-enabling restores the roles but not the tokens.
func TestPartnerDisableIsPerTenant(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	ada := a.Login("acquirer-admin")
	am, _ := me(t, ada)
	aurora, borealis := tenantID(t, am, "aurora"), tenantID(t, am, "borealis")
	if r := ada.Send("POST", "/api/v1/tenants/"+aurora+"/invitations", "application/json", jsonBody(map[string]any{"email": "admin@borealis.example", "roles": []string{"merchant-finance"}})); r.Status != 201 {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	bo := a.Login("merchant-admin-b")
	bm, _ := me(t, bo)
	if len(bm.Tenants) != 2 {
		t.Fatalf("Bo sees %+v", bm.Tenants)
	}
	_, auroraTok := createToken(t, bo, aurora, []string{"merchant-finance"}, 30)
	_, borealisTok := createToken(t, bo, borealis, []string{"merchant-admin"}, 30)

	admin := a.Login("merchant-admin")
	path := "/api/v1/tenants/" + aurora + "/users/" + bm.User.ID + "/disabled"
	if r := put(admin, path, `{"disabled":true}`); r.Status != 204 {
		t.Fatalf("disable in Aurora: %d %s", r.Status, r.Body)
	}
	if m, st := me(t, bo); st != 200 || len(m.Tenants) != 1 || m.Tenants[0].Slug != "borealis" {
		t.Fatalf("after the Aurora disable Bo sees %d %+v, want Borealis only", st, m.Tenants)
	}
	if _, st := me(t, bearer(a, auroraTok)); st != 401 {
		t.Fatalf("Bo's Aurora token: %d, want revoked", st)
	}
	if m, st := me(t, bearer(a, borealisTok)); st != 200 || len(m.Tenants) != 1 {
		t.Fatalf("Bo's Borealis token: %d %+v", st, m.Tenants)
	}
	if r := admin.Get("/api/v1/tenants/" + aurora + "/users"); !strings.Contains(string(r.Body), `"disabled":true`) {
		t.Fatalf("the users list does not show the suspension: %s", r.Body)
	}
	if r := a.Login("merchant-admin-b").Get("/api/v1/tenants/" + borealis + "/users"); r.Status != 200 || strings.Contains(string(r.Body), `"disabled":true`) {
		t.Fatalf("Bo is shown disabled in Borealis: %d %s", r.Status, r.Body)
	}
	if r := put(admin, path, `{"disabled":false}`); r.Status != 204 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	if m, _ := me(t, bo); len(m.Tenants) != 2 {
		t.Fatalf("after re-enabling Bo sees %+v", m.Tenants)
	}
	if _, st := me(t, bearer(a, auroraTok)); st != 401 {
		t.Fatalf("re-enabling revived the revoked Aurora token: %d", st)
	}
}

// Only the acquirer disables globally; disabling revokes every token for
// good, so re-enabling revives none.
func TestGlobalDisableRevokesTokensForGood(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	nina := a.Login("merchant-finance")
	nm, _ := me(t, nina)
	_, secret := createToken(t, nina, tenantID(t, nm, "aurora"), []string{"merchant-finance"}, 30)
	ada := a.Login("acquirer-admin")
	am, _ := me(t, ada)
	path := "/api/v1/tenants/" + tenantID(t, am, "acquirer") + "/users/" + nm.User.ID + "/disabled"
	if r := put(ada, path, `{"disabled":true}`); r.Status != 204 {
		t.Fatalf("global disable: %d %s", r.Status, r.Body)
	}
	if _, st := me(t, nina); st != 401 {
		t.Fatalf("a globally disabled user's session: %d", st)
	}
	if _, st := me(t, bearer(a, secret)); st != 401 {
		t.Fatalf("a globally disabled user's token: %d", st)
	}
	if r := put(ada, path, `{"disabled":false}`); r.Status != 204 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	if _, st := me(t, bearer(a, secret)); st != 401 {
		t.Fatalf("re-enabling revived the token: %d", st)
	}
	if r := nina.Get("/api/v1/tokens"); r.Status != 401 {
		t.Fatalf("old session after re-enable: %d", r.Status)
	}
	if r := a.Login("merchant-finance").Get("/api/v1/tokens"); !strings.Contains(string(r.Body), `"status":"revoked"`) {
		t.Fatalf("the token is not listed as revoked: %s", r.Body)
	}
}

// The last enabled acquirer admin can be neither disabled nor stripped of
// the role, also when the other admin is disabled.
func TestLastAcquirerAdminCannotBeLockedOut(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	ada := a.Login("acquirer-admin")
	am, _ := me(t, ada)
	acq := tenantID(t, am, "acquirer")
	sm, _ := me(t, a.Login("acquirer-support"))
	users := "/api/v1/tenants/" + acq + "/users/"
	if r := ada.Send("DELETE", users+am.User.ID+"/roles/acquirer-admin", "", nil); r.Status != 409 {
		t.Fatalf("revoking the only admin's role: %d %s", r.Status, r.Body)
	}
	if r := put(ada, users+sm.User.ID+"/roles/acquirer-admin", ""); r.Status != 204 {
		t.Fatalf("grant a second admin: %d %s", r.Status, r.Body)
	}
	if r := put(ada, users+sm.User.ID+"/disabled", `{"disabled":true}`); r.Status != 204 {
		t.Fatalf("disable the second admin: %d %s", r.Status, r.Body)
	}
	if r := ada.Send("DELETE", users+am.User.ID+"/roles/acquirer-admin", "", nil); r.Status != 409 {
		t.Fatalf("revoking the last enabled admin's role: %d %s", r.Status, r.Body)
	}
	if r := ada.Send("DELETE", users+sm.User.ID+"/roles/acquirer-admin", "", nil); r.Status != 204 {
		t.Fatalf("revoking a disabled admin's role: %d %s", r.Status, r.Body)
	}
	if r := put(ada, users+am.User.ID+"/disabled", `{"disabled":true}`); r.Status != 409 {
		t.Fatalf("disabling oneself: %d %s", r.Status, r.Body)
	}
	if m, st := me(t, ada); st != 200 || len(m.Tenants) != 3 {
		t.Fatalf("the last admin lost access: %d", st)
	}
}

// Step-up routes refuse API tokens, so a narrowed token cannot mint a
// broader one (or any), invite, grant or rotate keys.
func TestTokensCannotUseStepUpRoutes(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	maja := a.Login("merchant-admin")
	mm, _ := me(t, maja)
	aurora := tenantID(t, mm, "aurora")
	_, narrow := createToken(t, maja, aurora, []string{"merchant-admin"}, 1)
	bot := bearer(a, narrow)
	nina, _ := me(t, a.Login("merchant-finance"))
	for _, try := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/v1/tokens", map[string]any{"tenant_id": aurora, "name": "wider", "roles": []string{"merchant-admin"}, "expires_in_days": 366}},
		{"POST", "/api/v1/tenants/" + aurora + "/invitations", map[string]any{"email": "bot@aurora.example", "roles": []string{"merchant-admin"}}},
		{"PUT", "/api/v1/tenants/" + aurora + "/users/" + nina.User.ID + "/roles/merchant-admin", nil},
	} {
		var body []byte
		if try.body != nil {
			body = jsonBody(try.body)
		}
		r := bot.Send(try.method, try.path, "application/json", body)
		if r.Status != 403 || !strings.Contains(problemDetail(r), "recent login") {
			t.Errorf("%s %s with a token: %d %s", try.method, try.path, r.Status, r.Body)
		}
	}
	if r := maja.Get("/api/v1/tokens"); strings.Count(string(r.Body), `"status":"active"`) != 1 {
		t.Fatalf("a token was minted by a token: %s", r.Body)
	}

	ada := a.Login("acquirer-admin")
	am, _ := me(t, ada)
	_, acqTok := createToken(t, ada, tenantID(t, am, "acquirer"), []string{"acquirer-admin"}, 1)
	if r := bearer(a, acqTok).Send("POST", "/api/v1/webhooks/signing-keys/rotate", "application/json", []byte(`{}`)); r.Status != 403 {
		t.Fatalf("rotating webhook keys with a token: %d %s", r.Status, r.Body)
	}
}

// A merchant-finance token whose owner also holds merchant-admin cannot
// create a merchant-admin token.
func TestNarrowTokenCannotMintBroader(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	maja := a.Login("merchant-admin")
	mm, _ := me(t, maja)
	aurora := tenantID(t, mm, "aurora")
	// Maja also holds merchant-finance.
	if r := put(maja, "/api/v1/tenants/"+aurora+"/users/"+mm.User.ID+"/roles/merchant-finance", ""); r.Status != 204 {
		t.Fatalf("grant: %d %s", r.Status, r.Body)
	}
	_, fin := createToken(t, maja, aurora, []string{"merchant-finance"}, 1)
	r := bearer(a, fin).Send("POST", "/api/v1/tokens", "application/json", jsonBody(map[string]any{"tenant_id": aurora, "name": "wider", "roles": []string{"merchant-admin"}, "expires_in_days": 366}))
	if r.Status != 403 {
		t.Fatalf("a merchant-finance token minted: %d %s", r.Status, r.Body)
	}
}

// The OIDC state is bound to the browser that started the login: a callback
// URL replayed in another browser creates no session.
func TestLoginCallbackNeedsTheStartingBrowser(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	jar, _ := cookiejar.New(nil)
	var callback *url.URL
	attacker := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			callback = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := attacker.Get(a.URL() + "/auth/login?return_to=/&login_hint=merchant-admin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if callback == nil {
		t.Fatal("the IdP did not redirect to the callback")
	}
	var login *http.Cookie
	for _, ck := range jar.Cookies(callback) {
		if ck.Name == "pd_login" {
			login = ck
		}
	}
	if login == nil {
		t.Fatal("no login cookie was set at /auth/login")
	}
	start := a.Client().Get("/auth/login?login_hint=merchant-admin")
	sc := start.Header.Get("Set-Cookie")
	if !strings.Contains(sc, "pd_login=") || !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") || !strings.Contains(sc, "Max-Age=600") {
		t.Fatalf("login cookie flags: %s", sc)
	}

	victim := a.Client()
	r := victim.Get(callback.RequestURI())
	loc := r.Header.Get("Location")
	if r.Status != 302 || loc != "/login?error=state_mismatch" {
		t.Fatalf("callback in another browser: %d %s", r.Status, loc)
	}
	for _, ck := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "pd_session=") {
			t.Fatalf("a session was created: %s", ck)
		}
	}
	if _, st := me(t, victim); st != 401 {
		t.Fatalf("the victim is logged in: %d", st)
	}
	// With a forged cookie of the wrong value it fails the same way.
	resp, err = attacker.Get(a.URL() + "/auth/login?return_to=/&login_hint=merchant-admin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", a.URL()+callback.RequestURI(), nil)
	req.AddCookie(&http.Cookie{Name: "pd_login", Value: strings.Repeat("x", 32)})
	if r := victim.Do(req); r.Header.Get("Location") != "/login?error=state_mismatch" {
		t.Fatalf("callback with a wrong login cookie: %d %s", r.Status, r.Header.Get("Location"))
	}
}

// A token secret is never stored for Idempotency-Key replay: the replay is
// refused, and the table holds no secret. Every API answer is no-store.
func TestTokenSecretIsNotKeptForReplay(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := a.Login("merchant-admin")
	m, _ := me(t, c)
	send := func() *apitest.Response {
		req, _ := http.NewRequest("POST", a.URL()+"/api/v1/tokens", strings.NewReader(string(jsonBody(map[string]any{"tenant_id": tenantID(t, m, "aurora"), "name": "ci", "roles": []string{"merchant-admin"}, "expires_in_days": 5}))))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "token-1")
		return c.Do(req)
	}
	first := send()
	var created struct{ Secret string }
	_ = json.Unmarshal(first.Body, &created)
	if first.Status != 201 || created.Secret == "" || first.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %s", first.Status, first.Body)
	}
	again := send()
	if again.Status != 409 || strings.Contains(string(again.Body), created.Secret) || !strings.Contains(problemDetail(again), "shown only once") {
		t.Fatalf("replay: %d %s", again.Status, again.Body)
	}
	var stored int
	if err := a.DB.SQL().QueryRow(`SELECT count(*) FROM idempotency_keys WHERE position(convert_to($1, 'UTF8') in coalesce(body, ''::bytea)) > 0`, created.Secret).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("the secret is stored in idempotency_keys: %d %v", stored, err)
	}
	if r := c.Get("/api/v1/tokens"); strings.Count(string(r.Body), `"status":"active"`) != 1 {
		t.Fatalf("the replay created another token: %s", r.Body)
	}
	for _, p := range []string{"/api/v1/me", "/api/v1/meta"} {
		if r := c.Get(p); r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s Cache-Control %q", p, r.Header.Get("Cache-Control"))
		}
	}
	if r := a.Client().Get("/api/v1/me"); r.Status != 401 || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("401 Cache-Control %q", r.Header.Get("Cache-Control"))
	}
}

// Token and invitation input: every invalid field at once, no clamping, no
// wrap-around, no 500 for control characters; plain addresses only.
func TestIdentityInputValidation(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := a.Login("merchant-admin")
	m, _ := me(t, c)
	aurora := tenantID(t, m, "aurora")
	for _, tc := range []struct {
		name   string
		body   string
		fields []string
	}{
		// Text that is no text is refused while the body is read; the rules
		// of the token are then checked together.
		{"NUL", `{"tenant_id":"` + aurora + `","name":"a\u0000","roles":[],"expires_in_days":9223372036854775807}`, []string{"name"}},
		{"OverflowAndNoRoles", `{"tenant_id":"` + aurora + `","name":"a","roles":[],"expires_in_days":9223372036854775807}`, []string{"expires_in_days", "roles"}},
		{"ControlCharAndTooLong", `{"tenant_id":"` + aurora + `","name":"bell\u0007","roles":["merchant-admin"],"expires_in_days":367}`, []string{"name", "expires_in_days"}},
		{"InvalidUTF8", `{"tenant_id":"` + aurora + `","name":"a` + "\xff\xfe" + `b","roles":["merchant-admin"],"expires_in_days":1}`, []string{"name"}},
		{"NotClamped", `{"tenant_id":"` + aurora + `","name":"ok","roles":["merchant-admin"],"expires_in_days":999}`, []string{"expires_in_days"}},
		{"Zero", `{"tenant_id":"` + aurora + `","name":"ok","roles":["merchant-admin"],"expires_in_days":0}`, []string{"expires_in_days"}},
		{"OtherTenantAndName", `{"tenant_id":"` + uuid.NewString() + `","name":"","roles":["merchant-admin"],"expires_in_days":1}`, []string{"tenant_id", "name"}},
		{"RolesNotHeld", `{"tenant_id":"` + aurora + `","name":"ok","roles":["merchant-admin","acquirer-admin","nope"],"expires_in_days":1}`, []string{"roles[1]", "roles[2]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Send("POST", "/api/v1/tokens", "application/json", []byte(tc.body))
			if r.Status != 400 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			for _, f := range tc.fields {
				if !strings.Contains(string(r.Body), `"field":"`+f+`"`) {
					t.Errorf("no error for %s: %s", f, r.Body)
				}
			}
		})
	}
	if r := c.Get("/api/v1/tokens"); strings.Contains(string(r.Body), `"status":"active"`) {
		t.Fatalf("an invalid token was created: %s", r.Body)
	}
	inv := "/api/v1/tenants/" + aurora + "/invitations"
	for _, email := range []string{`"a b"@x.example`, `A <a@x.example>`, `"a"@x.example`, "a@x.example (c)", "a b@x.example"} {
		r := c.Send("POST", inv, "application/json", jsonBody(map[string]any{"email": email, "roles": []string{"nope"}}))
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"email"`) || !strings.Contains(string(r.Body), `"field":"roles[0]"`) {
			t.Errorf("email %q: %d %s", email, r.Status, r.Body)
		}
	}
	if r := c.Send("POST", inv, "application/json", jsonBody(map[string]any{"email": "a\u0000@x.example", "roles": []string{"merchant-finance"}})); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"email"`) {
		t.Errorf("email with NUL: %d %s", r.Status, r.Body)
	}
	r := c.Send("POST", inv, "application/json", jsonBody(map[string]any{"email": " New.Person@Aurora.Example ", "roles": []string{"merchant-finance"}}))
	if r.Status != 201 || !strings.Contains(string(r.Body), `"email":"new.person@aurora.example"`) {
		t.Fatalf("plain address: %d %s", r.Status, r.Body)
	}
}
