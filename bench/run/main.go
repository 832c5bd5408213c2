// Command run is `make bench`: it measures Partner Desk at production size
// beside baselines measured in the same run on the same database, prints one
// table and writes it to bench/results/ (latest.md, latest.json with the raw
// figures, latest.svg) and into docs/benchmarks.md. See docs/benchmarks.md.
//
// Everything it needs it starts itself and stops at exit: a private
// PostgreSQL cluster with durable defaults (fsync and synchronous_commit on),
// kept under .data/bench/postgres with its seeded data so that a repeat run
// skips seeding; the development IdP; `serve` (restarted between measures so
// each measure's peak RSS is its own); the bare Gin + pgx baseline
// (bench/bare).
//
// Environment: BENCH_SCALE (default 1) scales every size down, e.g. 0.01;
// BENCH_DURATION (default 20s × max(scale, 0.25)) is each load measure's
// length; BENCH_ONLY (comma-separated measure names, e.g. queue,export)
// runs only some measures (and leaves the docs and latest.* as they are).
//
// Adding a measure: a seeder in seeders (cached by its own check) and a
// measure in measures; each appends rows to the report.
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/postgres/pglocal"
)

const (
	benchDB = "bench"
	// clients is the concurrency of the list measures (issues 11 and 14).
	clients = 100
	// webhookConns is the concurrency of the ingest measure (issue 14).
	webhookConns = 32
	signKeyID    = "krn:partner:global:notification:signing-key:bench"
	signKey      = "bench-signing-secret"
	// persona is who the load generator is signed in as: acquirer support
	// reads the disputes of every partner; financePersona reads and exports
	// the settlements of every partner.
	persona        = "acquirer-support"
	financePersona = "acquirer-finance"
	// seedMaxAge: the seeded deadlines are relative to the seeding time, so
	// a seed older than this is loaded again (the queue's views would drift).
	seedMaxAge = 24 * time.Hour
)

// measure is one group of rows of the table.
type measure struct {
	name  string
	seeds []string // the seeders whose data it reads
	run   func(ctx context.Context, e *env, r *report) error
}

// measures run in this order.
var measures = []measure{
	{"queue", []string{"disputes"}, func(ctx context.Context, e *env, r *report) error { return e.queue(ctx, r) }},
	{"export", []string{"disputes"}, func(ctx context.Context, e *env, r *report) error { return e.export(ctx, r) }},
	{"settlement-lists", []string{"settlements"}, func(ctx context.Context, e *env, r *report) error { return e.settlementLists(ctx, r) }},
	{"settlement-export", []string{"settlements"}, func(ctx context.Context, e *env, r *report) error { return e.settlementExport(ctx, r) }},
	{"directory", []string{"directory"}, func(ctx context.Context, e *env, r *report) error { return e.directory(ctx, r) }},
	{"payments", []string{"payments"}, func(ctx context.Context, e *env, r *report) error { return e.payments(ctx, r) }},
	{"interactions", []string{"disputes", "settlements", "directory", "payments"}, func(ctx context.Context, e *env, r *report) error { return e.interactions(ctx, r) }},
	{"growth", nil, func(ctx context.Context, e *env, r *report) error { return e.growth(ctx, r) }},
	{"webhooks", []string{"directory"}, func(ctx context.Context, e *env, r *report) error { return e.webhooks(ctx, r) }},
	{"ui", nil, func(ctx context.Context, e *env, r *report) error { return e.uiSize(ctx, r) }},
}

// seeder loads one data set unless it is already there.
type seeder struct {
	name string
	run  func(ctx context.Context, e *env) error
}

var seeders = []seeder{
	{"disputes", func(ctx context.Context, e *env) error { return e.seedDisputes(ctx) }},
	{"settlements", func(ctx context.Context, e *env) error { return e.seedSettlements(ctx) }},
	{"directory", func(ctx context.Context, e *env) error { return e.seedDirectory(ctx) }},
	{"payments", func(ctx context.Context, e *env) error { return e.seedPayments(ctx) }},
}

type env struct {
	scale     float64
	partners  int
	disputes  int
	dur       time.Duration
	logDir    string
	bin       string // partnerdesk built for the run
	bareBin   string
	dsn       string
	cluster   *pglocal.Cluster
	idp       string
	serveAddr string
	session   string // Cookie header value of the signed-in persona
	// financeSession is financePersona's
	financeSession string
	procs          []*proc
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func step(format string, a ...any) { fmt.Fprintf(os.Stderr, "== "+format+"\n", a...) }

func envScale() (float64, error) {
	v := os.Getenv("BENCH_SCALE")
	if v == "" {
		return 1, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0 && f <= 1) {
		return 0, fmt.Errorf("BENCH_SCALE: a number above 0 and at most 1, got %q", v)
	}
	return f, nil
}

func run(ctx context.Context) (err error) {
	e := &env{}
	startedAt := time.Now().UTC()
	if e.scale, err = envScale(); err != nil {
		return err
	}
	e.setScale(e.scale)
	e.dur = time.Duration(float64(20*time.Second) * max(e.scale, 0.25))
	if v := os.Getenv("BENCH_DURATION"); v != "" {
		if e.dur, err = time.ParseDuration(v); err != nil || e.dur < time.Second {
			return fmt.Errorf("BENCH_DURATION: a duration of at least 1s, got %q", v)
		}
	}
	only := map[string]bool{}
	for _, n := range strings.Split(os.Getenv("BENCH_ONLY"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			if !slices.ContainsFunc(measures, func(m measure) bool { return m.name == n }) {
				return fmt.Errorf("BENCH_ONLY: unknown measure %q", n)
			}
			only[n] = true
		}
	}
	e.logDir = filepath.Join(".data", "bench", "logs")
	if err := os.MkdirAll(e.logDir, 0o755); err != nil {
		return err
	}
	defer func() {
		for i := len(e.procs) - 1; i >= 0; i-- {
			e.procs[i].stop()
		}
	}()

	step("building bin/partnerdesk-bench and bin/bench-bare")
	e.bin, e.bareBin = filepath.Join("bin", "partnerdesk-bench"), filepath.Join("bin", "bench-bare")
	for _, b := range [][2]string{{e.bin, "./cmd/partnerdesk"}, {e.bareBin, "./bench/bare"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", b[0], b[1])
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build %s: %w", b[1], err)
		}
	}

	step("PostgreSQL under .data/bench/postgres (durable defaults: fsync and synchronous_commit on)")
	cluster, err := pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(".data", "bench", "postgres")})
	if err != nil {
		return err
	}
	defer cluster.Stop() //nolint:errcheck // at exit; nothing left to do
	if err := ensureDB(ctx, cluster.DSN("postgres"), benchDB); err != nil {
		return err
	}
	e.cluster, e.dsn = cluster, cluster.DSN(benchDB)

	if e.idp, err = freeAddr(); err != nil {
		return err
	}
	if e.serveAddr, err = freeAddr(); err != nil {
		return err
	}
	if _, err := e.start(ctx, "dev-idp", e.idp, "/.well-known/openid-configuration", nil,
		e.bin, "dev-idp", "--addr", "{addr}", "--allow-loopback-redirects"); err != nil {
		return err
	}

	needed := map[string]bool{}
	for _, m := range measures {
		if len(only) == 0 || only[m.name] {
			for _, n := range m.seeds {
				needed[n] = true
			}
		}
	}
	if err := e.prepare(ctx, needed); err != nil {
		return err
	}

	r := &report{Scale: e.scale, Partners: e.partners, Disputes: e.disputes, Payments: e.paymentCount(), Clients: clients, Duration: e.dur.String(),
		StartedAt: startedAt, CPUs: runtime.NumCPU(), CPU: cpuModel(), Commit: gitCommit(), PostgreSQL: pgVersion(ctx, e.dsn),
		Raw: map[string]any{}}
	for _, m := range measures {
		if len(only) > 0 && !only[m.name] {
			continue
		}
		if err := m.run(ctx, e, r); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		// An interrupted load ends early with figures of nothing: no table.
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: interrupted, nothing written", m.name)
		}
	}
	r.Seconds = time.Since(startedAt).Seconds()
	return r.write(len(only) > 0)
}

// setScale sets the sizes that follow from scale.
func (e *env) setScale(scale float64) {
	e.scale = scale
	e.partners = max(10, int(math.Round(1000*scale)))
	e.disputes = int(math.Round(1_000_000 * scale))
}

// prepare migrates e's database (a serve), runs the needed seeders and
// signs the personas in.
func (e *env) prepare(ctx context.Context, needed map[string]bool) error {
	step("serve once (migrations, acquirer tenant), then seeding (skipped when already seeded)")
	s, err := e.serve(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	for _, sd := range seeders {
		if !needed[sd.name] {
			continue
		}
		if err := sd.run(ctx, e); err != nil {
			return fmt.Errorf("seed %s: %w", sd.name, err)
		}
	}
	if err := vacuum(ctx, e.dsn); err != nil {
		return err
	}
	if e.session, err = e.login(ctx, persona); err != nil {
		return err
	}
	e.financeSession, err = e.login(ctx, financePersona)
	return err
}

func ensureDB(ctx context.Context, adminDSN, name string) error {
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, name).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		_, err = conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize())
	}
	return err
}

// seedDisputes loads the disputes with `partnerdesk bench seed-disputes`
// (COPY), which skips when exactly that many are there; a seed older than
// seedMaxAge is removed first, because its deadlines have moved into the past.
func (e *env) seedDisputes(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, e.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var seededAt *time.Time
	if err := conn.QueryRow(ctx, `SELECT min(created_at) FROM tenants WHERE slug LIKE 'bench-p-%'`).Scan(&seededAt); err != nil {
		return err
	}
	if seededAt != nil && time.Since(*seededAt) > seedMaxAge {
		step("the disputes were seeded %s ago: removing them to seed again", time.Since(*seededAt).Round(time.Minute))
		if _, err := conn.Exec(ctx, `DELETE FROM tenants WHERE slug LIKE 'bench-p-%'`); err != nil {
			return err
		}
	}
	step("seed %d disputes over %d partners", e.disputes, e.partners)
	out, err := e.cli(ctx, "bench", "seed-disputes", "--partners", strconv.Itoa(e.partners), "--disputes", strconv.Itoa(e.disputes))
	fmt.Fprintln(os.Stderr, out)
	return err
}

// vacuum brings the freshly loaded tables to the state autovacuum keeps a
// production database in: statistics and the visibility map, without which
// an index-only scan (the queue's counts) reads the table's pages too. Quick
// when nothing changed since the last run.
func vacuum(ctx context.Context, dsn string) error {
	step("VACUUM (ANALYZE)")
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `VACUUM (ANALYZE)`)
	return err
}

func pgVersion(ctx context.Context, dsn string) string {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "unknown"
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, `SHOW server_version`).Scan(&v); err != nil {
		return "unknown"
	}
	return v
}
