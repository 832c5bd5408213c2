package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/bench/load"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// interactionRow is the server time of one thing a user does in a list.
type interactionRow struct {
	Interaction string  `json:"interaction"`
	Path        string  `json:"path"`
	Requests    int     `json:"requests"`
	P50         float64 `json:"p50_ms"`
	P99         float64 `json:"p99_ms"`
}

// interactions times what the UI asks for when a user opens a list, changes
// its view or filter, searches it, pages on or opens a row: one client,
// each request sent when the previous answer is read, so a figure is the
// server's time for that request (plus a loopback round trip) with
// nothing queued before it. Signed in as acquirer support, who sees every
// partner's lists.
func (e *env) interactions(ctx context.Context, r *report) error {
	s, err := e.serve(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	api := "http://" + s.addr + "/api/v1"
	first := func(path, field string) (string, error) { return firstOf(api+path, e.session, field) }
	partner, err := first("/partners?q=bench-p-00000", "tenant_id")
	if err != nil {
		return err
	}
	disputeID, err := first("/disputes", "id")
	if err != nil {
		return err
	}
	queueNext, err := first("/disputes", "next_cursor")
	if err != nil {
		return err
	}
	dirNext, err := first("/partners", "next_cursor")
	if err != nil {
		return err
	}
	payouts, _, _ := e.settlementSizes()
	payout := fmt.Sprintf("BENCH%08d", payouts/2)
	someone := strings.ToLower(directoryName(e.directoryPartners() / 3))
	steps := []struct{ name, path string }{
		{"disputes: open the queue (needs action)", "/disputes"},
		{"disputes: view expires soon", "/disputes?view=expires_soon"},
		{"disputes: view closed", "/disputes?view=closed"},
		{"disputes: view all", "/disputes?view=all"},
		{"disputes: filter by partner, state and reason", "/disputes?partner=" + partner + "&state=INITIATED&reason=PRODUCTS_OR_SERVICES_NOT_RECEIVED"},
		{"disputes: search by order id", "/disputes?view=all&q=order-123"},
		{"disputes: next page", "/disputes?cursor=" + url.QueryEscape(queueNext)},
		{"disputes: open a dispute", "/disputes/" + disputeID},
		{"disputes: analytics", "/disputes/analytics"},
		{"partners: open the directory", "/partners"},
		{"partners: filter operational, product enabled", "/partners?state=OPERATIONAL&product_status=ENABLED"},
		{"partners: filter stuck onboardings", "/partners?onboarding=stuck"},
		{"partners: search by name", "/partners?q=" + url.QueryEscape(someone)},
		{"partners: next page", "/partners?cursor=" + url.QueryEscape(dirNext)},
		{"partners: open a partner", "/tenants/" + partner + "/partner"},
		{"settlements: open the payouts", "/payouts"},
		{"settlements: filter payouts by partner", "/payouts?partner=" + partner},
		{"settlements: open a payout", "/payouts/" + payout},
		{"settlements: a payout's lines", "/payouts/" + payout + "/lines"},
		{"settlements: search lines by order id", "/settlement-lines?q=" + payout + "-o0000001"},
		{"webhooks: open the inbox", "/webhooks/events"},
		{"credentials: open the inventory", "/credentials"},
		{"notifications: open the bell", "/notifications"},
	}
	steps = append(steps, e.searchSteps(disputeID, payout)...) // global search (issue 13)
	pays, err := e.paymentSteps(api, partner)                  // payments (issue 16)
	if err != nil {
		return err
	}
	steps = append(steps, pays...)
	timed := make([]timedStep, 0, len(steps))
	for _, st := range steps {
		timed = append(timed, timedStep{name: st.name, path: st.path, session: e.session})
	}
	homes, err := e.homeSteps(ctx, api, partner)
	if err != nil {
		return err
	}
	timed = append(timed, homes...)
	per := max(time.Second, e.dur/10)
	step("server time of %d list interactions, one client, %s each", len(timed), per)
	for _, st := range timed {
		req := get(api+st.path, st.session)
		if _, err := status200(req); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		res := load.Run(ctx, load.Config{Clients: 1, Duration: per, Request: req})
		if res.Errors > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%s: %d errors (%s)", st.name, res.Errors, res.FirstError))
		}
		row := interactionRow{Interaction: st.name, Path: st.path, Requests: res.Requests, P50: ms(res.P50), P99: ms(res.P99)}
		if res.Requests == 0 { // slower than the measure: one request, timed alone
			t0 := time.Now()
			if _, err := status200(req); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
			d := ms(time.Since(t0))
			row.Requests, row.P50, row.P99 = 1, d, d
		}
		r.Interactions = append(r.Interactions, row)
	}
	return nil
}

// timedStep is one interaction and the session it is sent with.
type timedStep struct{ name, path, session string }

// directoryName is the name of bench directory partner i (as the seeder
// derives it), less its last two characters, as someone typing it.
func directoryName(i int) string {
	n := postgres.BenchPartnerAt(i).Name
	return n[:len(n)-2]
}

// firstOf reads field of the first item of a list page, or the page's own
// field (next_cursor).
func firstOf(u, cookie, field string) (string, error) {
	body, err := status200(get(u, cookie))
	if err != nil {
		return "", err
	}
	var page struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return "", fmt.Errorf("GET %s: %w", u, err)
	}
	if field == "next_cursor" {
		if page.NextCursor == "" {
			return "", fmt.Errorf("GET %s: no next page", u)
		}
		return page.NextCursor, nil
	}
	if len(page.Items) == 0 {
		return "", fmt.Errorf("GET %s: empty", u)
	}
	v, _ := page.Items[0][field].(string)
	return v, nil
}

// status200 sends one request and returns its body, or an error unless
// the answer is 200.
func status200(req func(int, int) (*http.Request, error)) ([]byte, error) {
	rq, err := req(0, 0)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %.300s", rq.URL.Path, resp.StatusCode, body)
	}
	return body, nil
}

// interactionsMarkdown is the table of the interactions' server times.
func (r *report) interactionsMarkdown() string {
	if len(r.Interactions) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nServer time of each list interaction (one client, requests one after another, ms):\n\n| interaction | p50 | p99 | requests |\n|---|---:|---:|---:|\n")
	for _, x := range r.Interactions {
		fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", x.Interaction, num(x.P50), num(x.P99), x.Requests)
	}
	return b.String()
}
