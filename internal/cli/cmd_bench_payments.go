package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// `partnerdesk bench seed-payments` is added to the bench command, like
// seed-settlements.
func init() {
	addBenchSeed("seed-payments", "[--partners 1000] [--payments 10000000] [--events-every 100]", seedPayments)
}

func seedPayments(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("seed-payments", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var o postgres.SeedPaymentsOptions
	fs.IntVar(&o.Partners, "partners", 1000, "partner tenants to create when no bench partners exist (seed-disputes makes the same ones)")
	fs.IntVar(&o.Payments, "payments", 10000000, "payment requests, created over the last year, spread over the partners")
	fs.IntVar(&o.EventsEvery, "events-every", 100, "every n-th payment keeps its state reports in payment_events (0: none)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if o.Partners < 1 || o.Payments < 0 || o.EventsEvery < 0 {
		return fmt.Errorf("%w: --partners at least 1, --payments and --events-every 0 or more", ErrUsage)
	}
	db, err := openDatabase(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.SeedBenchPayments(ctx, o, time.Now())
	if err != nil {
		return err
	}
	if res.Skipped {
		fmt.Fprintf(env.Stdout, "already seeded: %d payments over %d partners\n", res.Payments, res.Partners)
		return nil
	}
	fmt.Fprintf(env.Stdout, "seeded %d payments (%d state reports, %d partner days) over %d partners in %s (COPY %s, indexes %s, day figures %s)\n",
		res.Payments, res.Events, res.Days, res.Partners, res.Took.Round(time.Millisecond), res.Copy.Round(time.Millisecond),
		res.Indexes.Round(time.Millisecond), res.DayFigures.Round(time.Millisecond))
	return nil
}
