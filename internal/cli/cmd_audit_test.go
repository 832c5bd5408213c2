package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/audit"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

// TestMain lets tests in this package use a real PostgreSQL (pgtest).
func TestMain(m *testing.M) { pgtest.Main(m) }

func TestAuditVerify(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn, postgres.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vars := map[string]string{"PARTNERDESK_DATABASE_URL": dsn}

	code, stdout, stderr := run(t, vars, "audit", "verify")
	if code != 0 || !strings.Contains(stdout, "audit chain OK: 0 events") {
		t.Fatalf("empty trail: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	svc := audit.NewService(db.Audit(), audit.Options{})
	for i := 1; i <= 4; i++ {
		err := db.InTx(ctx, func(ctx context.Context) error {
			return svc.Record(ctx, audit.Entry{Action: "partner:manage", TargetID: fmt.Sprint("p", i), After: map[string]any{"n": i}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = run(t, vars, "audit", "verify")
	if code != 0 || !strings.Contains(stdout, "audit chain OK: 4 events") || !strings.Contains(stdout, "head: event #4 sha256:") {
		t.Fatalf("intact trail: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL partnerdesk.audit_maintenance = 'on'`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE audit_events SET actor_label = 'someone else' WHERE id = 2`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, vars, "audit", "verify")
	if code != 1 || !strings.Contains(stdout, "audit chain BROKEN at event #2: ") || !strings.Contains(stdout, "edited") {
		t.Fatalf("tampered trail: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestAuditUsage(t *testing.T) {
	if code, _, _ := run(t, map[string]string{"PARTNERDESK_DATABASE_URL": "postgres://x@127.0.0.1:1/x"}, "audit", "fix"); code != 2 {
		t.Fatalf("unknown audit action exit %d, want 2", code)
	}
	if code, _, stderr := run(t, nil, "audit", "verify"); code != 1 || !strings.Contains(stderr, "PARTNERDESK_DATABASE_URL") {
		t.Fatalf("without database: exit %d, %q", code, stderr)
	}
}
