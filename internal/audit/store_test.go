package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/audit"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

// fixedClock returns t0, t0+step, t0+2·step, … on successive calls.
func fixedClock(step time.Duration) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return t0.Add(time.Duration(n.Add(1)-1) * step) }
}

func newService(t testing.TB, now func() time.Time) (*postgres.DB, *audit.Service) {
	t.Helper()
	db := pgtest.New(t)
	return db, audit.NewService(db.Audit(), audit.Options{Now: now})
}

// record writes e in its own transaction.
func record(t testing.TB, db *postgres.DB, svc *audit.Service, e audit.Entry) {
	t.Helper()
	if err := db.InTx(context.Background(), func(ctx context.Context) error { return svc.Record(ctx, e) }); err != nil {
		t.Fatalf("record %s: %v", e.Action, err)
	}
}

// maintain runs sql with the append-only guard lifted, as a deliberate
// tamperer (or a retention purge) would.
func maintain(t *testing.T, db *postgres.DB, sql string, args ...any) {
	t.Helper()
	err := pgx.BeginFunc(context.Background(), db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `SET LOCAL partnerdesk.audit_maintenance = 'on'`); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
	if err != nil {
		t.Fatalf("maintenance %q: %v", sql, err)
	}
}

func mustVerify(t *testing.T, svc *audit.Service) audit.VerifyResult {
	t.Helper()
	res, err := svc.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func count(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecordCommitsAndRollsBackWithTheChange(t *testing.T) {
	t.Parallel()
	db, svc := newService(t, fixedClock(time.Second))
	ctx := context.Background()
	boom := errors.New("change failed")
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := svc.Record(ctx, audit.Entry{Action: "partner:manage", TargetType: "partner", TargetID: "p1"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if n := count(t, db); n != 0 {
		t.Fatalf("a rolled-back change left %d audit events", n)
	}

	uid, tid := uuid.New(), uuid.New()
	ctx = audit.WithMeta(ctx, audit.Meta{RequestID: "req-1", IP: "203.0.113.9", UserAgent: "curl/8"})
	err = db.InTx(ctx, func(ctx context.Context) error {
		return svc.Record(ctx, audit.Entry{
			Actor: audit.Actor{ID: &uid, Label: "ada@example.com"}, TenantID: &tid,
			Action: "partner:manage", TargetType: "partner", TargetID: "p1",
			Before: partner{Name: "Acme"}, After: partner{Name: "Acme AB"},
			Meta: audit.Meta{IP: "198.51.100.7"},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, next, err := svc.List(ctx, scope.All(), audit.Filter{}, audit.Page{})
	if err != nil || len(evs) != 1 || next != "" {
		t.Fatalf("list = %d events, next %q, %v", len(evs), next, err)
	}
	ev := evs[0]
	if ev.ID != 1 || *ev.ActorID != uid || ev.ActorLabel != "ada@example.com" || *ev.TenantID != tid ||
		ev.Action != "partner:manage" || ev.TargetType != "partner" || ev.TargetID != "p1" {
		t.Fatalf("stored event %+v", ev)
	}
	if ev.RequestID != "req-1" || ev.UserAgent != "curl/8" || ev.IP != "198.51.100.7" {
		t.Fatalf("metadata: request %q ip %q ua %q (ctx gives request id and agent, the entry's IP wins)", ev.RequestID, ev.IP, ev.UserAgent)
	}
	if string(ev.Diff) != `{"name":{"after":"Acme AB","before":"Acme"}}` {
		t.Fatalf("diff %s", ev.Diff)
	}
	if !ev.OccurredAt.Equal(audit.Normalize(t0.Add(time.Second))) {
		t.Fatalf("occurred_at %v", ev.OccurredAt)
	}
	if res := mustVerify(t, svc); !res.OK || res.Checked != 1 {
		t.Fatalf("verify %+v", res)
	}
}

func TestRecordOutsideTransactionFails(t *testing.T) {
	t.Parallel()
	db, svc := newService(t, nil)
	err := svc.Record(context.Background(), audit.Entry{Action: "auth:login"})
	if err == nil || !strings.Contains(err.Error(), "InTx") {
		t.Fatalf("Record outside a transaction = %v, want an error naming InTx", err)
	}
	if n := count(t, db); n != 0 {
		t.Fatalf("%d events written outside a transaction", n)
	}
}

func TestRecordDefaultsAndCleansInput(t *testing.T) {
	t.Parallel()
	db, svc := newService(t, nil)
	record(t, db, svc, audit.Entry{Action: "settlement:sync", Meta: audit.Meta{UserAgent: "bad\xff\x00agent" + strings.Repeat("x", 2000)}})
	if err := db.InTx(context.Background(), func(ctx context.Context) error { return svc.Record(ctx, audit.Entry{}) }); err == nil {
		t.Fatal("an entry without action was recorded")
	}
	evs, _, err := svc.List(context.Background(), scope.All(), audit.Filter{}, audit.Page{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("list %d %v", len(evs), err)
	}
	if evs[0].ActorLabel != "system" || evs[0].ActorID != nil {
		t.Fatalf("actor %q %v, want system", evs[0].ActorLabel, evs[0].ActorID)
	}
	if ua := evs[0].UserAgent; !strings.HasPrefix(ua, "bad\uFFFD\uFFFDagent") || len(ua) > 512 {
		t.Fatalf("user agent stored as %q (%d bytes)", ua[:20], len(ua))
	}
	if res := mustVerify(t, svc); !res.OK {
		t.Fatalf("verify %+v", res)
	}
}

func TestConcurrentRecordsFormOneChain(t *testing.T) {
	t.Parallel()
	db, svc := newService(t, nil)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.InTx(context.Background(), func(ctx context.Context) error {
				return svc.Record(ctx, audit.Entry{Action: "dispute:respond", TargetType: "dispute", TargetID: fmt.Sprint(i),
					After: map[string]any{"n": i, "ratio": float64(i) / 3}})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	res := mustVerify(t, svc)
	if !res.OK || res.Checked != n || res.HeadID != n {
		t.Fatalf("verify after %d concurrent records: %+v", n, res)
	}
}

func TestVerifyNamesTheTamperedEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		tamper     func(t *testing.T, db *postgres.DB)
		wantAt     int64
		wantReason string
	}{
		{"Broken_EditedRow", func(t *testing.T, db *postgres.DB) {
			maintain(t, db, `UPDATE audit_events SET target_id = 'someone-else' WHERE id = 3`)
		}, 3, "edited"},
		{"Broken_EditedDiff", func(t *testing.T, db *postgres.DB) {
			maintain(t, db, `UPDATE audit_events SET diff = '{"name":{"before":"x","after":"y"}}' WHERE id = 4`)
		}, 4, "edited"},
		{"Broken_DeletedRow", func(t *testing.T, db *postgres.DB) {
			maintain(t, db, `DELETE FROM audit_events WHERE id = 2`)
		}, 3, "#2 is missing"},
		{"Broken_DeletedNewestRow", func(t *testing.T, db *postgres.DB) {
			maintain(t, db, `DELETE FROM audit_events WHERE id = 5`)
		}, 5, "#5 is missing"},
		{"Broken_RowInsertedBehindTheServicesBack", func(t *testing.T, db *postgres.DB) {
			// A correctly chained row written straight into the table.
			var prev []byte
			if err := db.Pool.QueryRow(context.Background(), `SELECT hash FROM audit_events WHERE id = 5`).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			forged := audit.Event{ID: 6, OccurredAt: t0.Add(time.Hour), ActorLabel: "system", Action: "partner:delete", Diff: []byte(`{}`)}
			h, err := audit.ChainHash(prev, forged)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Pool.Exec(context.Background(), `INSERT INTO audit_events (id, occurred_at, actor_label, action, prev_hash, hash)
				VALUES (6, $1, 'system', 'partner:delete', $2, $3)`, forged.OccurredAt, prev, h)
			if err != nil {
				t.Fatal(err)
			}
		}, 6, "inserted outside"},
		{"Broken_DeletedFirstRow", func(t *testing.T, db *postgres.DB) {
			maintain(t, db, `DELETE FROM audit_events WHERE id = 1`)
		}, 2, "#1 is missing"},
		{"Broken_EditedAndRehashed", func(t *testing.T, db *postgres.DB) {
			// A tamperer who recomputes the edited row's hash breaks the
			// link to the next row instead.
			ctx := context.Background()
			var evs []audit.Event
			err := db.Audit().Stream(ctx, scope.All(), audit.Filter{}, func(ev audit.Event) error { evs = append(evs, ev); return nil })
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				if ev.ID != 3 {
					continue
				}
				ev.TargetID = "forged"
				h, err := audit.ChainHash(ev.PrevHash, ev)
				if err != nil {
					t.Fatal(err)
				}
				maintain(t, db, `UPDATE audit_events SET target_id = $1, hash = $2 WHERE id = 3`, ev.TargetID, h)
			}
		}, 4, "does not match event #3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, svc := newService(t, fixedClock(time.Minute))
			for i := 1; i <= 5; i++ {
				record(t, db, svc, audit.Entry{Action: "partner:manage", TargetType: "partner", TargetID: fmt.Sprint("p", i),
					Before: partner{Name: "A"}, After: partner{Name: fmt.Sprint("A", i), Volume: 0.1 * float64(i)}})
			}
			if res := mustVerify(t, svc); !res.OK || res.Checked != 5 {
				t.Fatalf("untouched chain: %+v", res)
			}
			tt.tamper(t, db)
			res := mustVerify(t, svc)
			if res.OK || res.BrokenAt != tt.wantAt || !strings.Contains(res.Reason, tt.wantReason) {
				t.Fatalf("verify = %+v, want broken at #%d with %q", res, tt.wantAt, tt.wantReason)
			}
		})
	}
}

func TestAuditEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	db, svc := newService(t, nil)
	record(t, db, svc, audit.Entry{Action: "auth:login"})
	ctx := context.Background()
	for _, sql := range []string{
		`UPDATE audit_events SET actor_label = 'mallory' WHERE id = 1`,
		`DELETE FROM audit_events WHERE id = 1`,
		`TRUNCATE audit_events`,
		`UPDATE audit_chain_head SET last_id = 0, last_hash = NULL`,
		`DELETE FROM audit_chain_head`,
		`TRUNCATE audit_chain_head`,
	} {
		_, err := db.Pool.Exec(ctx, sql)
		if err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: err = %v, want refused", sql, err)
		}
	}
	if n := count(t, db); n != 1 {
		t.Fatalf("%d events left, want 1", n)
	}
	if res := mustVerify(t, svc); !res.OK {
		t.Fatalf("verify %+v", res)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	t.Parallel()
	// Three events share each timestamp, so paging must break ties by id.
	var calls atomic.Int64
	now := func() time.Time { return t0.Add(time.Duration((calls.Add(1)-1)/3) * time.Minute) }
	db, svc := newService(t, now)
	ada, bob := uuid.New(), uuid.New()
	tenA, tenB := uuid.New(), uuid.New()
	actions := []string{"dispute:respond", "dispute:accept", "partner:manage", "auth:login"}
	const total = 40
	for i := range total {
		e := audit.Entry{Action: actions[i%4], TargetID: fmt.Sprint(i)}
		switch i % 3 {
		case 0:
			e.Actor, e.TenantID = audit.Actor{ID: &ada, Label: "Ada@Example.com"}, &tenA
		case 1:
			e.Actor, e.TenantID = audit.Actor{ID: &bob, Label: "bob@example.com"}, &tenB
		default:
			e.Actor = audit.Actor{Label: "token:ci_50%"}
		}
		record(t, db, svc, e)
	}
	ctx := context.Background()
	all := func(sc scope.Scope, f audit.Filter, limit int) []audit.Event {
		t.Helper()
		var out []audit.Event
		cursor := ""
		for pages := 0; ; pages++ {
			evs, next, err := svc.List(ctx, sc, f, audit.Page{Limit: limit, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) > limit || pages > total {
				t.Fatalf("page of %d events with limit %d", len(evs), limit)
			}
			out = append(out, evs...)
			if next == "" {
				return out
			}
			cursor = next
		}
	}

	t.Run("OK_PagesCoverEverythingOnceNewestFirst", func(t *testing.T) {
		for _, limit := range []int{1, 7, 40, 100} {
			evs := all(scope.All(), audit.Filter{}, limit)
			if len(evs) != total {
				t.Fatalf("limit %d: %d events over all pages, want %d", limit, len(evs), total)
			}
			seen := map[int64]bool{}
			for i, ev := range evs {
				if seen[ev.ID] {
					t.Fatalf("limit %d: event #%d on two pages", limit, ev.ID)
				}
				seen[ev.ID] = true
				if i > 0 {
					p := evs[i-1]
					if ev.OccurredAt.After(p.OccurredAt) || (ev.OccurredAt.Equal(p.OccurredAt) && ev.ID > p.ID) {
						t.Fatalf("limit %d: #%d listed after #%d out of order", limit, ev.ID, p.ID)
					}
				}
			}
		}
	})

	check := func(name string, sc scope.Scope, f audit.Filter, want func(i int) bool) {
		t.Run(name, func(t *testing.T) {
			evs := all(sc, f, 6)
			wantN := 0
			for i := range total {
				if want(i) {
					wantN++
				}
			}
			if len(evs) != wantN {
				t.Fatalf("%d events, want %d", len(evs), wantN)
			}
			for _, ev := range evs {
				i, err := strconv.Atoi(ev.TargetID)
				if err != nil {
					t.Fatal(err)
				}
				if !want(i) {
					t.Fatalf("event %d (%s by %s) does not match the filter", i, ev.Action, ev.ActorLabel)
				}
			}
		})
	}
	check("OK_ByActorID", scope.All(), audit.Filter{ActorID: &ada}, func(i int) bool { return i%3 == 0 })
	check("OK_ByActorLabelContainsIgnoringCase", scope.All(), audit.Filter{ActorLabel: "ada@"}, func(i int) bool { return i%3 == 0 })
	check("OK_ActorLabelWildcardsAreLiteral", scope.All(), audit.Filter{ActorLabel: "_50%"}, func(i int) bool { return i%3 == 2 })
	check("OK_ByExactAction", scope.All(), audit.Filter{Action: "dispute:accept"}, func(i int) bool { return i%4 == 1 })
	check("OK_ByActionPrefix", scope.All(), audit.Filter{Action: "dispute:"}, func(i int) bool { return i%4 <= 1 })
	check("OK_ExactActionIsNotAPrefix", scope.All(), audit.Filter{Action: "dispute"}, func(i int) bool { return false })
	check("OK_ByTenantScope", scope.Tenants(tenB), audit.Filter{}, func(i int) bool { return i%3 == 1 })
	check("OK_ByTenantScopeOfTwoLeavesOutEventsOfNoTenant", scope.Tenants(tenA, tenB), audit.Filter{}, func(i int) bool { return i%3 != 2 })
	check("OK_EmptyScopeSeesNothing", scope.None(), audit.Filter{}, func(i int) bool { return false })
	// Event i happened at t0 + (i/3) minutes.
	check("OK_ByTimeFromInclusiveToExclusive", scope.All(), audit.Filter{From: t0.Add(2 * time.Minute), To: t0.Add(5 * time.Minute)},
		func(i int) bool { return i/3 >= 2 && i/3 < 5 })
	check("OK_Combined", scope.Tenants(tenA), audit.Filter{Action: "dispute:", From: t0.Add(3 * time.Minute)},
		func(i int) bool { return i%4 <= 1 && i%3 == 0 && i/3 >= 3 })

	t.Run("ErrInvalid_BadCursorOrRange", func(t *testing.T) {
		if _, _, err := svc.List(ctx, scope.All(), audit.Filter{}, audit.Page{Cursor: "not-a-cursor"}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad cursor: %v", err)
		}
		if _, _, err := svc.List(ctx, scope.All(), audit.Filter{From: t0, To: t0}, audit.Page{}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("empty range: %v", err)
		}
	})
	t.Run("OK_LimitIsCapped", func(t *testing.T) {
		evs, next, err := svc.List(ctx, scope.All(), audit.Filter{}, audit.Page{Limit: 100000})
		if err != nil || len(evs) != total || next != "" {
			t.Fatalf("%d %q %v", len(evs), next, err)
		}
	})
}
