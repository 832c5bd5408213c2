package cli

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// `bench seed-payments` loads a small set over the partners it makes, says
// so, and a second run finds it there; the day figures it writes are what
// payment.Contribution makes of the payments it wrote; bad sizes are a
// usage error.
func TestBenchSeedPayments(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	vars := map[string]string{"PARTNERDESK_DATABASE_URL": dsn}
	code, out, stderr := run(t, vars, "bench", "seed-payments", "--partners", "3", "--payments", "5000", "--events-every", "10")
	if code != 0 || !strings.Contains(out, "seeded 5000 payments") || !strings.Contains(out, "over 3 partners") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if code, out, _ = run(t, vars, "bench", "seed-payments", "--partners", "3", "--payments", "5000"); code != 0 || !strings.Contains(out, "already seeded") {
		t.Fatalf("second run: exit %d, stdout %q", code, out)
	}
	if code, _, stderr = run(t, vars, "bench", "seed-payments", "--payments", "-1"); code != 2 {
		t.Fatalf("bad size: exit %d, stderr %q", code, stderr)
	}

	ctx := t.Context()
	db, err := postgres.Open(ctx, dsn, postgres.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string]payment.Figures{}
	states := map[string]int{}
	events := 0
	if err := db.Payments().Stream(ctx, scope.All(), payment.Filter{}, func(p payment.Payment) error {
		d := payment.Contribution(p)
		k := fmt.Sprint(d.TenantID, " ", d.Day.Format("2006-01-02"))
		f := want[k]
		f.Add(d.Figures, 1)
		want[k] = f
		states[p.State]++
		events += p.Events
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pool.Query(ctx, `SELECT tenant_id::text || ' ' || to_char(day, 'YYYY-MM-DD'), payments, authorized, declined, expired, canceled, open,
		auth_timed, auth_seconds, interop_expected, interop_carried, hosted, server_side, recurring FROM payment_days`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	days := 0
	for rows.Next() {
		var k string
		var g payment.Figures
		if err := rows.Scan(&k, &g.Payments, &g.Authorized, &g.Declined, &g.Expired, &g.Canceled, &g.Open, &g.AuthTimed, &g.AuthSeconds,
			&g.InteropExpected, &g.InteropCarried, &g.Hosted, &g.ServerSide, &g.Recurring); err != nil {
			t.Fatal(err)
		}
		days++
		w := want[k]
		if math.Abs(w.AuthSeconds-g.AuthSeconds) > 1e-6*max(1, w.AuthSeconds) {
			t.Errorf("%s: auth seconds %v, the contributions' %v", k, g.AuthSeconds, w.AuthSeconds)
		}
		w.AuthSeconds = g.AuthSeconds
		if w != g {
			t.Errorf("%s: payment_days %+v, the contributions %+v", k, g, w)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if days != len(want) {
		t.Fatalf("%d payment_days rows for %d partner days of payments", days, len(want))
	}
	// the mix: ≈85 % authorized, 6 % declined, 4 % expired, 2 % canceled
	share := func(s ...string) float64 {
		n := 0
		for _, x := range s {
			n += states[x]
		}
		return float64(n) / 5000
	}
	for _, c := range []struct {
		states []string
		want   float64
	}{{[]string{"AUTHORIZED", "COMPLETED"}, 0.85}, {[]string{"DECLINED"}, 0.06}, {[]string{"EXPIRED"}, 0.04}, {[]string{"CANCELED"}, 0.02}} {
		if got := share(c.states...); math.Abs(got-c.want) > 0.02 {
			t.Errorf("%v: %.3f of the payments, want about %.2f (%v)", c.states, got, c.want, states)
		}
	}
	var reports, withReports int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT payment_request_id) FROM payment_events`).Scan(&reports, &withReports); err != nil {
		t.Fatal(err)
	}
	if withReports != 500 || reports < 3*500/2 || reports > 5*500 {
		t.Fatalf("%d state reports of %d payments; want those of every tenth payment", reports, withReports)
	}
}
