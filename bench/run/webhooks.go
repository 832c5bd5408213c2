package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/bench/load"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pglocal"
)

var tpsRE = regexp.MustCompile(`tps = ([0-9.]+)`)

// drainWait bounds how long the ingest measure waits, after the load, for
// the stored events to be processed.
const drainWait = time.Minute

// webhooks measures signed webhook deliveries to one serve instance (each
// answered 2xx only once stored) beside pgbench's single-row INSERT per
// transaction, both at 32 connections, and then how long processing takes
// to catch up.
func (e *env) webhooks(ctx context.Context, r *report) error {
	bin, err := pglocal.BinDir()
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, e.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS bench_scratch; CREATE TABLE bench_scratch (id bigserial PRIMARY KEY, v text NOT NULL)`); err != nil {
		return err
	}
	script := filepath.Join(e.logDir, "insert.sql")
	if err := os.WriteFile(script, []byte("INSERT INTO bench_scratch (v) VALUES (md5(random()::text));\n"), 0o644); err != nil {
		return err
	}
	step("pgbench: one single-row INSERT per transaction, %d clients, %s", webhookConns, e.dur)
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "pgbench"), "-n", "-f", script, "-c", strconv.Itoa(webhookConns), "-j", "2",
		"-T", strconv.Itoa(int(max(1, e.dur.Seconds()))), "-d", e.dsn)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m := tpsRE.FindSubmatch(out)
	if m == nil {
		return fmt.Errorf("pgbench: no tps in %s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	if _, err := conn.Exec(ctx, `DROP TABLE bench_scratch`); err != nil {
		return err
	}

	// What an interrupted run left: its processing jobs would compete
	// with this run's.
	if err := clearIngest(ctx, conn); err != nil {
		return err
	}
	s, err := e.serve(ctx, "PARTNERDESK_JOB_WORKERS=50", "PARTNERDESK_DB_MAX_CONNS=40")
	if err != nil {
		return err
	}
	defer s.stop()
	prefix := fmt.Sprintf("bench-%x", time.Now().UnixNano())
	step("webhook ingest: signed deliveries with unique event ids, %d clients, %s", webhookConns, e.dur)
	res := load.Run(ctx, load.Config{Clients: webhookConns, Duration: e.dur, Request: func(c, n int) (*http.Request, error) {
		id := fmt.Sprintf("%s-%d-%d", prefix, c, n)
		// A payment request's state change, the event a flash sale brings by
		// the thousand, for an account of the directory's seed.
		body := `{"metadata":{"event_id":"` + id + `","event_type":"payment.request.state-change.authorized","event_version":"v1",` +
			`"occurred_at":"2026-02-01T03:00:00Z","subject_account_id":"` + postgres.BenchID("account", 1) + `",` +
			`"recipient_account_id":"krn:partner:global:account:test:ACQ00001","webhook_id":"krn:partner:global:notification:webhook:bench",` +
			`"live":false},"payload":{"payment_request_id":"` + id + `","state":"AUTHORIZED"}}`
		mac := hmac.New(sha256.New, []byte(signKey))
		mac.Write([]byte(body))
		req, err := http.NewRequest(http.MethodPost, "http://"+s.addr+"/webhooks/klarna", strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Klarna-Signing-Key-Id", signKeyID)
		req.Header.Set("Klarna-Signature", hex.EncodeToString(mac.Sum(nil)))
		return req, nil
	}})
	count := func() (stored, pending int64, err error) {
		err = conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'received') FROM webhook_events WHERE event_id LIKE $1`,
			prefix+"-%").Scan(&stored, &pending)
		return stored, pending, err
	}
	stored, pendingAtEnd, err := count()
	if err != nil {
		return err
	}
	step("waiting (at most %s) for the %d stored events to be processed", drainWait, stored)
	t0 := time.Now()
	pending := pendingAtEnd
	for pending > 0 && time.Since(t0) < drainWait {
		time.Sleep(200 * time.Millisecond)
		if _, pending, err = count(); err != nil {
			return err
		}
	}
	drain := time.Since(t0)
	var statuses []string
	rows, err := conn.Query(ctx, `SELECT status || ' ' || count(*) FROM webhook_events WHERE event_id LIKE $1 GROUP BY status ORDER BY status`, prefix+"-%")
	if err != nil {
		return err
	}
	statuses, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	// Counted again: deliveries cut off by the end of the load may have been
	// stored after the first count.
	if stored, pending, err = count(); err != nil {
		return err
	}
	// The next run starts from the same tables: the measure's events go.
	s.stop()
	if err := clearIngest(ctx, conn); err != nil {
		return err
	}
	r.Raw["webhook_ingest"] = map[string]any{"pgbench_tps": tps, "ingest": res, "stored": stored, "pending_at_end_of_load": pendingAtEnd,
		"drain_seconds": drain.Seconds(), "pending_after_drain": pending, "statuses": statuses}
	if res.Errors > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("webhook ingest: %d failed deliveries (%s)", res.Errors, res.FirstError))
	}
	if stored < int64(res.Requests) {
		r.Notes = append(r.Notes, fmt.Sprintf("webhook ingest: LOST EVENTS: %d deliveries acknowledged but %d stored", res.Requests, stored))
	}
	drainNote := fmt.Sprintf("drained %s after the load", drain.Round(100*time.Millisecond))
	if pending > 0 {
		drainNote = fmt.Sprintf("%d still unprocessed %s after the load", pending, drainWait)
	}
	r.Notes = append(r.Notes, fmt.Sprintf("webhook ingest: %d deliveries acknowledged, %d events stored, %d not yet processed when the load stopped, %s (statuses: %s)",
		res.Requests, stored, pendingAtEnd, drainNote, strings.Join(statuses, ", ")))
	processed := float64(stored-pending) / (res.Seconds + drain.Seconds())
	r.Rows = append(r.Rows,
		row{Measure: fmt.Sprintf("webhook ingest, %d connections (baseline pgbench single-row INSERT)", webhookConns), Unit: "events/s", PartnerDesk: res.RPS, Baseline: tps,
			Goal: "≥ 0.5× pgbench", Met: ptr(res.RPS >= 0.5*tps), Chart: "webhook ingest events/s"},
		row{Measure: "webhook ingest, p99", Unit: "ms", PartnerDesk: ms(res.P99), Baseline: math.NaN(), LowerIsBetter: true},
		// Processed from the load's start until drained (or the wait ended),
		// beside the rate they arrived at; processing keeps pace when the
		// queue is empty within seconds of the load's end.
		row{Measure: "webhook processing, from the load's start until drained (baseline: the ingest rate)", Unit: "events/s",
			PartnerDesk: processed, Baseline: res.RPS, Goal: "drained ≤ 5 s after the load", Met: ptr(pending == 0 && drain <= 5*time.Second), Chart: "webhook processing events/s"})
	return nil
}

// clearIngest removes the measure's events and their processing jobs (a
// job left without its event would fail and be retried in the next run),
// and the payments processing them made, with their day figures: they are
// the only payments of the directory partner the events name, and they
// would otherwise pile up run after run at the top of the payments list.
func clearIngest(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, `DELETE FROM river_job WHERE kind = 'webhook.process'; DELETE FROM webhook_events WHERE event_id LIKE 'bench-%';
		DELETE FROM payments WHERE payment_request_id LIKE 'bench-%';
		DELETE FROM payment_days WHERE tenant_id IN (SELECT tenant_id FROM partner_accounts WHERE klarna_account_id = '`+postgres.BenchID("account", 1)+`')`)
	return err
}
