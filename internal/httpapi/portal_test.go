package httpapi_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// portalEnv is the app against a simulator holding partners A and B and
// the disabled Granite Games, signing deep links with a certificate the
// simulator issued. jwts are the deep-link JWTs the simulator received.
type portalEnv struct {
	a      *apptest.App
	sim    *klarnasim.Sim
	srv    *httptest.Server
	signer *klarna.DeepLinkSigner
	mu     sync.Mutex
	jwts   []string
}

func (e *portalEnv) sent() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.jwts)
}

func simSigner(t *testing.T, sim *klarnasim.Sim) *klarna.DeepLinkSigner {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := klarna.NewCSR(key, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := sim.IssueClientCertificate("deep links", "JWT_SIGNING", csr)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalECPrivateKey(key)
	s, err := klarna.ParseDeepLinkSigner([]byte(c.Certificate), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newPortalEnv(t *testing.T, withSigner bool) *portalEnv {
	t.Helper()
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	e := &portalEnv{sim: sim}
	h := sim.Handler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/portal/deep-link") && r.Method == http.MethodPost {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			var in struct{ JWT string }
			_ = json.Unmarshal(b, &in)
			e.mu.Lock()
			e.jwts = append(e.jwts, in.JWT)
			e.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	sim.Start(t.Context())
	t.Cleanup(func() { sim.Close() })
	if err := app.SeedSimulator(sim, append(slices.Clone(app.DemoPartners), app.DemoPartner{Slug: "granite-games", Name: "Granite Games", Operational: true, Disabled: true})); err != nil {
		t.Fatal(err)
	}
	kc := &klarna.Config{GatewayURL: e.srv.URL, DisputesURL: e.srv.URL, SettlementsURL: e.srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 3 * time.Second}
	if withSigner {
		e.signer = simSigner(t, sim)
		kc.DeepLinkSigner = e.signer
	}
	cfg := apptest.Config(t)
	cfg.KlarnaAccountID = sim.AcquirerAccountID()
	e.a = apptest.StartWithKlarna(t, cfg, nil, kc)
	// Granite Games is linked like the demo directory's partners.
	if _, err := e.a.Access.Identity.EnsurePartnerTenant(t.Context(), "granite-games", "Granite Games"); err != nil {
		t.Fatal(err)
	}
	if err := e.a.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	return e
}

// tenantIDOf finds a partner tenant by slug as the acquirer admin sees it,
// once its account state has been read from Klarna.
func (e *portalEnv) tenantIDOf(t *testing.T, slug string) string {
	t.Helper()
	admin := e.a.Login("acquirer-admin")
	var id string
	waitFor(t, slug+" read from Klarna", 20*time.Second, func() (bool, string) {
		p, ok := bySlug(partnersOf(t, admin, "limit=50"))[slug]
		id = p.TenantId.String()
		return ok && p.SyncedAt != nil, summaryLine(partnersOf(t, admin, "limit=50"))
	})
	return id
}

func openPortal(t *testing.T, c *apitest.Client, tenant string) (*apitest.Response, apigen.PortalLink) {
	t.Helper()
	r := c.Send("POST", "/api/v1/tenants/"+tenant+"/partner/portal-link", "application/json", []byte("{}"))
	var l apigen.PortalLink
	if r.Status == 200 {
		if err := json.Unmarshal(r.Body, &l); err != nil {
			t.Fatal(err)
		}
	}
	return r, l
}

func visit(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type portalClaims struct {
	AccountID  string   `json:"account_id"`
	OnBehalfOf string   `json:"on_behalf_of"`
	Roles      []string `json:"roles"`
	AMR        []string `json:"amr"`
	jwt.RegisteredClaims
}

// A merchant admin's click mints an ES256 JWT that verifies against the
// configured certificate and carries §11's header and claims, short-lived
// and unique per click; the simulator's URL shows the partner and the user
// once, never twice, and not after 60 s.
func TestPortalLinkIsSignedShortLivedUniqueAndSingleUse(t *testing.T) {
	t.Parallel()
	e := newPortalEnv(t, true)
	aurora := e.tenantIDOf(t, "aurora")
	c := e.a.Login("merchant-admin")
	m, _ := me(t, c)

	r1, l1 := openPortal(t, c, aurora)
	r2, l2 := openPortal(t, c, aurora)
	if r1.Status != 200 || r2.Status != 200 {
		t.Fatalf("open: %d %s / %d %s", r1.Status, r1.Body, r2.Status, r2.Body)
	}
	if l1.Jti == l2.Jti || l1.Url == l2.Url {
		t.Fatalf("two clicks gave the same link: %+v %+v", l1, l2)
	}
	jwts := e.sent()
	if len(jwts) != 2 {
		t.Fatalf("the simulator got %d deep-link calls, want 2", len(jwts))
	}
	var jtis []string
	for i, raw := range jwts {
		if i == 0 { // the decoded header and claims, no signature, for the record
			parts := strings.Split(raw, ".")
			h, _ := base64.RawURLEncoding.DecodeString(parts[0])
			c, _ := base64.RawURLEncoding.DecodeString(parts[1])
			t.Logf("deep-link JWT header %s\nclaims %s", h, c)
		}
		var cl portalClaims
		tok, err := jwt.ParseWithClaims(raw, &cl, func(*jwt.Token) (any, error) { return e.signer.Certificate.PublicKey, nil },
			jwt.WithValidMethods([]string{"ES256"}), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
		if err != nil {
			t.Fatalf("the JWT does not verify against the configured certificate: %v", err)
		}
		x5c, _ := tok.Header["x5c"].([]any)
		if tok.Header["alg"] != "ES256" || tok.Header["typ"] != "JWT" || len(x5c) != 1 || x5c[0] != base64.StdEncoding.EncodeToString(e.signer.Certificate.Raw) {
			t.Errorf("header = %v", tok.Header)
		}
		life := cl.ExpiresAt.Sub(cl.IssuedAt.Time)
		acct := l1.KlarnaAccountId
		if cl.Issuer != e.sim.AcquirerAccountID() || cl.Subject != m.User.Email || cl.ID == "" || life <= 0 || life > 60*time.Second ||
			cl.AccountID != acct || cl.OnBehalfOf != acct || !slices.Equal(cl.Roles, []string{"merchant:admin"}) || !slices.Equal(cl.AMR, []string{"pwd"}) {
			t.Errorf("claims = %+v (lifetime %s)", cl, life)
		}
		jtis = append(jtis, cl.ID)
	}
	if !slices.Equal(jtis, []string{l1.Jti, l2.Jti}) {
		t.Errorf("jti sent %v, answered %s %s", jtis, l1.Jti, l2.Jti)
	}
	if l1.AmrAssumed {
		t.Error("the development IdP names pwd: amr must not be marked assumed")
	}

	// An Idempotency-Key is not replayed: the same key gives a new link.
	send := func() apigen.PortalLink {
		req, _ := http.NewRequest("POST", e.a.URL()+"/api/v1/tenants/"+aurora+"/partner/portal-link", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "portal-1")
		r := c.Do(req)
		var l apigen.PortalLink
		if r.Status != 200 || json.Unmarshal(r.Body, &l) != nil || r.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("open with a key: %d %s", r.Status, r.Body)
		}
		return l
	}
	if a, b := send(), send(); a.Url == b.Url || a.Jti == b.Jti {
		t.Fatalf("a retry with the same key replayed the link: %s", a.Url)
	}

	status, page := visit(t, l1.Url)
	if status != 200 || !containsAll(page, "Aurora Outfitters", l1.KlarnaAccountId, m.User.Email, "merchant:admin", "pwd") {
		t.Fatalf("portal page %d:\n%s", status, page)
	}
	if status, page = visit(t, l1.Url); status != 410 || !strings.Contains(page, "already used") {
		t.Fatalf("second visit %d:\n%s", status, page)
	}
	e.sim.Advance(61 * time.Second)
	if status, page = visit(t, l2.Url); status != 410 || !strings.Contains(page, "expired") {
		t.Fatalf("visit after 61 s %d:\n%s", status, page)
	}

	// Audited with partner, user and jti; never the JWT or the URL.
	audit := c.Get("/api/v1/audit?limit=200")
	if audit.Status != 200 || !containsAll(string(audit.Body), "portal:open", l1.Jti, l2.Jti) || strings.Contains(string(audit.Body), jwts[0]) || strings.Contains(string(audit.Body), l1.Url) {
		t.Fatalf("audit %d: %s", audit.Status, audit.Body)
	}

}

// Acquirer support reaches any partner's Portal with the developer role; a
// merchant of another tenant gets 404.
func TestPortalLinkRolesAndTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newPortalEnv(t, true)
	aurora, borealis := e.tenantIDOf(t, "aurora"), e.tenantIDOf(t, "borealis")
	r, l := openPortal(t, e.a.Login("acquirer-support"), borealis)
	if r.Status != 200 || !slices.Equal(l.Roles, []string{"merchant:developer"}) || l.PartnerName != "Borealis Bikes" {
		t.Fatalf("support: %d %s", r.Status, r.Body)
	}
	if r, l = openPortal(t, e.a.Login("acquirer-admin"), aurora); r.Status != 200 || !slices.Equal(l.Roles, []string{"merchant:admin"}) {
		t.Fatalf("acquirer admin: %d %s", r.Status, r.Body)
	}
	if r, _ = openPortal(t, e.a.Login("merchant-admin-b"), aurora); r.Status != 404 {
		t.Fatalf("a merchant of another tenant: %d %s", r.Status, r.Body)
	}
	if r, _ = openPortal(t, e.a.Login("merchant-finance"), aurora); r.Status != 403 {
		t.Fatalf("merchant finance (no portal:open): %d %s", r.Status, r.Body)
	}
}

// Each failure is a problem+json that says what is wrong: no Klarna account
// yet, a disabled partner, Klarna failing, no signing key.
func TestPortalLinkFailuresSayWhy(t *testing.T) {
	t.Parallel()
	e := newPortalEnv(t, true)
	granite := e.tenantIDOf(t, "granite-games")
	admin := e.a.Login("acquirer-admin")
	nolink, err := e.a.Access.Identity.EnsurePartnerTenant(t.Context(), "no-account-yet", "No Account Yet")
	if err != nil {
		t.Fatal(err)
	}
	check := func(what, tenant string, status int, want string) {
		t.Helper()
		r, _ := openPortal(t, admin, tenant)
		if r.Status != status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(problemDetail(r), want) {
			t.Errorf("%s: %d %s %s", what, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
	}
	check("no account", nolink.ID.String(), 409, "no Klarna account linked yet")
	check("disabled", granite, 409, "disabled")

	aurora := e.tenantIDOf(t, "aurora")
	e.sim.SetFaults(klarnasim.Faults{ErrorRate: 1, PathPrefix: "/v2/account/portal"})
	check("Klarna 500", aurora, 503, "Klarna is not answering")
	e.sim.SetFaults(klarnasim.Faults{})

	// Klarna refusing (a 4xx): the account was disabled at Klarna after our
	// last read.
	acct := bySlug(partnersOf(t, admin, "limit=50"))["aurora"].KlarnaAccountId
	if err := e.sim.SetAccountState(acct, klarna.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	r, _ := openPortal(t, admin, aurora)
	if r.Status == 200 {
		// The webhook may already have updated our copy; then it is our refusal.
		t.Fatalf("a disabled account opened: %s", r.Body)
	}
	if d := problemDetail(r); !strings.Contains(d, "disabled") {
		t.Errorf("Klarna's refusal: %d %s", r.Status, r.Body)
	}

	unsigned := newPortalEnv(t, false)
	aurora = unsigned.tenantIDOf(t, "aurora")
	r, _ = openPortal(t, unsigned.a.Login("merchant-admin"), aurora)
	if r.Status != 503 || !strings.Contains(problemDetail(r), "No deep-link signing key is configured") {
		t.Errorf("no signing key: %d %s", r.Status, r.Body)
	}
}

// "Continue with <acquirer>": not logged in, the login starts and comes
// back; a merchant with one partner goes straight to the Portal; acquirer
// staff get the picker, which lists the partners.
func TestPortalContinueLogsInAndForwards(t *testing.T) {
	t.Parallel()
	e := newPortalEnv(t, true)
	e.tenantIDOf(t, "aurora")
	anon := e.a.Client()
	r := anon.Get("/portal/continue")
	if loc := r.Header.Get("Location"); r.Status != 302 || loc != "/auth/login?return_to="+url.QueryEscape("/portal/continue") {
		t.Fatalf("not logged in: %d %s", r.Status, loc)
	}
	r = e.a.Login("merchant-admin").Get("/portal/continue")
	if loc := r.Header.Get("Location"); r.Status != 303 || !strings.HasPrefix(loc, e.srv.URL+"/portal/deep-link/") {
		t.Fatalf("merchant admin: %d %s %s", r.Status, loc, r.Body)
	} else if status, page := visit(t, loc); status != 200 || !strings.Contains(page, "Aurora Outfitters") {
		t.Fatalf("portal page %d: %s", status, page)
	}
	admin := e.a.Login("acquirer-admin")
	if r = admin.Get("/portal/continue"); r.Status != 302 || r.Header.Get("Location") != "/portal/choose" {
		t.Fatalf("acquirer admin: %d %s", r.Status, r.Header.Get("Location"))
	}
	list := admin.Get("/api/v1/portal/partners?q=Borealis")
	if list.Status != 200 || !strings.Contains(string(list.Body), "Borealis Bikes") || strings.Contains(string(list.Body), "Aurora Outfitters") {
		t.Fatalf("picker list: %d %s", list.Status, list.Body)
	}
	if own := e.a.Login("merchant-admin-b").Get("/api/v1/portal/partners"); own.Status != 200 || strings.Contains(string(own.Body), "Aurora") || !strings.Contains(string(own.Body), "Borealis") {
		t.Fatalf("a merchant's picker: %d %s", own.Status, own.Body)
	}
}

// Settings shows Partner Desk's own Klarna credentials as status only, to
// the acquirer's staff alone.
func TestKlarnaSettingsShowStatusNeverSecrets(t *testing.T) {
	t.Parallel()
	e := newPortalEnv(t, true)
	r := e.a.Login("acquirer-admin").Get("/api/v1/settings/klarna")
	var s apigen.KlarnaSettings
	if r.Status != 200 || json.Unmarshal(r.Body, &s) != nil {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	if !s.ApiKey.Configured || s.Mtls.Configured || !s.DeepLink.Configured || s.DeepLink.Accepted != apigen.DeepLinkCertificateStatusAcceptedYes ||
		s.DeepLink.FingerprintSha256 != e.signer.Fingerprint() || s.DeepLink.NotAfter == nil || s.AcquirerAccountId != e.sim.AcquirerAccountID() || !s.Simulator {
		t.Errorf("settings = %s", r.Body)
	}
	if strings.Contains(string(r.Body), e.sim.InitialAPIKey()) || strings.Contains(string(r.Body), "PRIVATE KEY") {
		t.Fatalf("a secret in the settings: %s", r.Body)
	}
	if r := e.a.Login("merchant-admin").Get("/api/v1/settings/klarna"); r.Status != 403 {
		t.Fatalf("merchant admin: %d %s", r.Status, r.Body)
	}
}
