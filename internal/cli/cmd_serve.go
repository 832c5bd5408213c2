package cli

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/auth"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/ui"
)

// serverFlags are the flags serve and dev share.
type serverFlags struct {
	addr      string
	noMigrate bool
}

func (f *serverFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", "", "listen address host:port (overrides PARTNERDESK_HTTP_ADDR; default 127.0.0.1:8080)")
	fs.BoolVar(&f.noMigrate, "no-migrate", false, "do not apply database migrations at start (PARTNERDESK_AUTO_MIGRATE=false)")
}

// load reads the configuration and applies the flags over it.
func (f *serverFlags) load(env *Env) (*config.Config, error) {
	getenv := env.Getenv
	if f.addr != "" {
		getenv = overlay(getenv, config.Prefix+"HTTP_ADDR", f.addr)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	if f.noMigrate {
		cfg.AutoMigrate = false
	}
	return cfg, nil
}

func overlay(getenv func(string) string, key, value string) func(string) string {
	return func(k string) string {
		if k == key {
			return value
		}
		return getenv(k)
	}
}

// productionGuards refuses the development IdP and the Klarna simulator
// unless this is a demo. An IdP or Klarna that is merely unreachable only
// warns: login and Klarna calls retry on their own.
func productionGuards(ctx context.Context, a *app.App, demo bool, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := a.Access.Auth.CheckProvider(ctx); err != nil {
		if errors.Is(err, auth.ErrDevProvider) {
			return auth.ErrDevProvider
		}
		log.Warn("the identity provider is not reachable yet", "error", err)
	}
	if a.Klarna == nil {
		log.Warn("PARTNERDESK_KLARNA_API_KEY is not set: Klarna features are unavailable")
		return nil
	}
	if _, err := a.Klarna.ListSigningKeys(ctx); err != nil {
		if errors.Is(err, klarna.ErrSimulator) && !demo {
			return klarna.ErrSimulator
		}
		log.Warn("Klarna did not answer a test call", "error", err)
	}
	return nil
}

func init() {
	var f serverFlags
	Register(&Command{
		Name:    "serve",
		Summary: "Run the server against PARTNERDESK_DATABASE_URL (production)",
		Usage:   "[--addr HOST:PORT] [--no-migrate]",
		Flags:   f.register,
		Run: func(ctx context.Context, env *Env, args []string) error {
			cfg, err := f.load(env)
			if err != nil {
				return err
			}
			if cfg.DatabaseURL == "" {
				return errors.New("PARTNERDESK_DATABASE_URL: required by serve (for a private development database use `partnerdesk dev`)")
			}
			if cfg.OIDCIssuer == "" {
				return errors.New("PARTNERDESK_OIDC_ISSUER: required by serve (your IdP's issuer URL; see README)")
			}
			assets, _ := ui.Assets()
			log := app.NewLogger(env.Stderr, cfg.LogLevel)
			a, err := app.New(ctx, cfg, app.Options{Logger: log, UI: assets})
			if err != nil {
				return err
			}
			if err := productionGuards(ctx, a, cfg.Demo, log); err != nil {
				a.DB.Close()
				return err
			}
			return a.Run(ctx)
		},
	})
}
