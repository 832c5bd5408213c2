package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// paymentsEventsEvery: every so many seeded payments keep their state
// reports in payment_events (1 %: the timeline has something to show; the
// list reads none of them).
const paymentsEventsEvery = 100

// paymentsFilter is the filtered payments page: one state and one currency
// across every partner (no index holds the currency: the query reads about
// a hundred index entries of the newest payments for each row it shows).
var paymentsFilter = url.Values{"state": {klarna.PaymentDeclined}, "currency": {"SEK"}}

// paymentCount is the number of payments seeded at e.scale: 10 000 000 at
// full size (issue 16).
func (e *env) paymentCount() int { return int(math.Round(10_000_000 * e.scale)) }

// seedPayments loads the payments with `partnerdesk bench seed-payments`
// (COPY), which skips when exactly that many are there. They belong to the
// bench partners the dispute seed made (removing those removes them too),
// or to as many new ones when there are none.
func (e *env) seedPayments(ctx context.Context) error {
	n := e.paymentCount()
	step("seed %d payments over the bench partners (every %dth with its state reports)", n, paymentsEventsEvery)
	out, err := e.cli(ctx, "bench", "seed-payments", "--partners", strconv.Itoa(e.partners), "--payments", strconv.Itoa(n),
		"--events-every", strconv.Itoa(paymentsEventsEvery))
	fmt.Fprintln(os.Stderr, out)
	return err
}

// payments measures the payments list's first page (every partner, newest
// first) and a filtered page through the API (signed in as acquirer
// support, who reads every partner's payments) and the bare handler running
// the same SQL (postgres.PaymentListSQL), at 100 concurrent clients. Before
// that it writes each query's plan at this size, run once, to the logs.
func (e *env) payments(ctx context.Context, r *report) error {
	if err := e.explainPayments(ctx, r); err != nil {
		return err
	}
	s, bare, err := e.serveAndBare(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	defer bare.stop()
	api, bb := "http://"+s.addr+"/api/v1/payments", "http://"+bare.addr+"/payments"
	n := e.paymentCount()
	for _, pg := range []listPage{
		{"payments_first", fmt.Sprintf("payments list, first page (all partners, newest first, of %d)", n), "payments first page", "id", "payment_request_id",
			get(api, e.session), get(bb, "")},
		{"payments_filtered", "payments list, filtered page (DECLINED, SEK, all partners)", "payments filtered", "id", "payment_request_id",
			get(api+"?"+paymentsFilter.Encode(), e.session), get(bb+"?"+paymentsFilter.Encode(), "")},
	} {
		if err := e.compareList(ctx, r, pg); err != nil {
			return err
		}
	}
	return nil
}

// explainPayments runs each measured query, and a few the measures do not
// send (one partner's payments, a busy one's and a small one's, a small
// merchant's own, a currency no payment has), once with EXPLAIN (ANALYZE,
// BUFFERS); it writes the plans to logs/payments-plans-<payments>.txt and
// keeps them in the JSON, so a figure can be read beside its plan.
func (e *env) explainPayments(ctx context.Context, r *report) error {
	conn, err := pgx.Connect(ctx, e.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	partner := func(slug string) (uuid.UUID, error) {
		var id uuid.UUID
		err := conn.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = $1`, slug).Scan(&id)
		return id, err
	}
	busy, err := partner("bench-p-00000")
	if err != nil {
		return fmt.Errorf("bench partner: %w", err)
	}
	// the last bench partner: outside the busiest tenth, which holds two thirds
	var last string
	if err := conn.QueryRow(ctx, `SELECT max(slug) FROM tenants WHERE slug LIKE 'bench-p-%'`).Scan(&last); err != nil {
		return err
	}
	small, err := partner(last)
	if err != nil {
		return fmt.Errorf("bench partner: %w", err)
	}
	declined := []string{klarna.PaymentDeclined}
	var text strings.Builder
	plans := map[string]any{}
	for _, c := range []struct {
		key string
		sc  scope.Scope
		f   payment.Filter
	}{
		{"payments_first", scope.All(), payment.Filter{}},
		{"payments_filtered", scope.All(), payment.Filter{States: paymentsFilter["state"], Currencies: paymentsFilter["currency"]}},
		{"busiest partner (bench-p-00000)", scope.All(), payment.Filter{Tenants: []uuid.UUID{busy}}},
		{"busiest partner, DECLINED", scope.All(), payment.Filter{Tenants: []uuid.UUID{busy}, States: declined}},
		{"a small partner", scope.All(), payment.Filter{Tenants: []uuid.UUID{small}}},
		{"a small merchant's own (its scope), DECLINED", scope.Tenants(small), payment.Filter{States: declined}},
		{"a currency no payment has (JPY)", scope.All(), payment.Filter{Currencies: []string{"JPY"}}},
	} {
		q, args, err := postgres.PaymentListSQL(c.sc, c.f, "", 51)
		if err != nil {
			return err
		}
		if q, args, err = postgres.PgxSQL(q, args); err != nil {
			return err
		}
		rows, err := conn.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS) `+q, args...)
		if err != nil {
			return fmt.Errorf("explain %s: %w", c.key, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("explain %s: %w", c.key, err)
		}
		plans[c.key] = lines
		fmt.Fprintf(&text, "-- %s (%d payments)\n%s\n\n", c.key, e.paymentCount(), strings.Join(lines, "\n"))
	}
	r.Raw["payments_plans"] = plans
	return os.WriteFile(filepath.Join(e.logDir, fmt.Sprintf("payments-plans-%d.txt", e.paymentCount())), []byte(text.String()), 0o644)
}

// paymentSteps are the payments list's interactions: open it, filter it
// by partner and by state and currency, search it by a payment's id and by
// its order id, page on, open a payment (one that kept its state reports)
// and the integration health of the last 30 days.
func (e *env) paymentSteps(api, partner string) ([]struct{ name, path string }, error) {
	body, err := status200(get(api+"/payments", e.session))
	if err != nil {
		return nil, err
	}
	var page struct {
		Items []struct {
			ID      string `json:"id"`
			OrderID string `json:"order_id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("GET /payments: %w", err)
	}
	if len(page.Items) == 0 || page.NextCursor == "" {
		return nil, fmt.Errorf("GET /payments: %d payments and no next page", len(page.Items))
	}
	id, order := page.Items[0].ID, ""
	for _, it := range page.Items {
		if it.OrderID != "" {
			order = it.OrderID
			break
		}
	}
	// the newest payment that kept its state reports
	withEvents := postgres.BenchPaymentID((e.paymentCount() - 1) / paymentsEventsEvery * paymentsEventsEvery)
	q := func(v string) string { return "/payments?q=" + url.QueryEscape(v) }
	return []struct{ name, path string }{
		{"payments: open the list", "/payments"},
		{"payments: filter by partner", "/payments?partner=" + partner},
		{"payments: filter by state and currency", "/payments?" + paymentsFilter.Encode()},
		{"payments: search by payment id", q(id)},
		{"payments: search by order id", q(order)},
		{"payments: next page", "/payments?cursor=" + url.QueryEscape(page.NextCursor)},
		{"payments: open a payment", "/payments/" + url.PathEscape(withEvents)},
		{"payments: integration health (30 days)", "/payments/health"},
	}, nil
}
