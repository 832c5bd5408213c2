package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/bench/load"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pglocal"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// queue measures the queue's first page and a filtered page through the
// real API (signed in as a browser is) and through the bare handler running
// the same SQL, one after the other, at 100 concurrent clients.
func (e *env) queue(ctx context.Context, r *report) error {
	const rounds = 2
	conn, err := pgx.Connect(ctx, e.dsn)
	if err != nil {
		return err
	}
	var partner string
	err = conn.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = 'bench-p-00000'`).Scan(&partner)
	conn.Close(ctx)
	if err != nil {
		return fmt.Errorf("bench partner: %w", err)
	}
	s, err := e.serve(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	bareAddr, err := freeAddr()
	if err != nil {
		return err
	}
	// The pool as large as serve's (PARTNERDESK_DB_MAX_CONNS default 30).
	bare, err := e.start(ctx, "bare", bareAddr, "/readyz", nil, e.bareBin, "-addr", "{addr}", "-dsn", e.dsn, "-conns", "30")
	if err != nil {
		return err
	}
	defer bare.stop()
	filtered := url.Values{"partner": {partner}, "state": {"INITIATED"}, "reason": {klarna.ReasonNotReceived}}.Encode()
	pages := []struct{ key, name, short, query string }{
		{"queue_first", "dispute queue, first page (needs action, all partners)", "queue first page", ""},
		{"queue_filtered", "dispute queue, filtered page (one partner, INITIATED, not received)", "queue filtered page", filtered},
	}
	for _, pg := range pages {
		real := get("http://"+s.addr+"/api/v1/disputes?"+pg.query, e.session)
		base := get("http://"+bare.addr+"/queue?"+pg.query, "")
		n, err := samePage(real, base)
		if err != nil {
			return fmt.Errorf("%s: %w", pg.name, err)
		}
		// warm both up (connections, caches), then measure
		load.Run(ctx, load.Config{Clients: clients, Duration: 2 * time.Second, Request: real})
		load.Run(ctx, load.Config{Clients: clients, Duration: 2 * time.Second, Request: base})
		// Alternating halves, so that a change in the machine's other load
		// during the measure weighs on both sides alike.
		step("%s (%d rows): Partner Desk and bare Gin + pgx, %d clients, %s each in %d alternating parts", pg.name, n, clients, e.dur, rounds)
		var pds, bbs []load.Result
		for range rounds {
			pds = append(pds, load.Run(ctx, load.Config{Clients: clients, Duration: e.dur / rounds, Request: real}))
			bbs = append(bbs, load.Run(ctx, load.Config{Clients: clients, Duration: e.dur / rounds, Request: base}))
		}
		pd, bb := load.Merge(pds...), load.Merge(bbs...)
		r.Raw[pg.key] = map[string]any{"rows": n, "partnerdesk": pd, "bare": bb}
		if pd.Errors > 0 || bb.Errors > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%s: %d errors through the API (%s), %d bare (%s)", pg.name, pd.Errors, pd.FirstError, bb.Errors, bb.FirstError))
		}
		r.Rows = append(r.Rows,
			row{Measure: pg.name + ", p50", Unit: "ms", PartnerDesk: ms(pd.P50), Baseline: ms(bb.P50), LowerIsBetter: true, Chart: pg.short + " p50"},
			row{Measure: pg.name + ", p99", Unit: "ms", PartnerDesk: ms(pd.P99), Baseline: ms(bb.P99), LowerIsBetter: true, Goal: "p99 < 50 ms", Met: ptr(ms(pd.P99) < 50), Chart: pg.short + " p99"},
			row{Measure: pg.name + ", throughput", Unit: "req/s", PartnerDesk: pd.RPS, Baseline: bb.RPS, Goal: "≥ 0.7× bare", Met: ptr(pd.RPS >= 0.7*bb.RPS), Chart: pg.short + " throughput"})
	}
	return nil
}

// samePage checks that the API and the bare handler answer the same
// disputes in the same order (the API's page is the first 50 of the bare
// handler's 51 rows) and returns how many.
func samePage(real, base func(int, int) (*http.Request, error)) (int, error) {
	var api struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	var bare struct {
		Items []struct {
			ID string `json:"dispute_id"`
		} `json:"items"`
	}
	for _, x := range []struct {
		req func(int, int) (*http.Request, error)
		v   any
	}{{real, &api}, {base, &bare}} {
		req, err := x.req(0, 0)
		if err != nil {
			return 0, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: HTTP %d: %.300s", req.URL.Path, resp.StatusCode, body)
		}
		if err := json.Unmarshal(body, x.v); err != nil {
			return 0, fmt.Errorf("GET %s: %w", req.URL.Path, err)
		}
	}
	if len(api.Items) == 0 {
		return 0, errors.New("the page is empty: the measure would not read anything")
	}
	ids := func(n int, id func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id(i)
		}
		return out
	}
	a := ids(len(api.Items), func(i int) string { return api.Items[i].ID })
	b := ids(min(len(bare.Items), len(a)), func(i int) string { return bare.Items[i].ID })
	if !slices.Equal(a, b) {
		return 0, fmt.Errorf("the API and the bare handler answer different disputes (%d vs %d rows, first %v vs %v)", len(a), len(bare.Items), a[:1], b[:min(1, len(b))])
	}
	return len(a), nil
}

// get is a load request builder: GET url, with the session cookie if any.
func get(url, cookie string) func(int, int) (*http.Request, error) {
	return func(int, int) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err == nil && cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		return req, err
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func ptr[T any](v T) *T { return &v }

// countingWriter counts bytes and lines.
type countingWriter struct{ bytes, lines int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.bytes += int64(len(p))
	for _, b := range p {
		if b == '\n' {
			w.lines++
		}
	}
	return len(p), nil
}

// export measures the CSV export of every dispute through the real API in a
// fresh serve (its VmHWM after the export is the export's peak), beside COPY
// of the same query to STDOUT through psql (its peak RSS from rusage).
func (e *env) export(ctx context.Context, r *report) error {
	s, err := e.serve(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	before, err := vmHWM(s.cmd.Process.Pid)
	if err != nil {
		return err
	}
	step("CSV export of every dispute through the API (a fresh serve)")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.addr+"/api/v1/disputes/export.csv?view=all", nil)
	req.Header.Set("Cookie", e.session)
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
	peak, err := vmHWM(s.cmd.Process.Pid)
	if err != nil {
		return err
	}
	rows := cw.lines - 1 // the header
	if rows < int64(e.disputes) {
		return fmt.Errorf("export: %d rows, expected at least the %d seeded disputes", rows, e.disputes)
	}

	q, args := postgres.DisputeExportSQL(scope.All(), dispute.Filter{View: "all"})
	if len(args) > 0 {
		return errors.New("the export's query has parameters; COPY cannot take them")
	}
	step("COPY (the export's query) TO STDOUT through psql")
	bin, err := pglocal.BinDir()
	if err != nil {
		return err
	}
	var ccw countingWriter
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", e.dsn,
		"-c", "COPY ("+q+") TO STDOUT (FORMAT csv, HEADER)")
	cmd.Stdout, cmd.Stderr = &ccw, os.Stderr
	t1 := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("psql COPY: %w", err)
	}
	copyTook := time.Since(t1)
	copyRSS := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024 // ru_maxrss is in KiB on Linux
	copyRows := ccw.lines - 1
	r.Raw["export"] = map[string]any{"rows": rows, "bytes": cw.bytes, "seconds": took.Seconds(), "serve_peak_rss_mb": peak, "serve_peak_rss_before_mb": before,
		"copy_rows": copyRows, "copy_bytes": ccw.bytes, "copy_seconds": copyTook.Seconds(), "psql_peak_rss_mb": copyRSS}
	r.Rows = append(r.Rows,
		row{Measure: fmt.Sprintf("CSV export of %d disputes, wall time", rows), Unit: "s", PartnerDesk: took.Seconds(), Baseline: copyTook.Seconds(), LowerIsBetter: true, Chart: "CSV export time"},
		row{Measure: "CSV export, rows per second", Unit: "rows/s", PartnerDesk: float64(rows) / took.Seconds(), Baseline: float64(copyRows) / copyTook.Seconds()},
		row{Measure: "CSV export, peak RSS (serve; baseline psql)", Unit: "MB", PartnerDesk: peak, Baseline: copyRSS, LowerIsBetter: true, Goal: "< 100 MB", Met: ptr(peak < 100), Chart: "CSV export peak RSS"})
	return nil
}
