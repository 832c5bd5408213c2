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

// `partnerdesk bench seed-settlements` and `seed-directory` are added to
// the bench command (its file, cmd_bench.go, initialises first).
func init() {
	addBenchSeed("seed-settlements", "[--partners 1000] [--payouts 20000] [--lines 10000000] [--big-payout 1000000]", seedSettlements)
	addBenchSeed("seed-directory", "[--partners 100000]", seedDirectory)
}

// addBenchSeed adds a subcommand to the bench command; any other
// subcommand goes on to the bench command's own Run.
func addBenchSeed(name, usage string, run func(ctx context.Context, env *Env, args []string) error) {
	bench, ok := commands["bench"]
	if !ok {
		panic("cli: " + name + " needs the bench command")
	}
	inner := bench.Run
	bench.Usage += " | " + name + " " + usage
	bench.Run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) > 0 && args[0] == name {
			return run(ctx, env, args[1:])
		}
		return inner(ctx, env, args)
	}
}

func seedSettlements(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("seed-settlements", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var o postgres.SeedSettlementsOptions
	fs.IntVar(&o.Partners, "partners", 1000, "partner tenants to create when no bench partners exist (seed-disputes makes the same ones)")
	fs.IntVar(&o.Payouts, "payouts", 20000, "payouts, one a week per partner going back from today")
	fs.IntVar(&o.Lines, "lines", 10000000, "settlement lines, spread over the payouts")
	fs.IntVar(&o.BigPayout, "big-payout", 1000000, "lines of the first payout, BENCH00000000 (for measuring one payout's export)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if o.Payouts < 1 || o.Lines < 0 || o.BigPayout < 0 || o.BigPayout > o.Lines {
		return fmt.Errorf("%w: --payouts at least 1, --lines 0 or more, --big-payout at most --lines", ErrUsage)
	}
	db, err := openDatabase(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.SeedBenchSettlements(ctx, o, time.Now())
	if err != nil {
		return err
	}
	if res.Skipped {
		fmt.Fprintf(env.Stdout, "already seeded: %d payouts, %d settlement lines\n", res.Payouts, res.Lines)
		return nil
	}
	fmt.Fprintf(env.Stdout, "seeded %d payouts and %d settlement lines over %d partners in %s\n", res.Payouts, res.Lines, res.Partners, res.Took.Round(time.Millisecond))
	return nil
}

// openDatabase opens PARTNERDESK_DATABASE_URL for a command that works on
// the database directly (no migrations, two connections).
func openDatabase(ctx context.Context, env *Env) (*postgres.DB, error) {
	cfg, err := config.Load(env.Getenv)
	if err != nil {
		return nil, err
	}
	if cfg.DatabaseURL == "" {
		return nil, errors.New("PARTNERDESK_DATABASE_URL: required")
	}
	return postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: 2})
}

// seedDirectory loads the partner directory's bench partners (bench-d-…).
func seedDirectory(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("seed-directory", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	n := fs.Int("partners", 100000, "directory partners, each with an account and six resources (2 % not linked yet)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if *n < 1 {
		return fmt.Errorf("%w: --partners at least 1", ErrUsage)
	}
	db, err := openDatabase(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.SeedBenchPartners(ctx, *n)
	if err != nil {
		return err
	}
	if res.Skipped {
		fmt.Fprintf(env.Stdout, "already seeded: %d directory partners\n", res.Partners)
		return nil
	}
	fmt.Fprintf(env.Stdout, "seeded %d directory partners (%d linked, %d resources) in %s\n", res.Partners, res.Linked, res.Resources, res.Took.Round(time.Millisecond))
	return nil
}
