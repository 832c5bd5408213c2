package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"text/tabwriter"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

func init() {
	Register(&Command{
		Name:    "version",
		Summary: "Print the version",
		Run: func(ctx context.Context, env *Env, args []string) error {
			fmt.Fprintf(env.Stdout, "partnerdesk %s (%s, %s/%s)\n", app.BuildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	})
	Register(&Command{
		Name:    "config",
		Summary: "Print the effective configuration with secrets masked",
		Run: func(ctx context.Context, env *Env, args []string) error {
			cfg, err := config.Load(env.Getenv)
			if err != nil {
				return err
			}
			return cfg.Print(env.Stdout)
		},
	})
	Register(&Command{
		Name:    "migrate",
		Summary: "Apply, roll back or list database migrations (PARTNERDESK_DATABASE_URL)",
		Usage:   "up|down|status",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 || (args[0] != "up" && args[0] != "down" && args[0] != "status") {
				return fmt.Errorf("%w: expected one of up, down, status", ErrUsage)
			}
			cfg, err := config.Load(env.Getenv)
			if err != nil {
				return err
			}
			if cfg.DatabaseURL == "" {
				return errors.New("PARTNERDESK_DATABASE_URL: required (the dev database: see `make run` output)")
			}
			db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: 2})
			if err != nil {
				return err
			}
			defer db.Close()
			log := app.NewLogger(env.Stderr, cfg.LogLevel)
			switch args[0] {
			case "up":
				return db.MigrateUp(ctx, log)
			case "down":
				return db.MigrateDown(ctx, log)
			default: // status
				st, err := db.MigrateStatus(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "VERSION\tFILE\tSTATE\tAPPLIED AT")
				for _, s := range st {
					state, at := "pending", ""
					if s.Applied {
						state, at = "applied", s.AppliedAt.Format("2006-01-02 15:04:05Z07:00")
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Version, s.File, state, at)
				}
				return tw.Flush()
			}
		},
	})
}
