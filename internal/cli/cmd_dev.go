package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/auth"
	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pglocal"
	"github.com/partnerdesk/partnerdesk/internal/secretbox"
	"github.com/partnerdesk/partnerdesk/ui"
)

func init() {
	var f serverFlags
	var dataDir string
	Register(&Command{
		Name:    "dev",
		Summary: "Run everything locally: private PostgreSQL, development IdP, demo data",
		Usage:   "[--addr HOST:PORT] [--data-dir DIR] [--no-migrate]",
		Flags: func(fs *flag.FlagSet) {
			f.register(fs)
			fs.StringVar(&dataDir, "data-dir", "", "where dev keeps its database and keys (overrides PARTNERDESK_DATA_DIR; default .data)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			getenv := env.Getenv
			if getenv(config.Prefix+"OIDC_GROUP_ROLES") == "" {
				getenv = overlay(getenv, config.Prefix+"OIDC_GROUP_ROLES", strings.Join(app.DemoGroupRoles, ","))
			}
			cfg, err := f.load(&Env{Stdout: env.Stdout, Stderr: env.Stderr, Getenv: getenv})
			if err != nil {
				return err
			}
			if dataDir != "" {
				cfg.DataDir = dataDir
			}
			return runDev(ctx, env, cfg)
		},
	})
}

// devRelocateRoot is where dev keeps the cluster when the postgres user
// cannot reach DATA_DIR (pglocal.DefaultRelocateRoot unless a test moves it).
var devRelocateRoot = ""

func runDev(ctx context.Context, env *Env, cfg *config.Config) error {
	log := app.NewLogger(env.Stderr, cfg.LogLevel)
	started := time.Now()
	dsn := cfg.DatabaseURL
	dbWhere := "PARTNERDESK_DATABASE_URL"
	if dsn == "" {
		dir := filepath.Join(cfg.DataDir, "postgres")
		log.Info("starting private PostgreSQL", "dir", dir)
		cluster, err := pglocal.Start(ctx, pglocal.Options{Dir: dir, RelocateRoot: devRelocateRoot})
		if err != nil {
			return err
		}
		dbWhere = cluster.Dir()
		if cluster.Relocated() {
			// Running as root in a directory the postgres user cannot enter.
			parent, _ := filepath.Abs(filepath.Dir(dir))
			dbWhere += " (" + dir + " links there: the postgres user cannot reach " + parent + ")"
			log.Info("private PostgreSQL kept where the postgres user can reach it", "dir", cluster.Dir(), "link", dir)
		}
		defer func() {
			if err := cluster.Stop(); err != nil {
				log.Error("stopping PostgreSQL", "error", err)
			}
		}()
		if err := ensureDatabase(ctx, cluster.DSN("postgres"), "partnerdesk"); err != nil {
			return err
		}
		dsn = cluster.DSN("partnerdesk")
	}

	// The identity provider: the one PARTNERDESK_OIDC_ISSUER names, else the
	// development IdP, in-process on its own port.
	oidc := app.OIDCConfig(cfg, true)
	var idp *oidctest.Provider
	if cfg.OIDCIssuer == "" {
		idpLn, err := net.Listen("tcp", cfg.DevIdPAddr)
		if err != nil {
			return fmt.Errorf("development IdP: listen on %s (PARTNERDESK_DEV_IDP_ADDR): %w", cfg.DevIdPAddr, err)
		}
		secret := randomHex(16)
		idp, err = oidctest.New(oidctest.Options{
			Issuer: "http://" + idpLn.Addr().String(),
			Clients: []oidctest.Client{{ID: "partnerdesk-dev", Secret: secret,
				RedirectURIs: []string{cfg.BaseURL() + "/auth/callback"}, PostLogoutRedirectURIs: []string{cfg.BaseURL() + "/"}, AllowLoopbackRedirects: true}},
			Logger: log.With("component", "dev-idp"),
		})
		if err != nil {
			idpLn.Close()
			return err
		}
		stopIdP := serveBackground(idpLn, idp.Handler(), log)
		defer stopIdP()
		oidc.Issuer, oidc.ClientID, oidc.ClientSecret = idp.Issuer(), "partnerdesk-dev", secret
	} else {
		log.Info("using the identity provider from PARTNERDESK_OIDC_ISSUER; the development IdP is not started", "issuer", cfg.OIDCIssuer)
	}

	// The Klarna simulator, in-process on its own port, its state kept
	// under the data directory across restarts.
	sim, simURL, stopSim, err := startSimulator(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stopSim()
	kc := app.KlarnaConfig(cfg, true)
	kc.GatewayURL, kc.DisputesURL, kc.SettlementsURL, kc.APIKey = simURL, simURL, simURL+"/settlements/v1", sim.InitialAPIKey()

	assets, built := ui.Assets()
	key, err := secretbox.DevKey(cfg.DataDir)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Options{Logger: log, DatabaseURL: dsn, UI: assets, Dev: true, OIDC: oidc, Klarna: kc, EncryptionKey: key})
	if err != nil {
		return err
	}
	if err := a.SeedDemo(ctx); err != nil {
		a.DB.Close()
		return err
	}
	if err := a.Start(ctx); err != nil {
		a.DB.Close()
		return err
	}
	// Webhooks from the simulator start flowing once the receiver listens.
	if err := a.Subscribe(ctx); err != nil {
		log.Error("subscribing to Klarna webhooks", "error", err)
	}
	// The rest of the demo directory is onboarded once webhooks flow, so
	// their events arrive, and linked like A and B.
	if err := app.SeedSimulator(sim, app.DemoDirectory); err != nil {
		log.Error("seeding the demo directory", "error", err)
	} else if err := a.SeedDemo(ctx); err != nil {
		log.Error("seeding the demo directory", "error", err)
	}
	if err := a.SeedDemoChanges(ctx, simURL); err != nil {
		log.Error("seeding the demo partners' changes", "error", err)
	}
	printBanner(env.Stdout, a.URL(), cfg.DataDir, dbWhere, built, idp, oidc, simURL, time.Since(started))
	<-ctx.Done()
	return shutdown(a, cfg.ShutdownTimeout)
}

// printBanner says where the app runs and how to sign in: as a persona of
// the development IdP (idp), or, when idp is nil, with the users of the
// provider oidc names.
func printBanner(w io.Writer, url, dataDir, dbWhere string, built bool, idp *oidctest.Provider, oidc *auth.Config, simURL string, took time.Duration) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nPartner Desk is running at %s   (ready in %.1fs)\n", url, took.Seconds())
	if !built {
		b.WriteString("  (this binary has no UI built in: run `make run` for the full app)\n")
	}
	if idp == nil {
		fmt.Fprintf(&b, "\nIdentity provider: %s (PARTNERDESK_OIDC_ISSUER; client id %s)\n", oidc.Issuer, oidc.ClientID)
		fmt.Fprintf(&b, "Redirect URL to register there: %s\n", oidc.RedirectURL)
		fmt.Fprintf(&b, "Sign in with your identity provider's users at %s/login (roles come from PARTNERDESK_OIDC_GROUP_ROLES, groups claim %q).\n", url, oidc.GroupsClaim)
	} else {
		fmt.Fprintf(&b, "\nSign in as one of these personas (development IdP at %s):\n", idp.Issuer())
		width := 0
		for _, p := range idp.Personas() {
			width = max(width, len(p.ID))
		}
		for _, p := range idp.Personas() {
			fmt.Fprintf(&b, "  %-*s  %-26s %-24s %s/auth/login?login_hint=%s\n", width, p.ID, p.Role, p.Tenant, url, p.ID)
		}
	}
	fmt.Fprintf(&b, "\nKlarna simulator: %s (control API: %s/_sim/)\n", simURL, simURL)
	fmt.Fprintf(&b, "Data: %s (make clean-data stops and wipes it)   Stop: Ctrl-C\n", dataDir)
	fmt.Fprintf(&b, "Database: %s\n\n", dbWhere)
	io.WriteString(w, b.String())
}

// startSimulator runs the Klarna simulator for dev: traffic on, state in
// DATA_DIR/klarna-sim.json, demo partners A and B onboarded where missing.
func startSimulator(ctx context.Context, cfg *config.Config, log *slog.Logger) (*klarnasim.Sim, string, func(), error) {
	ln, err := net.Listen("tcp", cfg.KlarnaSimAddr)
	if err != nil {
		return nil, "", nil, fmt.Errorf("the Klarna simulator cannot listen on %s (PARTNERDESK_KLARNA_SIM_ADDR): %w", cfg.KlarnaSimAddr, err)
	}
	url := "http://" + ln.Addr().String()
	sim, err := klarnasim.New(klarnasim.Options{
		Logger: log.With("component", "klarna-sim"), SnapshotFile: filepath.Join(cfg.DataDir, "klarna-sim.json"),
		ClockSpeed: cfg.KlarnaSimSpeed, Traffic: true, PublicURL: url,
	})
	if err != nil {
		ln.Close()
		return nil, "", nil, fmt.Errorf("the Klarna simulator: %w", err)
	}
	if err := app.SeedSimulator(sim, app.DemoPartners); err != nil {
		ln.Close()
		return nil, "", nil, err
	}
	sim.Start(ctx)
	stopHTTP := serveBackground(ln, sim.Handler(), log)
	return sim, url, func() {
		stopHTTP()
		if err := sim.Close(); err != nil {
			log.Error("closing the Klarna simulator", "error", err)
		}
	}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// serveBackground serves h on ln until the returned stop is called.
func serveBackground(ln net.Listener, h http.Handler, log *slog.Logger) (stop func()) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("background server stopped", "addr", ln.Addr().String(), "error", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}
}
