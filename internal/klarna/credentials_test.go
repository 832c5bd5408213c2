package klarna_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

func TestAPIKeys_SecretShownOnceAndDisableRevokes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	k := must[*klarna.APIKey](t)(e.client.CreateAPIKey(ctx, "dashboard backend"))
	if !strings.HasPrefix(k.Secret, "klarna_test_api_") {
		t.Fatalf("secret = %q", k.Secret)
	}
	got := must[*klarna.APIKey](t)(e.client.GetAPIKey(ctx, k.CredentialID))
	if got.Secret != "" {
		t.Fatal("the secret must not be readable again")
	}
	for _, l := range must[[]klarna.APIKey](t)(e.client.ListAPIKeys(ctx)) {
		if l.Secret != "" {
			t.Fatal("list must not reveal secrets")
		}
	}
	up := must[*klarna.APIKey](t)(e.client.UpdateAPIKey(ctx, k.CredentialID, "renamed key"))
	if up.Description != "renamed key" {
		t.Fatal(up)
	}
	_, err := e.client.CreateAPIKey(ctx, "bad/description!")
	wantCode(t, err, apperr.Invalid)

	other, err := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: e.srv.URL, APIKey: k.Secret, MaxRetryTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	must[[]klarna.PaymentProfile](t)(other.ListPaymentProfiles(ctx))
	if err := e.client.DisableAPIKey(ctx, k.CredentialID); err != nil {
		t.Fatal(err)
	}
	_, err = other.ListPaymentProfiles(ctx)
	wantCode(t, err, apperr.Unavailable)
	if klarna.HTTPStatusOf(err) != 401 || !klarna.IsCode(err, klarna.CodeUnauthorized) {
		t.Fatalf("want 401 UNAUTHORIZED, got %v", err)
	}
	if err := e.client.DisableAPIKey(ctx, "nope"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("disable unknown: %v", err)
	}
}

func TestClientIdentifiers_AllowedOrigins(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ci := must[*klarna.ClientIdentifier](t)(e.client.CreateClientIdentifier(ctx, "web checkout", []string{"https://shop.example"}))
	if !strings.HasPrefix(ci.ClientID, "klarna_test_client_") || ci.Config.AllowedDomains[0] != "https://shop.example" {
		t.Fatalf("client identifier = %+v", ci)
	}
	up := must[*klarna.ClientIdentifier](t)(e.client.UpdateClientIdentifier(ctx, ci.CredentialID, "", []string{"https://shop.example", "https://m.shop.example"}))
	if len(up.Config.AllowedDomains) != 2 || up.Description != "web checkout" {
		t.Fatalf("updated = %+v", up)
	}
	_, err := e.client.UpdateClientIdentifier(ctx, ci.CredentialID, "", []string{"https://shop.example/path/x"})
	wantCode(t, err, apperr.Invalid)
	_, err = e.client.CreateClientIdentifier(ctx, "no origins", nil)
	wantCode(t, err, apperr.Invalid)
	must[*klarna.ClientIdentifier](t)(e.client.GetClientIdentifier(ctx, ci.CredentialID))
	if l := must[[]klarna.ClientIdentifier](t)(e.client.ListClientIdentifiers(ctx)); len(l) != 1 {
		t.Fatal(len(l))
	}
	if err := e.client.DisableClientIdentifier(ctx, ci.CredentialID); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.UpdateClientIdentifier(ctx, ci.CredentialID, "again", nil)
	wantCode(t, err, apperr.Conflict)
}

// newSignerFromSim obtains a Klarna-signed certificate for a fresh P-256 key.
func newSignerFromSim(t *testing.T, e *env, usage string) *klarna.DeepLinkSigner {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, err := klarna.NewCSR(key, "AQ4RT9ZP")
	if err != nil {
		t.Fatal(err)
	}
	cert := must[*klarna.ClientCertificate](t)(e.client.CreateClientCertificate(context.Background(), "deep links", usage, csr))
	block, _ := pem.Decode([]byte(cert.Certificate))
	if block == nil {
		t.Fatalf("certificate = %q", cert.Certificate)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return &klarna.DeepLinkSigner{Key: key, Certificate: c}
}

func TestClientCertificates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	newSignerFromSim(t, e, "MTLS")
	l := must[[]klarna.ClientCertificate](t)(e.client.ListClientCertificates(ctx))
	if len(l) != 1 || l[0].Config.Usage != "MTLS" {
		t.Fatalf("certificates = %+v", l)
	}
	must[*klarna.ClientCertificate](t)(e.client.GetClientCertificate(ctx, l[0].CredentialID))
	if m := must[*klarna.MTLSEnforcement](t)(e.client.GetMTLSEnforcement(ctx)); m.Status == "" {
		t.Fatal("no mTLS status")
	}
	_, err := e.client.CreateClientCertificate(ctx, "bad", "MTLS", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")
	wantCode(t, err, apperr.Invalid)
}

func TestDeepLink_SingleUsePortalURL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.operationalPartner("SEK")
	signer := newSignerFromSim(t, e, "JWT_SIGNING")
	c, err := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: e.srv.URL, APIKey: e.key, DeepLinkSigner: signer})
	if err != nil {
		t.Fatal(err)
	}
	claims := klarna.DeepLinkClaims{Issuer: "krn:partner:global:account:test:SIMACQ01", Subject: "sofia@merchant.example", AccountID: p.PartnerAccountID, Roles: []string{"merchant:admin"}}
	dl := must[*klarna.DeepLinkResponse](t)(c.CreateDeepLink(ctx, claims))

	get := func() (int, string) {
		resp, err := http.Get(dl.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get()
	if status != 200 || !strings.Contains(body, "Klarna Partner Portal (simulator)") || !strings.Contains(body, "sofia@merchant.example") {
		t.Fatalf("portal page %d: %s", status, body)
	}
	if status, _ := get(); status != http.StatusGone {
		t.Fatalf("second use answered %d, want 410", status)
	}

	t.Run("ErrExpiredAfter60s", func(t *testing.T) {
		dl := must[*klarna.DeepLinkResponse](t)(c.CreateDeepLink(ctx, claims))
		e.sim.Advance(61 * time.Second)
		resp, err := http.Get(dl.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusGone {
			t.Fatalf("expired link answered %d", resp.StatusCode)
		}
	})
	t.Run("ErrUnregisteredCertificate", func(t *testing.T) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tpl := &x509.Certificate{SerialNumber: bigOne(), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, _ := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
		cert, _ := x509.ParseCertificate(der)
		rogue, _ := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: e.srv.URL, APIKey: e.key, DeepLinkSigner: &klarna.DeepLinkSigner{Key: key, Certificate: cert}})
		_, err := rogue.CreateDeepLink(ctx, claims)
		wantCode(t, err, apperr.Invalid)
	})
	t.Run("ErrAccountNotOnboarded", func(t *testing.T) {
		cl := claims
		cl.AccountID = "krn:partner:global:account:test:STRANGER"
		_, err := c.CreateDeepLink(ctx, cl)
		if klarna.HTTPStatusOf(err) != 403 {
			t.Fatalf("want 403, got %v", err)
		}
	})
	t.Run("ErrJWTReused", func(t *testing.T) {
		tok, err := signer.SignDeepLinkJWT(claims, e.sim.Clock().Now())
		if err != nil {
			t.Fatal(err)
		}
		must[*klarna.DeepLinkResponse](t)(e.client.CreateDeepLinkWithJWT(ctx, tok))
		_, err = e.client.CreateDeepLinkWithJWT(ctx, tok)
		wantCode(t, err, apperr.Conflict)
	})
	t.Run("ErrLongLivedJWT", func(t *testing.T) {
		cl := claims
		cl.Lifetime = time.Hour
		tok, _ := signer.SignDeepLinkJWT(cl, e.sim.Clock().Now())
		_, err := e.client.CreateDeepLinkWithJWT(ctx, tok)
		wantCode(t, err, apperr.Invalid)
	})
	t.Run("ErrExpiredJWT", func(t *testing.T) {
		tok, _ := signer.SignDeepLinkJWT(claims, e.sim.Clock().Now().Add(-10*time.Minute))
		_, err := e.client.CreateDeepLinkWithJWT(ctx, tok)
		wantCode(t, err, apperr.Invalid)
	})
	t.Run("ErrNoSignerConfigured", func(t *testing.T) {
		if _, err := e.client.CreateDeepLink(ctx, claims); err == nil {
			t.Fatal("want an error without a signer")
		}
	})
}

func TestCredentials_KeptPerAccountByOnBehalfOf(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, b := e.operationalPartner("SEK").PartnerAccountID, e.operationalPartner("SEK").PartnerAccountID
	ka := must[*klarna.APIKey](t)(e.client.CreateAPIKey(ctx, "partner a key", klarna.OnBehalfOf(a)))
	must[*klarna.ClientIdentifier](t)(e.client.CreateClientIdentifier(ctx, "partner a web", []string{"https://a.example"}, klarna.OnBehalfOf(a)))
	if l := must[[]klarna.APIKey](t)(e.client.ListAPIKeys(ctx, klarna.OnBehalfOf(b))); len(l) != 0 {
		t.Fatalf("partner b sees %d keys of partner a", len(l))
	}
	if l := must[[]klarna.ClientIdentifier](t)(e.client.ListClientIdentifiers(ctx, klarna.OnBehalfOf(b))); len(l) != 0 {
		t.Fatalf("partner b sees %d client identifiers of partner a", len(l))
	}
	for _, k := range must[[]klarna.APIKey](t)(e.client.ListAPIKeys(ctx)) {
		if k.CredentialID == ka.CredentialID {
			t.Fatal("the acquirer's own list shows a partner's key")
		}
	}
	if err := e.client.DisableAPIKey(ctx, ka.CredentialID, klarna.OnBehalfOf(b)); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("partner b disabling partner a's key: %v, want not found", err)
	}
	if l := must[[]klarna.APIKey](t)(e.client.ListAPIKeys(ctx, klarna.OnBehalfOf(a))); len(l) != 1 || l[0].CredentialID != ka.CredentialID {
		t.Fatalf("partner a's keys = %+v", l)
	}

	// The partner's own key acts for that partner only.
	own, err := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: e.srv.URL, APIKey: ka.Secret, MaxRetryTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if l := must[[]klarna.APIKey](t)(own.ListAPIKeys(ctx)); len(l) != 1 || l[0].CredentialID != ka.CredentialID || l[0].LastUsedAt.IsZero() {
		t.Fatalf("keys seen with partner a's own key = %+v, want its key with a last use", l)
	}
	if _, err := own.ListAPIKeys(ctx, klarna.OnBehalfOf(b)); klarna.HTTPStatusOf(err) != 403 {
		t.Fatalf("partner a's key acting for b: %v, want 403", err)
	}
}

func TestAPIKeys_UnusedForTwoMonthsAreDisabled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.operationalPartner("SEK").PartnerAccountID
	used := must[*klarna.APIKey](t)(e.client.CreateAPIKey(ctx, "used", klarna.OnBehalfOf(a)))
	idle := must[*klarna.APIKey](t)(e.client.CreateAPIKey(ctx, "idle", klarna.OnBehalfOf(a)))
	usedClient, err := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: e.srv.URL, APIKey: used.Secret, MaxRetryTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	status := func() map[string]string {
		out := map[string]string{}
		for _, k := range must[[]klarna.APIKey](t)(e.client.ListAPIKeys(ctx, klarna.OnBehalfOf(a))) {
			out[k.Description] = k.Status
		}
		return out
	}
	e.sim.Advance(50 * 24 * time.Hour)
	must[[]klarna.APIKey](t)(usedClient.ListAPIKeys(ctx))
	if s := status(); s["used"] != "ENABLED" || s["idle"] != "ENABLED" {
		t.Fatalf("after 50 days: %v, want both enabled", s)
	}
	e.sim.Advance(15 * 24 * time.Hour) // idle: 65 days without use; used: 15 days since its last use
	if s := status(); s["used"] != "ENABLED" || s["idle"] != "DISABLED" {
		t.Fatalf("after 65 days: %v, want idle disabled and used enabled", s)
	}
	idleClient, err := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: e.srv.URL, APIKey: idle.Secret, MaxRetryTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idleClient.ListAPIKeys(ctx); klarna.HTTPStatusOf(err) != 401 {
		t.Fatalf("an auto-disabled key authenticated: %v", err)
	}
	// The acquirer's own key is kept however long the simulator runs.
	e.sim.Advance(100 * 24 * time.Hour)
	must[[]klarna.APIKey](t)(e.client.ListAPIKeys(ctx))
}
