package cli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/testsupport"
)

// `partnerdesk dev` with PARTNERDESK_OIDC_ISSUER set signs users in at that
// provider: the development IdP is not started (its address is taken, which
// would make starting it fail), the banner names the issuer and the
// redirect URL to register instead of listing personas, and a login through
// that provider (claims only at UserInfo) lands with the mapped role.
func TestDevUsesTheConfiguredIdentityProvider(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	base := "http://" + addr
	idp := oidctest.Start(t, oidctest.Options{
		Clients:                 []oidctest.Client{{ID: "pd-external", Secret: "external-secret", RedirectURIs: []string{base + "/auth/callback"}, PostLogoutRedirectURIs: []string{base + "/"}}},
		ProfileClaimsAtUserInfo: true,
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb testsupport.LogBuffer
	vars := map[string]string{
		"PARTNERDESK_DATABASE_URL":       pgtest.DSN(t),
		"PARTNERDESK_OIDC_ISSUER":        idp.Issuer(),
		"PARTNERDESK_OIDC_CLIENT_ID":     "pd-external",
		"PARTNERDESK_OIDC_CLIENT_SECRET": "external-secret",
		"PARTNERDESK_DEV_IDP_ADDR":       busy.Addr().String(),
		"PARTNERDESK_KLARNA_SIM_ADDR":    "127.0.0.1:0",
		"PARTNERDESK_LOG_LEVEL":          "warn",
	}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}, []string{"dev", "--addr", addr, "--data-dir", t.TempDir()})
	}()
	ready := regexp.MustCompile(`Partner Desk is running at (http://\S+)`)
	deadline := time.Now().Add(2 * time.Minute)
	for ready.FindStringSubmatch(out.String()) == nil {
		select {
		case code := <-done:
			t.Fatalf("dev exited with %d before it was ready:\n%s\n%s", code, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dev not ready:\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	banner := out.String()
	for _, want := range []string{"Identity provider: " + idp.Issuer(), "Redirect URL to register there: " + base + "/auth/callback", "Sign in with your identity provider's users"} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner lacks %q:\n%s", want, banner)
		}
	}
	if strings.Contains(banner, "personas") || strings.Contains(banner, "login_hint") {
		t.Errorf("the banner still lists development personas:\n%s", banner)
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(base + "/auth/login?return_to=/&login_hint=acquirer-admin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.String() != base+"/" {
		t.Fatalf("login ended at %s", resp.Request.URL)
	}
	resp, err = browser.Get(base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var m struct {
		User    struct{ Email, Name string }
		Tenants []struct {
			Slug  string
			Roles []string
		}
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("/me: %v: %s", err, body)
	}
	if m.User.Email != "admin@acquirer.example" || m.User.Name != "Ada Lindqvist" || len(m.Tenants) == 0 || m.Tenants[0].Slug != "acquirer" || strings.Join(m.Tenants[0].Roles, ",") != "acquirer-admin" {
		t.Fatalf("/me after login at the configured IdP: %s", body)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("dev exited with %d:\n%s", code, errb.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("dev did not stop")
	}
}
