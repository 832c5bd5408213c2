package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

func init() {
	Register(&Command{
		Name:    "bench",
		Summary: "Load data for measuring (PARTNERDESK_DATABASE_URL; never on a real database)",
		Usage:   "seed-disputes [--partners 1000] [--disputes 1000000]",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) == 0 || args[0] != "seed-disputes" {
				return fmt.Errorf("%w: expected seed-disputes", ErrUsage)
			}
			fs := flag.NewFlagSet("seed-disputes", flag.ContinueOnError)
			fs.SetOutput(env.Stderr)
			partners := fs.Int("partners", 1000, "partner tenants to create")
			disputes := fs.Int("disputes", 1000000, "disputes to load, spread over the partners")
			if err := fs.Parse(args[1:]); err != nil {
				return fmt.Errorf("%w: %v", ErrUsage, err)
			}
			if *partners < 1 || *disputes < 0 {
				return fmt.Errorf("%w: --partners at least 1, --disputes 0 or more", ErrUsage)
			}
			cfg, err := config.Load(env.Getenv)
			if err != nil {
				return err
			}
			if cfg.DatabaseURL == "" {
				return errors.New("PARTNERDESK_DATABASE_URL: required")
			}
			db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: 2})
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := db.SeedBenchDisputes(ctx, *partners, *disputes, time.Now())
			if err != nil {
				return err
			}
			if res.Skipped {
				fmt.Fprintf(env.Stdout, "already seeded: %d partners, %d disputes\n", res.Partners, res.Disputes)
				return nil
			}
			fmt.Fprintf(env.Stdout, "seeded %d partners and %d disputes in %s\n", res.Partners, res.Disputes, res.Took.Round(time.Millisecond))
			return nil
		},
	})
}
