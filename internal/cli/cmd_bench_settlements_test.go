package cli

import (
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

// `bench seed-settlements` loads a small set, says so, and a second run
// finds it there; the bench command's other subcommand still answers.
func TestBenchSeedSettlements(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"PARTNERDESK_DATABASE_URL": pgtest.DSN(t)}
	code, out, stderr := run(t, vars, "bench", "seed-settlements", "--partners", "3", "--payouts", "6", "--lines", "600", "--big-payout", "100")
	if code != 0 || !strings.Contains(out, "seeded 6 payouts and 600 settlement lines over 3 partners") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if code, out, _ = run(t, vars, "bench", "seed-settlements", "--partners", "3", "--payouts", "6", "--lines", "600", "--big-payout", "100"); code != 0 || !strings.Contains(out, "already seeded") {
		t.Fatalf("second run: exit %d, stdout %q", code, out)
	}
	if code, _, stderr = run(t, vars, "bench", "seed-settlements", "--big-payout", "5", "--lines", "1"); code != 2 {
		t.Fatalf("bad sizes: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = run(t, vars, "bench", "nonsense"); code != 2 || !strings.Contains(stderr, "seed-disputes") {
		t.Fatalf("another subcommand: exit %d, stderr %q", code, stderr)
	}
}
