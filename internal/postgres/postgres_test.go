package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestMigrations(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	t.Run("OK_TemplateIsFullyMigrated", func(t *testing.T) {
		st, err := db.MigrateStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) == 0 {
			t.Fatal("no migrations found")
		}
		for _, s := range st {
			if !s.Applied {
				t.Errorf("migration %d (%s) not applied in a fresh test database", s.Version, s.File)
			}
		}
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_migration`).Scan(&n); err != nil || n == 0 {
			t.Fatalf("River schema missing: n=%d err=%v", n, err)
		}
	})

	t.Run("OK_DownThenUpRestores", func(t *testing.T) {
		if err := db.MigrateDown(ctx, log); err != nil {
			t.Fatal(err)
		}
		st, _ := db.MigrateStatus(ctx)
		if st[len(st)-1].Applied {
			t.Fatalf("newest migration %s still applied after down", st[len(st)-1].File)
		}
		if err := db.MigrateUp(ctx, log); err != nil {
			t.Fatal(err)
		}
		st, _ = db.MigrateStatus(ctx)
		if !st[len(st)-1].Applied {
			t.Fatal("up did not re-apply the newest migration")
		}
	})
}

func TestDatabasesAreIsolated(t *testing.T) {
	t.Parallel()
	a, b := pgtest.New(t), pgtest.New(t)
	ctx := context.Background()
	if _, err := a.Pool.Exec(ctx, `INSERT INTO job_heartbeats(name, last_run_at, last_host) VALUES ('x', now(), 'h')`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.Pool.QueryRow(ctx, `SELECT count(*) FROM job_heartbeats`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a row written in one test database is visible in another (%d rows)", n)
	}
}
