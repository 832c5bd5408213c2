package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
)

// claimPersonas are the IdP users of the claim tests: one per way a
// provider may shape the claims Partner Desk needs.
func claimPersonas() []oidctest.Persona {
	return []oidctest.Persona{
		{ID: "ada", Name: "Ada Lindqvist", Email: "ada@acquirer.example", EmailVerified: true, Groups: []string{"pd-acquirer-admins", "unmapped"}},
		{ID: "otto", Name: "Otto Reyes", Email: "otto@acquirer.example", EmailVerified: true,
			Claims: map[string]any{"groups": "pd-auditors", "email_verified": "true"}},
		{ID: "maja", Email: "maja@aurora.example", EmailVerified: true,
			Claims: map[string]any{"name": "", "given_name": "Maja", "family_name": "Holm", "realm_access": map[string]any{"roles": []string{"pd-partner-a-admins"}}}},
		{ID: "nomail", Name: "No Mail", Groups: []string{"pd-acquirer-admins"}},
		{ID: "impostor", Name: "Imp", Email: "imp@acquirer.example", EmailVerified: true, Groups: []string{"pd-acquirer-admins"},
			UserInfoClaims: map[string]any{"sub": "dev|ada"}},
	}
}

type claimMe struct {
	User struct {
		Email, Name string
	}
	Tenants []meTenant
}

func startClaimsApp(t *testing.T, atUserInfo bool, groupsClaim string) *apptest.App {
	t.Helper()
	cfg := apptest.Config(t)
	if groupsClaim != "" {
		cfg.OIDCGroupsClaim = groupsClaim
	}
	return apptest.StartWithIdP(t, cfg, nil, func(o *oidctest.Options) {
		o.Personas = claimPersonas()
		o.ProfileClaimsAtUserInfo = atUserInfo
	})
}

// tryLogin runs the redirect login for persona and returns where the
// browser ended and, when it ended signed in, the user's /me.
func tryLogin(t *testing.T, a *apptest.App, persona string) (*url.URL, *claimMe) {
	t.Helper()
	end, m, _ := tryLoginClient(t, a, persona)
	return end, m
}

func tryLoginClient(t *testing.T, a *apptest.App, persona string) (*url.URL, *claimMe, *apitest.Client) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(a.URL() + "/auth/login?return_to=/&login_hint=" + persona)
	if err != nil {
		t.Fatalf("login %s: %v", persona, err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/" {
		return resp.Request.URL, nil, nil
	}
	c := apitest.New(t, a.URL())
	c.HTTP.Jar = jar
	r := c.Get("/api/v1/me")
	if r.Status != 200 {
		t.Fatalf("%s: /me = %d %s", persona, r.Status, r.Body)
	}
	var m claimMe
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatal(err)
	}
	return resp.Request.URL, &m, c
}

func rolesIn(m *claimMe) string {
	var out []string
	for _, tn := range m.Tenants {
		out = append(out, tn.Slug+":"+strings.Join(tn.Roles, "+"))
	}
	return strings.Join(out, ",")
}

func userRows(t *testing.T, a *apptest.App, subject string) int {
	t.Helper()
	var n int
	if err := a.DB.SQL().QueryRow(`SELECT count(*) FROM users WHERE subject = $1`, subject).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A provider that puts the profile claims in the ID token and one that
// releases them only at UserInfo give the same user, name and roles; a
// string-valued groups claim maps like a list.
func TestLoginClaimsFromIDTokenOrUserInfo(t *testing.T) {
	t.Parallel()
	idToken := startClaimsApp(t, false, "")
	userInfo := startClaimsApp(t, true, "")
	for _, tc := range []struct{ persona, email, name, roles string }{
		{"ada", "ada@acquirer.example", "Ada Lindqvist", "acquirer:acquirer-admin"},
		{"otto", "otto@acquirer.example", "Otto Reyes", "acquirer:auditor"},
	} {
		for mode, a := range map[string]*apptest.App{"id token": idToken, "userinfo": userInfo} {
			end, m := tryLogin(t, a, tc.persona)
			if m == nil {
				t.Fatalf("%s via %s: login ended at %s", tc.persona, mode, end)
			}
			if m.User.Email != tc.email || m.User.Name != tc.name {
				t.Errorf("%s via %s: user %+v, want %s / %s", tc.persona, mode, m.User, tc.email, tc.name)
			}
			if got := rolesIn(m); !strings.HasPrefix(got, tc.roles) {
				t.Errorf("%s via %s: roles %s, want %s", tc.persona, mode, got, tc.roles)
			}
		}
	}
}

// A custom-named, nested groups claim (PARTNERDESK_OIDC_GROUPS_CLAIM=
// realm_access.roles) maps; the name is built from given and family name.
func TestLoginNestedGroupsClaim(t *testing.T) {
	t.Parallel()
	for _, atUserInfo := range []bool{false, true} {
		a := startClaimsApp(t, atUserInfo, "realm_access.roles")
		end, m := tryLogin(t, a, "maja")
		if m == nil {
			t.Fatalf("userinfo=%v: login ended at %s", atUserInfo, end)
		}
		if m.User.Name != "Maja Holm" || rolesIn(m) != "aurora:merchant-admin" {
			t.Errorf("userinfo=%v: %+v roles %s, want Maja Holm with aurora:merchant-admin", atUserInfo, m.User, rolesIn(m))
		}
		// The default claim name is no longer read.
		if _, m := tryLogin(t, a, "ada"); m == nil || len(m.Tenants) != 0 {
			t.Errorf("userinfo=%v: ada's groups claim mapped under realm_access.roles: %+v", atUserInfo, m)
		}
	}
}

// A login without an e-mail is refused with no_email and leaves no user;
// UserInfo for another subject than the ID token's is refused.
func TestLoginRefusesNoEmailAndForeignUserInfo(t *testing.T) {
	t.Parallel()
	a := startClaimsApp(t, true, "")
	end, m := tryLogin(t, a, "nomail")
	if m != nil || end.Path != "/login" || end.Query().Get("error") != "no_email" {
		t.Fatalf("no-email login ended at %s (me %+v), want /login?error=no_email", end, m)
	}
	if n := userRows(t, a, "dev|nomail"); n != 0 {
		t.Errorf("no-email login left %d user rows", n)
	}
	end, m = tryLogin(t, a, "impostor")
	if m != nil || end.Path != "/login" || end.Query().Get("error") != "login_failed" {
		t.Fatalf("userinfo sub mismatch ended at %s (me %+v), want /login?error=login_failed", end, m)
	}
	if n := userRows(t, a, "dev|impostor") + userRows(t, a, "dev|ada"); n != 0 {
		t.Errorf("refused login left %d user rows", n)
	}
}

// The identity settings show the issuer, scopes, groups claim and mapping,
// and the claim names (never values) the last logins received, to the
// acquirer's user administrators only.
func TestIdentitySettingsShowClaimNames(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.OIDCGroupsClaim = "realm_access.roles"
	a := apptest.StartWithIdP(t, cfg, nil, func(o *oidctest.Options) {
		ps := claimPersonas()
		ps[0].Claims = map[string]any{"realm_access": map[string]any{"roles": []string{"pd-acquirer-admins"}}}
		o.Personas = ps
		o.ProfileClaimsAtUserInfo = true
	})
	if _, m := tryLogin(t, a, "otto"); m == nil || len(m.Tenants) != 0 {
		t.Fatalf("otto (groups claim not under realm_access.roles) got roles: %+v", m)
	}
	_, _, admin := tryLoginClient(t, a, "ada")
	_, _, merchant := tryLoginClient(t, a, "maja")
	if admin == nil || merchant == nil {
		t.Fatal("logins failed")
	}
	if r := merchant.Get("/api/v1/settings/identity"); r.Status != 403 {
		t.Fatalf("a partner admin reads the identity settings: %d %s", r.Status, r.Body)
	}
	r := admin.Get("/api/v1/settings/identity")
	if r.Status != 200 {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	var got struct {
		Issuer       string
		Scopes       []string
		GroupsClaim  string                         `json:"groups_claim"`
		GroupRoles   []struct{ Group, Role string } `json:"group_roles"`
		RecentLogins []struct {
			Email  string
			Claims []string
		} `json:"recent_logins"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Issuer != a.IdP.Issuer() || got.GroupsClaim != "realm_access.roles" || !strings.Contains(strings.Join(got.Scopes, " "), "openid") || len(got.GroupRoles) == 0 {
		t.Fatalf("settings: %s", r.Body)
	}
	var otto []string
	for _, l := range got.RecentLogins {
		if l.Email == "otto@acquirer.example" {
			otto = l.Claims
		}
	}
	for _, want := range []string{"sub", "email", "email_verified", "groups", "name", "nonce"} {
		if !strings.Contains(","+strings.Join(otto, ",")+",", ","+want+",") {
			t.Errorf("otto's last login claims %v lack %q", otto, want)
		}
	}
	logins, _ := json.Marshal(got.RecentLogins)
	if strings.Contains(string(logins), "pd-auditors") || strings.Contains(string(logins), "Otto Reyes") {
		t.Errorf("the recent logins hold claim values:\n%s", logins)
	}
}
