package cli

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

// serve refuses the development IdP and the Klarna simulator unless it is
// told it runs a demo.
func TestServeRefusesDevelopmentStandIns(t *testing.T) {
	idp := oidctest.Start(t, oidctest.Options{Clients: []oidctest.Client{{ID: "c", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:1/auth/callback"}}}})
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	simSrv := httptest.NewServer(sim.Handler())
	defer simSrv.Close()

	base := map[string]string{
		"PARTNERDESK_DATABASE_URL": pgtest.DSN(t),
		"PARTNERDESK_HTTP_ADDR":    "127.0.0.1:0",
		"PARTNERDESK_OIDC_ISSUER":  idp.Issuer(),
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ErrDevIdP", with(nil), "development identity provider"},
		{"ErrSimulator", with(map[string]string{"PARTNERDESK_DEMO": "false", "PARTNERDESK_KLARNA_API_KEY": sim.InitialAPIKey(),
			"PARTNERDESK_KLARNA_GATEWAY_URL": simSrv.URL, "PARTNERDESK_OIDC_ISSUER": "http://127.0.0.1:1"}), "Partner Desk simulator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out, errb strings.Builder
			code := Run(ctx, &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return tc.env[k] }}, []string{"serve"})
			if code != 1 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d, stderr: %s", code, errb.String())
			}
		})
	}
}
