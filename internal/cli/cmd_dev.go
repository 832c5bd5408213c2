package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pglocal"
	"github.com/partnerdesk/partnerdesk/ui"
)

func init() {
	var f serverFlags
	var dataDir string
	Register(&Command{
		Name:    "dev",
		Summary: "Run everything locally: private PostgreSQL under --data-dir, demo setup",
		Usage:   "[--addr HOST:PORT] [--data-dir DIR] [--no-migrate]",
		Flags: func(fs *flag.FlagSet) {
			f.register(fs)
			fs.StringVar(&dataDir, "data-dir", "", "where dev keeps its database and keys (overrides PARTNERDESK_DATA_DIR; default .data)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			cfg, err := f.load(env)
			if err != nil {
				return err
			}
			if dataDir != "" {
				cfg.DataDir = dataDir
			}
			log := app.NewLogger(env.Stderr, cfg.LogLevel)
			dsn := cfg.DatabaseURL
			if dsn == "" {
				dir := filepath.Join(cfg.DataDir, "postgres")
				log.Info("starting private PostgreSQL", "dir", dir)
				cluster, err := pglocal.Start(ctx, pglocal.Options{Dir: dir})
				if err != nil {
					return err
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
			assets, built := ui.Assets()
			a, err := app.New(ctx, cfg, app.Options{Logger: log, DatabaseURL: dsn, UI: assets, Dev: true})
			if err != nil {
				return err
			}
			if err := a.Start(ctx); err != nil {
				a.DB.Close()
				return err
			}
			fmt.Fprintf(env.Stdout, "\nPartner Desk is running at %s\n", a.URL())
			if !built {
				fmt.Fprintln(env.Stdout, "  (this binary has no UI built in: run `make run` for the full app)")
			}
			fmt.Fprintf(env.Stdout, "  data: %s   stop: Ctrl-C\n\n", cfg.DataDir)
			<-ctx.Done()
			return shutdown(a, cfg.ShutdownTimeout)
		},
	})
}
