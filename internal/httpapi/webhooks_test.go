package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

const (
	testKeyID  = "krn:partner:global:notification:signing-key:test-1"
	testSecret = "s3cret=with=equals"
	acctA      = "krn:partner:global:account:test:AURORA01"
)

// webhookApp starts the app with a signing key from configuration (as a key
// made in the Klarna Portal would be) and partner A's account linked.
func webhookApp(t *testing.T, tweak func(*config.Config)) *apptest.App {
	t.Helper()
	cfg := apptest.Config(t)
	cfg.WebhookSigningKeys = []string{testKeyID + "=" + testSecret}
	if tweak != nil {
		tweak(cfg)
	}
	a := apptest.Start(t, cfg, nil)
	aurora, err := a.DB.Identity().TenantBySlug(context.Background(), "aurora")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Partners.LinkAccount(context.Background(), aurora.ID, acctA); err != nil {
		t.Fatal(err)
	}
	return a
}

// event builds a delivery body shaped like Klarna's (README §7.4).
func event(eventType, eventID, account string, occurred time.Time, payload map[string]any) []byte {
	md := map[string]any{"event_id": eventID, "event_type": eventType, "event_version": "v1", "subject_account_id": account,
		"recipient_account_id": "krn:partner:global:account:test:ACQUIRER", "webhook_id": "krn:partner:global:notification:webhook:w1", "live": false}
	if !occurred.IsZero() {
		md["occurred_at"] = occurred.UTC().Format(time.RFC3339Nano)
	}
	b, _ := json.Marshal(map[string]any{"metadata": md, "payload": payload})
	return b
}

func deliver(t *testing.T, a *apptest.App, keyID, secret string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL()+"/webhooks/klarna", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Klarna-Signing-Key-Id", keyID)
	req.Header.Set("Klarna-Signature", klarna.Sign([]byte(secret), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp.StatusCode, out.String()
}

// waitStatus waits until the event reaches one of the statuses.
func waitStatus(t *testing.T, a *apptest.App, eventID string, statuses ...string) webhook.Event {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		evs, _, err := a.Webhooks.List(context.Background(), scope.All(), webhook.Filter{}, webhook.Page{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.EventID == eventID {
				for _, s := range statuses {
					if e.Status == s {
						return e
					}
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %s did not reach %v", eventID, statuses)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func disputePayload(id, state string, updated time.Time) map[string]any {
	return map[string]any{"payment_dispute_id": id, "state": state, "updated_at": updated.UTC().Format(time.RFC3339Nano)}
}

func TestWebhookVerification(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	now := time.Now()
	good := event(klarna.EventDisputeInitiated, uuid.NewString(), acctA, now, disputePayload("krn:dispute:v1", "INITIATED", now))

	tests := []struct {
		name   string
		keyID  string
		body   []byte
		sign   []byte // signed instead of body when set
		reason string
	}{
		{"ErrTamperedBody", testKeyID, bytes.Replace(good, []byte("INITIATED"), []byte("CLOSED"), 1), good, webhook.RejectBadSignature},
		{"ErrUnknownKey", "krn:partner:global:notification:signing-key:nope", good, nil, webhook.RejectUnknownKey},
		{"ErrMissingKeyHeader", "", good, nil, webhook.RejectUnknownKey},
		{"ErrTruncatedBody", testKeyID, good[:len(good)/2], nil, webhook.RejectMalformed},
		{"ErrNotAnEnvelope", testKeyID, []byte(`{"hello":"world"}`), nil, webhook.RejectMalformed},
	}
	for _, tc := range tests {
		signed := tc.body
		if tc.sign != nil {
			signed = tc.sign
		}
		req, _ := http.NewRequest("POST", a.URL()+"/webhooks/klarna", bytes.NewReader(tc.body))
		req.Header.Set("Klarna-Signing-Key-Id", tc.keyID)
		req.Header.Set("Klarna-Signature", klarna.Sign([]byte(testSecret), signed))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: answered %d, want 400 problem", tc.name, resp.StatusCode)
		}
	}
	q, _, err := a.Webhooks.ListQuarantine(context.Background(), scope.All(), webhook.Page{Limit: 50})
	if err != nil || len(q) != len(tests) {
		t.Fatalf("quarantine holds %d rows (%v), want %d", len(q), err, len(tests))
	}
	if evs, _, _ := a.Webhooks.List(context.Background(), scope.All(), webhook.Filter{}, webhook.Page{Limit: 10}); len(evs) != 0 {
		t.Fatalf("a rejected delivery became an event: %+v", evs)
	}

	if st, body := deliver(t, a, testKeyID, testSecret, good); st != 200 || !strings.Contains(body, "accepted") {
		t.Fatalf("valid delivery: %d %s", st, body)
	}
	ev := waitStatus(t, a, eventIDOf(good), webhook.StatusProcessed)
	if ev.TenantID == nil {
		t.Fatal("the processed event is not attributed to partner A")
	}
	metrics := a.Client().Get("/metrics")
	for _, want := range []string{`partnerdesk_webhooks_rejected_total{reason="bad_signature"} 1`, `partnerdesk_webhooks_received_total{type="payment.dispute.state-change.initiated"} 1`} {
		if !bytes.Contains(metrics.Body, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func eventIDOf(body []byte) string {
	var e struct {
		Metadata struct {
			EventID string `json:"event_id"`
		}
	}
	_ = json.Unmarshal(body, &e)
	return e.Metadata.EventID
}

// The same event delivered 5 times at once is stored and processed once.
func TestWebhookDuplicatesProcessOnce(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	now := time.Now()
	body := event(klarna.EventDisputeInitiated, uuid.NewString(), acctA, now, disputePayload("krn:dispute:dup", "INITIATED", now))
	var wg sync.WaitGroup
	codes := make([]int, 5)
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = deliver(t, a, testKeyID, testSecret, body)
		}()
	}
	wg.Wait()
	for _, c := range codes {
		if c != 200 {
			t.Fatalf("a delivery answered %v", codes)
		}
	}
	// Every delivery answered 200, so every job it queued has committed
	// (jobs are queued in the delivery's transaction): one row means no
	// second processing can ever run, without waiting for one.
	var jobs int
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'webhook.process'`).Scan(&jobs); err != nil || jobs != 1 {
		t.Fatalf("%d processing jobs queued (%v), want 1", jobs, err)
	}
	ev := waitStatus(t, a, eventIDOf(body), webhook.StatusProcessed)
	got, attempts, err := a.Webhooks.Get(context.Background(), scope.All(), ev.PK)
	if err != nil {
		t.Fatal(err)
	}
	if got.Duplicates != 4 || len(attempts) != 1 || attempts[0].Outcome != webhook.StatusProcessed {
		t.Fatalf("duplicates=%d attempts=%+v, want 4 duplicates and one processing", got.Duplicates, attempts)
	}
}

// "closed" arriving before "initiated" still leaves the dispute closed.
func TestWebhookOutOfOrderKeepsNewestState(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	t0 := time.Now().Add(-time.Hour)
	closed := event(klarna.EventDisputeClosed, uuid.NewString(), acctA, t0.Add(30*time.Minute), disputePayload("krn:dispute:order", "CLOSED", t0.Add(30*time.Minute)))
	initiated := event(klarna.EventDisputeInitiated, uuid.NewString(), acctA, t0, disputePayload("krn:dispute:order", "INITIATED", t0))
	deliver(t, a, testKeyID, testSecret, closed)
	waitStatus(t, a, eventIDOf(closed), webhook.StatusProcessed)
	deliver(t, a, testKeyID, testSecret, initiated)
	waitStatus(t, a, eventIDOf(initiated), webhook.StatusProcessed)
	aurora, _ := a.DB.Identity().TenantBySlug(context.Background(), "aurora")
	st, err := a.DB.Disputes().Get(context.Background(), scope.Tenants(aurora.ID), "krn:dispute:order")
	if err != nil || st.State != "CLOSED" {
		t.Fatalf("dispute state = %q (%v), want CLOSED", st.State, err)
	}
}

// An event about an account Partner Desk does not know is parked, then
// processed when the account is linked to a partner.
func TestWebhookParkedUntilAccountLinked(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	const acctNew = "krn:partner:global:account:test:NEWCOMER"
	now := time.Now()
	body := event(klarna.EventAccountOperational, uuid.NewString(), acctNew, now, map[string]any{"partner_account_id": acctNew, "state": "OPERATIONAL"})
	deliver(t, a, testKeyID, testSecret, body)
	ev := waitStatus(t, a, eventIDOf(body), webhook.StatusParked)
	if !strings.Contains(ev.Note, acctNew) {
		t.Fatalf("parked note = %q", ev.Note)
	}
	borealis, _ := a.DB.Identity().TenantBySlug(context.Background(), "borealis")
	if err := a.Partners.LinkAccount(context.Background(), borealis.ID, acctNew); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, a, eventIDOf(body), webhook.StatusProcessed)
	acc, err := a.DB.Partners().Account(context.Background(), scope.All(), acctNew)
	if err != nil || acc.State != "OPERATIONAL" {
		t.Fatalf("account state = %q (%v)", acc.State, err)
	}
}

// An event that arrives while its account is being linked is never left
// parked: the link has looked for parked events but not committed yet, so
// the event's processing waits for the link and then finds the partner.
func TestWebhookArrivingDuringALinkIsNotLeftParked(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	ctx := context.Background()
	const acctNew = "krn:partner:global:account:test:MIDLINK"
	borealis, _ := a.DB.Identity().TenantBySlug(ctx, "borealis")
	body := event(klarna.EventAccountOperational, uuid.NewString(), acctNew, time.Now(), map[string]any{"partner_account_id": acctNew, "state": "OPERATIONAL"})
	err := a.DB.InTx(ctx, func(ctx context.Context) error {
		if _, err := a.DB.Partners().LinkAccount(ctx, acctNew, borealis.ID); err != nil {
			return err
		}
		if n, err := a.Webhooks.Unpark(ctx, acctNew); err != nil || n != 0 {
			return fmt.Errorf("unpark before the event: %d, %v", n, err)
		}
		if status, _ := deliver(t, a, testKeyID, testSecret, body); status != 200 {
			return fmt.Errorf("delivery: %d", status)
		}
		// Commit once the event's processing either waits for this link or
		// has already decided (parked: the race this test is about).
		waitFor(t, "the event's processing to reach the account", 15*time.Second, func() (bool, string) {
			var waiting int
			_ = a.DB.SQL().QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'`).Scan(&waiting)
			var status string
			_ = a.DB.SQL().QueryRow(`SELECT status FROM webhook_events WHERE event_id = $1`, eventIDOf(body)).Scan(&status)
			return waiting > 0 || status == webhook.StatusParked, fmt.Sprintf("status %q, %d waiting", status, waiting)
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, a, eventIDOf(body), webhook.StatusProcessed)
}

// A handler that keeps failing dead-letters the event after the last
// attempt; every attempt and its error stay visible; a replay processes it.
func TestWebhookDeadLetterAndReplay(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, func(c *config.Config) { c.WebhookMaxAttempts = 3 })
	var mu sync.Mutex
	failing := true
	a.Webhooks.Registry().Handle("test.flaky.*", false, func(context.Context, webhook.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return fmt.Errorf("downstream unavailable")
		}
		return nil
	})
	body := event("test.flaky.thing", uuid.NewString(), "", time.Now(), map[string]any{})
	deliver(t, a, testKeyID, testSecret, body)
	ev := waitStatus(t, a, eventIDOf(body), webhook.StatusDeadLettered)

	admin := a.Login("acquirer-admin")
	r := admin.Get(fmt.Sprintf("/api/v1/webhooks/events/%d", ev.PK))
	var detail struct {
		Status      string
		AttemptsLog []struct {
			Outcome, Error string
		} `json:"attempts_log"`
		Verification struct{ Result string }
	}
	_ = json.Unmarshal(r.Body, &detail)
	if r.Status != 200 || detail.Status != "dead_lettered" || len(detail.AttemptsLog) != 3 || detail.AttemptsLog[2].Outcome != "dead_lettered" ||
		!strings.Contains(detail.AttemptsLog[0].Error, "downstream unavailable") || detail.Verification.Result != "verified" {
		t.Fatalf("detail: %d %s", r.Status, r.Body)
	}
	if r := admin.Get("/api/v1/webhooks/events?status=dead_lettered"); !bytes.Contains(r.Body, []byte(eventIDOf(body))) {
		t.Fatalf("the dead-lettered filter misses it: %s", r.Body)
	}
	// Support cannot replay; the admin can.
	if r := a.Login("acquirer-support").Send("POST", fmt.Sprintf("/api/v1/webhooks/events/%d/replay", ev.PK), "", nil); r.Status != 403 {
		t.Fatalf("support replay: %d", r.Status)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	if r := admin.Send("POST", fmt.Sprintf("/api/v1/webhooks/events/%d/replay", ev.PK), "", nil); r.Status != 202 {
		t.Fatalf("replay: %d %s", r.Status, r.Body)
	}
	waitStatus(t, a, eventIDOf(body), webhook.StatusProcessed)
	if r := admin.Get("/api/v1/audit?action=webhook:replay"); !bytes.Contains(r.Body, []byte(eventIDOf(body))) {
		t.Fatalf("the replay is not audited: %s", r.Body)
	}
}

func TestWebhookInboxFiltersPagingAndBulkReplay(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	now := time.Now()
	var ids []string
	for i := range 7 {
		typ := klarna.EventDisputeInitiated
		if i%2 == 1 {
			typ = klarna.EventSettlementReportCreated
		}
		b := event(typ, uuid.NewString(), acctA, now.Add(time.Duration(i)*time.Second), disputePayload(fmt.Sprintf("krn:dispute:p%d", i), "INITIATED", now))
		deliver(t, a, testKeyID, testSecret, b)
		ids = append(ids, eventIDOf(b))
	}
	for _, id := range ids {
		waitStatus(t, a, id, webhook.StatusProcessed)
	}
	admin := a.Login("auditor")
	seen := map[string]bool{}
	cursor := ""
	for page := 0; ; page++ {
		r := admin.Get("/api/v1/webhooks/events?limit=3&cursor=" + cursor)
		var out struct {
			Items []struct {
				EventID string `json:"event_id"`
			}
			NextCursor *string `json:"next_cursor"`
		}
		_ = json.Unmarshal(r.Body, &out)
		for _, it := range out.Items {
			if seen[it.EventID] {
				t.Fatalf("event %s on two pages", it.EventID)
			}
			seen[it.EventID] = true
		}
		if out.NextCursor == nil {
			break
		}
		cursor = *out.NextCursor
	}
	if len(seen) != 7 {
		t.Fatalf("paging returned %d of 7 events", len(seen))
	}
	r := admin.Get("/api/v1/webhooks/events?type=settlement.")
	if n := bytes.Count(r.Body, []byte(`"event_type":"settlement.report.created"`)); n != 3 || bytes.Contains(r.Body, []byte("payment.dispute")) {
		t.Fatalf("type prefix filter: %s", r.Body)
	}
	if r := admin.Get("/api/v1/webhooks/events?status=nonsense"); r.Status != 400 {
		t.Fatalf("bad status filter: %d", r.Status)
	}
	rep := a.Login("acquirer-admin").Send("POST", "/api/v1/webhooks/replay", "application/json", []byte(`{"type":"settlement.*"}`))
	if rep.Status != 202 || !bytes.Contains(rep.Body, []byte(`"replayed":3`)) {
		t.Fatalf("bulk replay: %d %s", rep.Status, rep.Body)
	}
	stats := admin.Get("/api/v1/webhooks/stats")
	if !bytes.Contains(stats.Body, []byte(`"settlement.report.created":3`)) {
		t.Fatalf("stats: %s", stats.Body)
	}
	if r := a.Login("merchant-admin").Get("/api/v1/webhooks/events"); r.Status != 403 {
		t.Fatalf("merchant reads the inbox: %d", r.Status)
	}
}

// A shutdown waits for a webhook job in flight: the event ends processed,
// not abandoned half-way.
func TestShutdownDrainsJobsInFlight(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.Webhooks.Registry().Handle("test.slow.*", false, func(context.Context, webhook.Delivery) error {
		once.Do(func() { close(started) })
		<-release // held until the shutdown is under way
		return nil
	})
	body := event("test.slow.thing", uuid.NewString(), "", time.Now(), map[string]any{})
	deliver(t, a, testKeyID, testSecret, body)
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not start")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Shutdown(ctx) }()
	// The shutdown has begun once the listener is closed (the queue is
	// stopped next); only then does the job finish.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(a.URL() + "/healthz")
		if err != nil {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still answers after Shutdown was called")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) while a job was in flight", err)
	default:
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The pool is closed now; read the outcome through a fresh connection.
	conn, err := pgx.Connect(context.Background(), a.Config().DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var status string
	if err := conn.QueryRow(context.Background(), `SELECT status FROM webhook_events WHERE event_id = $1`, eventIDOf(body)).Scan(&status); err != nil || status != "processed" {
		t.Fatalf("after shutdown the event is %q (%v), want processed", status, err)
	}
}
