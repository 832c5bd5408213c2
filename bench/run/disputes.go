package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/bench/load"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// queue measures the queue's first page and a filtered page through the
// real API (signed in as a browser is) and through the bare handler running
// the same SQL, one after the other, at 100 concurrent clients.
func (e *env) queue(ctx context.Context, r *report) error {
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
	s, bare, err := e.serveAndBare(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	defer bare.stop()
	filtered := url.Values{"partner": {partner}, "state": {"INITIATED"}, "reason": {klarna.ReasonNotReceived}}.Encode()
	for _, pg := range []listPage{
		{"queue_first", "dispute queue, first page (needs action, all partners)", "queue first page", "id", "dispute_id",
			get("http://"+s.addr+"/api/v1/disputes", e.session), get("http://"+bare.addr+"/queue", "")},
		{"queue_filtered", "dispute queue, filtered page (one partner, INITIATED, not received)", "queue filtered page", "id", "dispute_id",
			get("http://"+s.addr+"/api/v1/disputes?"+filtered, e.session), get("http://"+bare.addr+"/queue?"+filtered, "")},
	} {
		if err := e.compareList(ctx, r, pg); err != nil {
			return err
		}
	}
	return nil
}

// serveAndBare starts a fresh serve and the bare baseline, whose pool is as
// large as serve's (PARTNERDESK_DB_MAX_CONNS default 30).
func (e *env) serveAndBare(ctx context.Context) (s, bare *proc, err error) {
	if s, err = e.serve(ctx); err != nil {
		return nil, nil, err
	}
	addr, err := freeAddr()
	if err == nil {
		bare, err = e.start(ctx, "bare", addr, "/readyz", nil, e.bareBin, "-addr", "{addr}", "-dsn", e.dsn, "-conns", "30")
	}
	if err != nil {
		s.stop()
		return nil, nil, err
	}
	return s, bare, nil
}

// listPage is one list measure: the same page through the API and through
// the bare handler.
type listPage struct {
	key, name, short string
	id, bareID       string // the row's id field in the API's answer and the bare handler's
	real, base       func(int, int) (*http.Request, error)
}

// compareList checks that the API and the bare handler answer the same
// rows, then loads each with 100 clients, in alternating parts so that a
// change in the machine's other load during the measure weighs on both
// sides alike, and adds p50, p99 and throughput rows.
func (e *env) compareList(ctx context.Context, r *report, pg listPage) error {
	const rounds = 2
	n, err := samePage(pg.real, pg.base, pg.id, pg.bareID)
	if err != nil {
		return fmt.Errorf("%s: %w", pg.name, err)
	}
	// warm both up (connections, caches), then measure
	load.Run(ctx, load.Config{Clients: clients, Duration: 2 * time.Second, Request: pg.real})
	load.Run(ctx, load.Config{Clients: clients, Duration: 2 * time.Second, Request: pg.base})
	step("%s (%d rows): Partner Desk and bare Gin + pgx, %d clients, %s each in %d alternating parts", pg.name, n, clients, e.dur, rounds)
	var pds, bbs []load.Result
	for range rounds {
		pds = append(pds, load.Run(ctx, load.Config{Clients: clients, Duration: e.dur / rounds, Request: pg.real}))
		bbs = append(bbs, load.Run(ctx, load.Config{Clients: clients, Duration: e.dur / rounds, Request: pg.base}))
	}
	pd, bb := load.Merge(pds...), load.Merge(bbs...)
	r.Raw[pg.key] = map[string]any{"rows": n, "partnerdesk": pd, "bare": bb}
	r.lists = append(r.lists, listResult{short: pg.short, pd: pd, bare: bb})
	if pd.Errors > 0 || bb.Errors > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%s: %d errors through the API (%s), %d bare (%s)", pg.name, pd.Errors, pd.FirstError, bb.Errors, bb.FirstError))
	}
	r.Rows = append(r.Rows,
		row{Measure: pg.name + ", p50", Unit: "ms", PartnerDesk: ms(pd.P50), Baseline: ms(bb.P50), LowerIsBetter: true, Chart: pg.short + " p50"},
		row{Measure: pg.name + ", p99", Unit: "ms", PartnerDesk: ms(pd.P99), Baseline: ms(bb.P99), LowerIsBetter: true, Goal: "p99 < 50 ms", Met: ptr(ms(pd.P99) < 50), Chart: pg.short + " p99"},
		row{Measure: pg.name + ", throughput", Unit: "req/s", PartnerDesk: pd.RPS, Baseline: bb.RPS, Goal: "≥ 0.7× bare", Met: ptr(pd.RPS >= 0.7*bb.RPS), Chart: pg.short + " throughput"})
	return nil
}

// samePage checks that the API and the bare handler answer the same rows
// in the same order (the API's page is the first of the bare handler's
// rows, which has one more) and returns how many. id and bareID name the
// row's id field in each.
func samePage(real, base func(int, int) (*http.Request, error), id, bareID string) (int, error) {
	var ids [2][]string
	for i, req := range []func(int, int) (*http.Request, error){real, base} {
		req, err := req(0, 0)
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
		var page struct {
			Items []map[string]json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return 0, fmt.Errorf("GET %s: %w", req.URL.Path, err)
		}
		field := []string{id, bareID}[i]
		for _, it := range page.Items {
			ids[i] = append(ids[i], string(it[field]))
		}
	}
	a, b := ids[0], ids[1]
	if len(a) == 0 {
		return 0, errors.New("the page is empty: the measure would not read anything")
	}
	if !slices.Equal(a, b[:min(len(a), len(b))]) || len(b) < len(a) {
		return 0, fmt.Errorf("the API and the bare handler answer different rows (%d vs %d rows, first %v vs %v)", len(a), len(b), a[:1], b[:min(1, len(b))])
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

// export measures the CSV export of every dispute through the API beside
// COPY of the same query.
func (e *env) export(ctx context.Context, r *report) error {
	s, err := e.serve(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	q, args := postgres.DisputeExportSQL(scope.All(), dispute.Filter{View: "all"})
	return e.compareExport(ctx, r, exportMeasure{key: "export", what: "disputes", chart: "CSV export", serve: s,
		url: "http://" + s.addr + "/api/v1/disputes/export.csv?view=all", session: e.session, sql: q, args: args, want: int64(e.disputes)})
}
