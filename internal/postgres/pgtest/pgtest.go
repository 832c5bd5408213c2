// Package pgtest gives each test its own real PostgreSQL database.
//
// Once per test process it starts a private cluster (pglocal, fsync off, Unix
// socket only), migrates a template database once, and clones a fresh
// database from that template for every test, so tests can run with
// t.Parallel(). A package that uses it declares
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// which stops the cluster and removes its files when the tests end.
package pgtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pglocal"
)

const template = "pd_template"

var (
	inMain  bool
	once    sync.Once
	cluster *pglocal.Cluster
	baseDir string
	initErr error
	seq     atomic.Int64
)

// Main runs the package's tests and then removes the cluster. Each after
// function runs once the tests end (a package's own cleanup, e.g. a binary it
// built), before the process exits.
func Main(m *testing.M, after ...func()) {
	inMain = true
	code := m.Run()
	for _, f := range after {
		f()
	}
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: stop:", err)
		}
		_ = os.RemoveAll(baseDir)
	}
	os.Exit(code)
}

func start() {
	if !inMain {
		initErr = fmt.Errorf("pgtest: declare `func TestMain(m *testing.M) { pgtest.Main(m) }` in this package so the cluster is removed at the end")
		return
	}
	// $TMPDIR, unless the postgres user (the server's, when running as
	// root) cannot enter it: then /tmp.
	tmp, err := pglocal.TempDir()
	if err != nil {
		initErr = err
		return
	}
	sweepAbandoned(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	baseDir, initErr = os.MkdirTemp(tmp, "partnerdesk-pgtest-")
	if initErr != nil {
		return
	}
	_ = os.Chmod(baseDir, 0o755)
	_ = os.WriteFile(filepath.Join(baseDir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644)
	cluster, initErr = pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(baseDir, "pg"), Ephemeral: true})
	if initErr != nil {
		return
	}
	initErr = exec(ctx, cluster.DSN("postgres"), "CREATE DATABASE "+template)
	if initErr != nil {
		return
	}
	db, err := postgres.Open(ctx, cluster.DSN(template), postgres.Options{MaxConns: 4})
	if err != nil {
		initErr = err
		return
	}
	defer db.Close()
	initErr = db.MigrateUp(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// sweepAbandoned removes clusters left behind by test processes that were
// killed before Main could clean up.
func sweepAbandoned(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, "partnerdesk-pgtest-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if pid > 0 && syscall.Kill(pid, 0) == nil {
			continue // its owner still runs
		}
		if pidb, err := os.ReadFile(filepath.Join(d, "pg", "postmaster.pid")); err == nil {
			if pgpid, _ := strconv.Atoi(strings.SplitN(string(pidb), "\n", 2)[0]); pgpid > 0 {
				_ = syscall.Kill(pgpid, syscall.SIGQUIT)
			}
		}
		_ = os.RemoveAll(d)
	}
}

func exec(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// DSN creates a fresh migrated database for t and returns its URL. The
// database is dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if initErr != nil {
		t.Fatalf("pgtest: %v", initErr)
	}
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), seq.Add(1))
	ctx := context.Background()
	if err := exec(ctx, cluster.DSN("postgres"), "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		_ = exec(ctx, cluster.DSN("postgres"), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return cluster.DSN(name)
}

// New opens a fresh migrated database for t.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), DSN(t), postgres.Options{MaxConns: 8})
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// Cluster returns the process's cluster (started on first use), for tests
// that need to stop and start the server.
func Cluster(t testing.TB) *pglocal.Cluster {
	t.Helper()
	once.Do(start)
	if initErr != nil {
		t.Fatalf("pgtest: %v", initErr)
	}
	return cluster
}
