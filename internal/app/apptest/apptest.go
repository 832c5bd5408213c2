// Package apptest starts the whole application for a test: its own migrated
// PostgreSQL database (pgtest), its own development IdP, demo tenants, and an
// HTTP listener on a free loopback port. The test package must declare
// `func TestMain(m *testing.M) { pgtest.Main(m) }`.
package apptest

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/ui"
	"github.com/riverqueue/river/rivertype"
)

// Config is the default test configuration: a free port, a fast heartbeat,
// the demo persona → role mapping.
func Config(t testing.TB) *config.Config {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	// The port stays held until the app serves it: closing it here would let
	// a parallel test take it in between.
	held.Store(addr, ln)
	t.Cleanup(func() {
		if l, ok := held.LoadAndDelete(addr); ok {
			l.(net.Listener).Close()
		}
	})
	cfg, err := config.Load(func(k string) string {
		switch k {
		case config.Prefix + "HTTP_ADDR":
			return addr
		case config.Prefix + "HEARTBEAT_INTERVAL":
			return "1s"
		case config.Prefix + "SHUTDOWN_TIMEOUT":
			return "5s"
		case config.Prefix + "OIDC_GROUP_ROLES":
			return strings.Join(app.DemoGroupRoles, ",")
		case config.Prefix + "LOGIN_RATE_LIMIT":
			return "1000"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// held are the listeners Config opened, by address, until start serves one.
var held sync.Map

// Listener hands over the port Config chose and held for cfg, or nil when
// cfg's address did not come from Config; set it as app.Options.Listener.
func Listener(cfg *config.Config) net.Listener {
	if l, ok := held.LoadAndDelete(cfg.HTTPAddr); ok {
		return l.(net.Listener)
	}
	return nil
}

// App is a running test instance.
type App struct {
	*app.App
	IdP *oidctest.Provider
	// EncryptionKey is the key stored secrets are sealed with.
	EncryptionKey []byte
	t             testing.TB
}

// fastRetry retries failed jobs after 50 ms instead of River's minutes.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(50 * time.Millisecond) }

// Start runs the app on a fresh database (unless cfg.DatabaseURL is set)
// until the test ends. Logs go to logs if non-nil, else nowhere.
func Start(t testing.TB, cfg *config.Config, logs io.Writer) *App {
	t.Helper()
	return StartWithKlarna(t, cfg, logs, nil)
}

// StartWithKlarna is Start with a Klarna client configuration (e.g. a
// klarnasim server with AllowSimulator); each tune adjusts the app's options
// (e.g. a clock) before it is built.
func StartWithKlarna(t testing.TB, cfg *config.Config, logs io.Writer, klarnaCfg *klarna.Config, tune ...func(*app.Options)) *App {
	t.Helper()
	return start(t, cfg, logs, klarnaCfg, nil, tune...)
}

// StartWithIdP is Start with the development IdP adjusted by idp (e.g. its
// personas, or profile claims released only at UserInfo).
func StartWithIdP(t testing.TB, cfg *config.Config, logs io.Writer, idp func(*oidctest.Options)) *App {
	t.Helper()
	return start(t, cfg, logs, nil, idp)
}

func start(t testing.TB, cfg *config.Config, logs io.Writer, klarnaCfg *klarna.Config, tuneIdP func(*oidctest.Options), tune ...func(*app.Options)) *App {
	t.Helper()
	if cfg == nil {
		cfg = Config(t)
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = pgtest.DSN(t)
	}
	if logs == nil {
		logs = io.Discard
	}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	idpOpts := oidctest.Options{
		Clients: []oidctest.Client{{ID: "partnerdesk-test", Secret: "test-secret", RedirectURIs: []string{cfg.BaseURL() + "/auth/callback"},
			PostLogoutRedirectURIs: []string{cfg.BaseURL() + "/"}}},
		Logger: log.With("component", "dev-idp"),
	}
	if tuneIdP != nil {
		tuneIdP(&idpOpts)
	}
	idp := oidctest.Start(t, idpOpts)
	oidc := app.OIDCConfig(cfg, true)
	oidc.Issuer, oidc.ClientID, oidc.ClientSecret = idp.Issuer(), "partnerdesk-test", "test-secret"
	assets, _ := ui.Assets()
	ctx := context.Background()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	opts := app.Options{Logger: log, UI: assets, Dev: true, OIDC: oidc, Klarna: klarnaCfg, EncryptionKey: key, JobRetry: fastRetry{}}
	opts.Listener = Listener(cfg)
	for _, f := range tune {
		f(&opts)
	}
	a, err := app.New(ctx, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &App{App: a, IdP: idp, EncryptionKey: key, t: t}
}

// Client is an API client with its own cookie jar.
func (a *App) Client() *apitest.Client { return apitest.New(a.t, a.URL()) }

// Login signs persona in through the real redirect flow (app → IdP with
// login_hint → callback) and returns a client holding the session. CSRF
// is the session's token for mutations.
func (a *App) Login(persona string) *apitest.Client {
	a.t.Helper()
	c := a.Client()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(a.URL() + "/auth/login?return_to=/&login_hint=" + persona)
	if err != nil {
		a.t.Fatalf("login %s: %v", persona, err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/" || resp.StatusCode != http.StatusOK {
		a.t.Fatalf("login %s ended at %s (%d)", persona, resp.Request.URL, resp.StatusCode)
	}
	c.HTTP.Jar = jar
	for _, ck := range jar.Cookies(resp.Request.URL) {
		if ck.Name == "pd_csrf" {
			c.CSRF = ck.Value
		}
	}
	if c.CSRF == "" {
		a.t.Fatalf("login %s: no CSRF cookie", persona)
	}
	return c
}
