package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pglocal"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// bigPayout is the payout that holds settlementSizes' big share of the
// lines (the seeder's first payout).
const bigPayout = "BENCH00000000"

// settlementSizes are the seeded payouts and lines at e.scale: 10 000 000
// lines over 20 000 payouts, of which one payout holds 1 000 000 (the
// export measure's).
func (e *env) settlementSizes() (payouts, lines, big int) {
	lines = int(float64(10_000_000) * e.scale)
	return max(e.partners, int(float64(20_000)*e.scale)), lines, lines / 10
}

// seedSettlements loads the payouts and lines with `partnerdesk bench
// seed-settlements` (COPY), which skips when exactly that many are there.
// They belong to the bench partners the dispute seed made (removing those
// removes them too).
func (e *env) seedSettlements(ctx context.Context) error {
	payouts, lines, big := e.settlementSizes()
	step("seed %d settlement lines over %d payouts (%s: %d lines)", lines, payouts, bigPayout, big)
	out, err := e.cli(ctx, "bench", "seed-settlements", "--partners", strconv.Itoa(e.partners), "--payouts", strconv.Itoa(payouts),
		"--lines", strconv.Itoa(lines), "--big-payout", strconv.Itoa(big))
	fmt.Fprintln(os.Stderr, out)
	return err
}

// settlementLists measures a payout's first page of lines and the search
// across every payout's lines by order id, through the API (signed in as
// acquirer finance) and the bare handler running the same SQL. Each client
// asks for another payout or order, so the measure reads the whole table's
// index rather than one cached page.
func (e *env) settlementLists(ctx context.Context, r *report) error {
	s, bare, err := e.serveAndBare(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	defer bare.stop()
	payouts, _, _ := e.settlementSizes()
	// the n-th request of a client: another ordinary payout (not the big
	// one), the same for both sides
	payoutOf := func(client, n int) string { return fmt.Sprintf("BENCH%08d", 1+(client*7919+n*104729)%(payouts-1)) }
	byPayout := func(base, cookie string, path func(ref string) string) func(int, int) (*http.Request, error) {
		return func(client, n int) (*http.Request, error) {
			return get(base+path(payoutOf(client, n)), cookie)(client, n)
		}
	}
	api, bb := "http://"+s.addr+"/api/v1", "http://"+bare.addr
	// Every payout's second line is the fee of its first sale: order id
	// REF-o0000001 names two lines.
	order := func(ref string) string { return ref + "-o0000001" }
	for _, pg := range []listPage{
		{"payout_lines", fmt.Sprintf("payout lines, first page (a payout of the %d)", payouts), "payout lines", "id", "id",
			byPayout(api, e.financeSession, func(ref string) string { return "/payouts/" + ref + "/lines" }),
			byPayout(bb, "", func(ref string) string { return "/lines?payout=" + ref })},
		{"line_search", "transaction search by order id (across every payout)", "transaction search", "id", "id",
			byPayout(api, e.financeSession, func(ref string) string { return "/settlement-lines?q=" + order(ref) }),
			byPayout(bb, "", func(ref string) string { return "/search?q=" + order(ref) })},
	} {
		if err := e.compareList(ctx, r, pg); err != nil {
			return err
		}
	}
	return nil
}

// settlementExport measures the CSV export of the big payout's lines through
// the API in a fresh serve (its VmHWM after the export is the export's peak)
// beside COPY of the same query through psql.
func (e *env) settlementExport(ctx context.Context, r *report) error {
	s, err := e.serve(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	_, _, big := e.settlementSizes()
	q, args := postgres.PayoutLinesExportSQL(scope.All(), bigPayout, settlement.LineFilter{})
	return e.compareExport(ctx, r, exportMeasure{key: "lines_export", what: "settlement lines of one payout", chart: "lines export", serve: s,
		url: "http://" + s.addr + "/api/v1/payouts/" + bigPayout + "/lines/export.csv", session: e.financeSession, sql: q, args: args, want: int64(big)})
}

// exportMeasure is one CSV export through the API beside COPY of its query.
type exportMeasure struct {
	key, what, chart string
	serve            *proc
	url, session     string
	sql              string
	args             []any // inlined as literals: COPY takes no parameters
	want             int64 // at least this many rows
}

// compareExport downloads m.url, counting rows, and reads the serve's peak
// RSS after it; then it runs COPY (m.sql) TO STDOUT through psql and reads
// psql's peak RSS. Both must give the same rows, at least m.want.
func (e *env) compareExport(ctx context.Context, r *report, m exportMeasure) error {
	q, err := inline(m.sql, m.args)
	if err != nil {
		return err
	}
	bin, err := pglocal.BinDir()
	if err != nil {
		return err
	}
	copyCmd := func(out io.Writer) *exec.Cmd {
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", e.dsn,
			"-c", "COPY ("+q+") TO STDOUT (FORMAT csv, HEADER)")
		cmd.Stdout, cmd.Stderr = out, os.Stderr
		return cmd
	}
	// One untimed read first, so that neither side pays for reading the
	// rows into the cache (the first side to run after seeding did: 0.49×
	// COPY's speed at a million lines, 0.93× once warm).
	step("COPY of the %s once, untimed (warms the cache for both sides)", m.what)
	if err := copyCmd(io.Discard).Run(); err != nil {
		return fmt.Errorf("psql COPY: %w", err)
	}
	before, err := vmHWM(m.serve.cmd.Process.Pid)
	if err != nil {
		return err
	}
	step("CSV export of the %s through the API (a fresh serve)", m.what)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.url, nil)
	req.Header.Set("Cookie", m.session)
	t0 := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	var cw countingWriter
	_, err = io.Copy(&cw, resp.Body)
	resp.Body.Close()
	took := time.Since(t0)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("export: HTTP %d: %v", resp.StatusCode, err)
	}
	peak, err := vmHWM(m.serve.cmd.Process.Pid)
	if err != nil {
		return err
	}
	rows := cw.lines - 1 // the header

	step("COPY (the export's query) TO STDOUT through psql")
	var ccw countingWriter
	cmd := copyCmd(&ccw)
	t1 := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("psql COPY: %w", err)
	}
	copyTook := time.Since(t1)
	copyRSS := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024 // ru_maxrss is in KiB on Linux
	copyRows := ccw.lines - 1
	if rows != copyRows || rows < max(m.want, 1) {
		return fmt.Errorf("export: %d rows through the API, %d by COPY, expected at least %d", rows, copyRows, m.want)
	}
	r.Raw[m.key] = map[string]any{"rows": rows, "bytes": cw.bytes, "seconds": took.Seconds(), "serve_peak_rss_mb": peak, "serve_peak_rss_before_mb": before,
		"copy_rows": copyRows, "copy_bytes": ccw.bytes, "copy_seconds": copyTook.Seconds(), "psql_peak_rss_mb": copyRSS}
	r.Rows = append(r.Rows,
		row{Measure: fmt.Sprintf("CSV export of %d %s, wall time", rows, m.what), Unit: "s", PartnerDesk: took.Seconds(), Baseline: copyTook.Seconds(), LowerIsBetter: true, Chart: m.chart + " time"},
		row{Measure: m.chart + ", rows per second", Unit: "rows/s", PartnerDesk: float64(rows) / took.Seconds(), Baseline: float64(copyRows) / copyTook.Seconds()},
		row{Measure: m.chart + ", peak RSS (serve; baseline psql)", Unit: "MB", PartnerDesk: peak, Baseline: copyRSS, LowerIsBetter: true, Goal: "< 100 MB", Met: ptr(peak < 100), Chart: m.chart + " peak RSS"})
	return nil
}

// inline puts a store query's arguments into its text as literals, for
// COPY, which takes no parameters. Only the kinds the export queries use
// (text) are accepted.
func inline(q string, args []any) (string, error) {
	parts := strings.Split(q, "?")
	if len(parts) != len(args)+1 {
		return "", fmt.Errorf("the export's query has %d placeholders for %d arguments", len(parts)-1, len(args))
	}
	var b strings.Builder
	for i, a := range args {
		s, ok := a.(string)
		if !ok {
			return "", errors.New("the export's query takes an argument that is not text; COPY cannot take it")
		}
		b.WriteString(parts[i])
		b.WriteString("'" + strings.ReplaceAll(s, "'", "''") + "'")
	}
	b.WriteString(parts[len(args)])
	return b.String(), nil
}
