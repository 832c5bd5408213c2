//go:build linux

package multiinstance

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// TestMultiProcess runs the real binary, built once per test process.
// The subtests run one after the other: each starts several processes and
// they would only slow each other down on a small machine.
func TestMultiProcess(t *testing.T) {
	bin := buildBinary(t)
	t.Run("WorkerKilledMidReread_ReadOnceByAnotherInstance", func(t *testing.T) { testWorkerKilledMidJob(t, bin) })
	t.Run("ThreeInstances_OneKilled_EveryEventProcessedOnce", func(t *testing.T) { testThreeInstances(t, bin) })
}

// A dispute event is stored with the processing of its webhook, which
// queues a re-read of the dispute from Klarna (GET /v4/payment/disputes/{id})
// in the same transaction, as Klarna advises. The simulator holds that
// call; the process is SIGKILLed while it waits. A second instance must
// rescue the re-read (after PARTNERDESK_JOB_RESCUE_AFTER) and store its
// result, with the webhook processed exactly once.
func testWorkerKilledMidJob(t *testing.T, bin string) {
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	partner, err := sim.SeedPartner(klarnasim.PartnerSpec{Operational: true, Name: "Killed Mid Job AB"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: partner.PartnerAccountID, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	disputeID := ids[0]
	disputePath := "/v4/payment/disputes/" + disputeID
	fetched := make(chan struct{}, 16) // one signal per GET of the dispute
	var fetches atomic.Int32
	simSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == disputePath {
			fetches.Add(1)
			select {
			case fetched <- struct{}{}:
			default:
			}
		}
		sim.Handler().ServeHTTP(w, r)
	}))
	defer simSrv.Close()

	c := newCluster(t, bin, map[string]string{
		"PARTNERDESK_JOB_RESCUE_AFTER":       "3s",
		"PARTNERDESK_WEBHOOK_MAX_ATTEMPTS":   "5",
		"PARTNERDESK_KLARNA_API_KEY":         sim.InitialAPIKey(),
		"PARTNERDESK_KLARNA_GATEWAY_URL":     simSrv.URL,
		"PARTNERDESK_KLARNA_DISPUTES_URL":    simSrv.URL,
		"PARTNERDESK_KLARNA_SETTLEMENTS_URL": simSrv.URL,
		"PARTNERDESK_KLARNA_TIMEOUT":         "60s",
	})
	tenant := c.linkPartner("killed-mid-job", partner.PartnerAccountID)
	a := c.start("instance-a")

	// Klarna answers the dispute read (and the dispute list the periodic
	// sync reads) only after two minutes.
	sim.SetFaults(klarnasim.Faults{LatencyMS: 120_000, PathPrefix: "/v4/payment/disputes"})
	eventID := uuid.NewString()
	body := envelope(eventID, "payment.dispute.state-change.initiated", partner.PartnerAccountID, nil, map[string]any{
		"payment_dispute_id": disputeID, "order_id": "order-" + eventID[:8], "payment_transaction_id": "tx-" + eventID[:8],
		"state": "INITIATED", "dispute_reason": "PRODUCTS_OR_SERVICES_NOT_RECEIVED",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if code, status, err := deliver(ctx, http.DefaultClient, a.url, body); err != nil || code != 200 || status != "accepted" {
		t.Fatalf("delivery to instance A: %d %q %v", code, status, err)
	}
	select {
	case <-fetched:
	case <-time.After(30 * time.Second):
		t.Fatalf("instance A never asked Klarna for the dispute; events: %s", describe(c))
	}
	pk := c.queryInt(`SELECT id FROM webhook_events WHERE event_id = $1`, eventID)
	if n := c.queryInt(`SELECT count(*) FROM river_job WHERE kind = 'dispute.reread' AND args->>'dispute_id' = $1 AND state = 'running'`, disputeID); n != 1 {
		t.Fatalf("the re-read is not running while Klarna is asked (%d running); %s", n, describe(c))
	}

	a.kill()
	killedAt := time.Now()

	// The webhook's report is stored; the interrupted read finished nothing.
	// (The periodic sync of instance A may have listed the dispute before
	// the fault was set, so read_at says nothing about the killed re-read.)
	if n := c.queryInt(`SELECT count(*) FROM disputes WHERE dispute_id = $1`, disputeID); n != 1 {
		t.Fatalf("dispute rows after the kill: %d, want 1", n)
	}
	if n := c.queryInt(`SELECT count(*) FROM river_job WHERE kind = 'dispute.reread' AND args->>'dispute_id' = $1 AND state = 'completed'`, disputeID); n != 0 {
		t.Fatalf("the killed re-read counts as completed (%d)", n)
	}

	sim.SetFaults(klarnasim.Faults{}) // Klarna answers promptly again
	c.start("instance-b")

	deadline := time.Now().Add(90 * time.Second)
	// The rescued re-read must finish (the periodic sync may read the
	// dispute first; that does not count as the rescue).
	for c.queryInt(`SELECT count(*) FROM river_job WHERE kind = 'dispute.reread' AND args->>'dispute_id' = $1 AND state = 'completed'`, disputeID) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the re-read was not completed 90s after the kill; %s", describe(c))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("re-read by instance B %s after instance A was killed", time.Since(killedAt).Round(100*time.Millisecond))
	waitJobsDone(t, c, 30*time.Second)
	if n := c.queryInt(`SELECT count(*) FROM disputes WHERE dispute_id = $1 AND read_at IS NOT NULL AND object IS NOT NULL`, disputeID); n != 1 {
		t.Errorf("dispute rows read from Klarna after the rescue: %d, want 1", n)
	}

	if n := c.queryInt(`SELECT count(*) FROM webhook_attempts WHERE event_pk = $1 AND outcome = 'processed'`, pk); n != 1 {
		t.Errorf("processed attempts = %d, want exactly 1", n)
	}
	if n := c.queryInt(`SELECT count(*) FROM disputes WHERE dispute_id = $1 AND tenant_id = $2 AND state = 'INITIATED'`, disputeID, tenant); n != 1 {
		t.Errorf("dispute rows = %d, want 1 INITIATED row for the partner", n)
	}
	if n := c.queryInt(`SELECT count(*) FROM dispute_events WHERE dispute_id = $1 AND kind = 'webhook'`, disputeID); n != 1 {
		t.Errorf("webhook timeline entries = %d, want 1", n)
	}
	if n := c.queryInt(`SELECT max(attempt) FROM river_job WHERE kind = 'dispute.reread' AND args->>'dispute_id' = $1`, disputeID); n < 2 {
		t.Errorf("the re-read ran %d time(s); the rescue should have run it a second time", n)
	}
	if n := fetches.Load(); n < 2 {
		t.Errorf("Klarna was asked %d time(s) for the dispute, want the killed read and the rescued one", n)
	}
}

// waitJobsDone waits until no webhook.process job is still queued, running
// or scheduled for a retry.
func waitJobsDone(t *testing.T, c *cluster, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for c.queryInt(`SELECT count(*) FROM river_job WHERE kind = 'webhook.process' AND state NOT IN ('completed', 'discarded', 'cancelled')`) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("webhook jobs still open after %s: %s", within, describe(c))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// planned is one event the test sends, with what it should leave behind.
type planned struct {
	id, typ, subject string
	body             []byte
	at               time.Time
	state            string // account or dispute state it reports
	dispute          string
}

const (
	totalDeliveries = 10_000
	duplicateShare  = 0.20
	accounts        = 6
	disputesPerAcct = 40
)

// genEvents makes distinct events as Klarna sends them: account state
// changes, product status changes, dispute state changes and settlement
// reports, each with its own occurred_at so newest-wins is decidable.
func genEvents(rng *rand.Rand, accountIDs []string, n int) []planned {
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	out := make([]planned, 0, n)
	accountStates := []string{"OPERATIONAL", "DISABLED"}
	disputeStates := []string{"initiated", "representment", "pre-arbitration", "arbitration", "closed"}
	for i := range n {
		acct := accountIDs[rng.IntN(len(accountIDs))]
		at := base.Add(time.Duration(i)*time.Second + time.Duration(rng.IntN(1000))*time.Millisecond)
		p := planned{id: uuid.NewString(), subject: acct, at: at}
		var payload map[string]any
		switch k := rng.IntN(10); {
		case k < 2:
			p.state = accountStates[rng.IntN(2)]
			p.typ = "partner.account.state-change." + strings.ToLower(p.state)
			payload = map[string]any{"partner_account_id": acct, "state": p.state}
		case k < 3:
			status := []string{"enabled", "disabled"}[rng.IntN(2)]
			p.typ = "partner.account.product.payment.state-change." + status
			payload = map[string]any{"partner_account_id": acct, "payment_product_id": "krn:partner:product:payment:" + acct[len(acct)-8:], "status": strings.ToUpper(status)}
		case k < 9:
			d := rng.IntN(disputesPerAcct)
			st := disputeStates[rng.IntN(len(disputeStates))]
			p.typ = "payment.dispute.state-change." + st
			p.state = strings.ToUpper(strings.ReplaceAll(st, "-", "_"))
			p.dispute = fmt.Sprintf("krn:payment:eu1:dispute:%s-%03d", acct[len(acct)-8:], d)
			payload = map[string]any{"payment_dispute_id": p.dispute, "order_id": fmt.Sprintf("ord-%d", i), "payment_transaction_id": fmt.Sprintf("tx-%d", i),
				"state": p.state, "updated_at": at.Format(time.RFC3339Nano)}
		default:
			p.typ = "settlement.report.created"
			p.subject = ""
			payload = map[string]any{"payment_reference": fmt.Sprintf("pay-%d", i), "links": map[string]string{"csv": "/settlements/v1/reports/payout-with-transactions?payment_reference=pay-" + fmt.Sprint(i)}}
		}
		p.body = envelope(p.id, p.typ, p.subject, &p.at, payload)
		out = append(out, p)
	}
	return out
}

// Three instances on one database receive 10 000 deliveries (8 000 distinct
// events, 2 000 repeats) in shuffled order, concurrently and round-robin;
// the first instance (normally River's leader) is SIGKILLed when half the
// deliveries are acknowledged. A delivery that fails is retried against the
// next instance, as Klarna retries. Every event must be stored once and
// processed exactly once, with the newest report winning.
func testThreeInstances(t *testing.T, bin string) {
	started := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := newCluster(t, bin, map[string]string{
		"PARTNERDESK_JOB_RESCUE_AFTER":     "3s",
		"PARTNERDESK_WEBHOOK_MAX_ATTEMPTS": "8",
		"PARTNERDESK_LOG_LEVEL":            "warn",
	})
	rng := rand.New(rand.NewPCG(42, uint64(time.Now().UnixNano())))
	var accountIDs []string
	for i := range accounts {
		id := fmt.Sprintf("krn:partner:global:account:multi%03d-%s", i, uuid.NewString()[:8])
		accountIDs = append(accountIDs, id)
		c.linkPartner(fmt.Sprintf("multi-%d", i), id)
	}
	distinct := int(float64(totalDeliveries) * (1 - duplicateShare))
	events := genEvents(rng, accountIDs, distinct)
	order := make([]int, 0, totalDeliveries)
	for i := range events {
		order = append(order, i)
	}
	for len(order) < totalDeliveries {
		order = append(order, rng.IntN(len(events)))
	}
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })

	insts := []*instance{c.start("instance-1")}
	insts = append(insts, c.start("instance-2"), c.start("instance-3"))
	t.Logf("3 instances ready after %s", time.Since(started).Round(100*time.Millisecond))

	hc := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	var (
		acked, accepted, dupAnswers, failedAttempts atomic.Int64
		half                                        = make(chan struct{})
		halfOnce                                    sync.Once
		firstErr                                    error
		errMu                                       sync.Mutex
	)
	setErr := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
		cancel()
	}
	killed := make(chan time.Time, 1)
	go func() {
		select {
		case <-half:
			insts[0].kill()
			killed <- time.Now()
		case <-ctx.Done():
		}
	}()
	sendStart := time.Now()
	jobs := make(chan int)
	var wg sync.WaitGroup
	const senders = 24
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				ev := events[order[k]]
				for attempt := 0; ; attempt++ {
					if ctx.Err() != nil {
						return
					}
					in := insts[(k+attempt)%len(insts)]
					if in.dead() {
						continue
					}
					code, status, err := deliver(ctx, hc, in.url, ev.body)
					if err == nil && code == 200 {
						switch status {
						case "accepted":
							accepted.Add(1)
						case "duplicate":
							dupAnswers.Add(1)
						default:
							setErr(fmt.Errorf("event %s: unexpected answer %q", ev.id, status))
						}
						if acked.Add(1) == totalDeliveries/2 {
							halfOnce.Do(func() { close(half) })
						}
						break
					}
					if err == nil && code < 500 && code != 429 {
						setErr(fmt.Errorf("event %s rejected by %s with %d", ev.id, in.name, code))
						return
					}
					failedAttempts.Add(1) // as Klarna: try again (here: at once, on the next instance)
					time.Sleep(time.Duration(attempt) * 20 * time.Millisecond)
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for k := range order {
			select {
			case jobs <- k:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if ctx.Err() != nil {
		t.Fatalf("gave up after 3 minutes: %d of %d deliveries acknowledged; %s", acked.Load(), totalDeliveries, describe(c))
	}
	sent := time.Since(sendStart)
	var killedAt time.Time
	select {
	case killedAt = <-killed:
	case <-time.After(30 * time.Second):
		t.Fatal("instance-1 was not killed")
	}
	t.Logf("%d deliveries acknowledged in %s (%.0f/s): %d accepted, %d answered duplicate, %d failed attempts retried elsewhere",
		acked.Load(), sent.Round(time.Millisecond), float64(acked.Load())/sent.Seconds(), accepted.Load(), dupAnswers.Load(), failedAttempts.Load())

	// Wait until every event is processed and no job is left.
	lastLog := time.Now()
	for {
		if time.Since(lastLog) > 5*time.Second {
			t.Logf("%s after the kill: %s", time.Since(killedAt).Round(time.Second), describe(c))
			lastLog = time.Now()
		}
		open := c.queryInt(`SELECT count(*) FROM webhook_events WHERE status <> 'processed'`) +
			c.queryInt(`SELECT count(*) FROM river_job WHERE kind = 'webhook.process' AND state NOT IN ('completed', 'discarded', 'cancelled')`)
		if open == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("gave up after 3 minutes: %d events or jobs still open; %s", open, describe(c))
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("all processed %s after the kill, %s after the first delivery", time.Since(killedAt).Round(100*time.Millisecond), time.Since(sendStart).Round(100*time.Millisecond))

	// Stored once: exactly the planned event ids, one row each.
	stored := map[string]bool{}
	rows, err := c.db.Query(ctx, `SELECT event_id FROM webhook_events`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored[id] = true
	}
	rows.Close()
	if len(stored) != distinct {
		t.Errorf("stored events = %d, want %d", len(stored), distinct)
	}
	for _, ev := range events {
		if !stored[ev.id] {
			t.Errorf("event %s (%s) was not stored", ev.id, ev.typ)
			break
		}
	}
	// Processed exactly once: one processed attempt per event, none failed.
	if n := c.queryInt(`SELECT count(*) FROM webhook_events e WHERE (SELECT count(*) FROM webhook_attempts a WHERE a.event_pk = e.id AND a.outcome = 'processed') <> 1`); n != 0 {
		t.Errorf("%d events do not have exactly one processed attempt", n)
	}
	if n := c.queryInt(`SELECT count(*) FROM webhook_attempts WHERE outcome NOT IN ('processed')`); n != 0 {
		t.Errorf("%d attempts with another outcome than processed", n)
	}
	// Duplicates counted: every repeat delivery, plus deliveries whose
	// answer was lost with the killed instance and that were sent again.
	dups := c.queryInt(`SELECT coalesce(sum(duplicates), 0) FROM webhook_events`)
	repeats := totalDeliveries - distinct
	if dups < repeats || dups > repeats+int(failedAttempts.Load()) {
		t.Errorf("duplicates counted = %d, want %d repeats plus at most %d re-sent after failures", dups, repeats, failedAttempts.Load())
	}
	if got := int(accepted.Load()) + int(dupAnswers.Load()); got != totalDeliveries {
		t.Errorf("acknowledged %d deliveries, want %d", got, totalDeliveries)
	}
	rerun := c.queryInt(`SELECT count(*) FROM river_job WHERE kind = 'webhook.process' AND attempt > 1`)
	t.Logf("duplicates counted %d (%d repeats + %d re-sent after the kill); %d jobs ran more than once", dups, repeats, dups-repeats, rerun)

	checkNewestWins(t, c, events)
	t.Logf("total %s", time.Since(started).Round(100*time.Millisecond))
}

// checkNewestWins compares the stored account and dispute states with the
// latest report of each, whatever order they arrived and ran in.
func checkNewestWins(t *testing.T, c *cluster, events []planned) {
	t.Helper()
	latestAcct := map[string]planned{}
	latestDispute := map[string]planned{}
	for _, ev := range events {
		switch {
		case strings.HasPrefix(ev.typ, "partner.account.state-change."):
			if cur, ok := latestAcct[ev.subject]; !ok || ev.at.After(cur.at) {
				latestAcct[ev.subject] = ev
			}
		case ev.dispute != "":
			if cur, ok := latestDispute[ev.dispute]; !ok || ev.at.After(cur.at) {
				latestDispute[ev.dispute] = ev
			}
		}
	}
	ctx := context.Background()
	var wrong []string
	for acct, ev := range latestAcct {
		var state string
		if err := c.db.QueryRow(ctx, `SELECT state FROM partner_accounts WHERE klarna_account_id = $1`, acct).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state != ev.state {
			wrong = append(wrong, fmt.Sprintf("account %s: %s, want %s", acct, state, ev.state))
		}
	}
	if n := c.queryInt(`SELECT count(*) FROM disputes`); n != len(latestDispute) {
		t.Errorf("dispute rows = %d, want %d", n, len(latestDispute))
	}
	for id, ev := range latestDispute {
		var state string
		err := c.db.QueryRow(ctx, `SELECT state FROM disputes WHERE dispute_id = $1`, id).Scan(&state)
		if err != nil {
			wrong = append(wrong, fmt.Sprintf("dispute %s: %v", id, err))
			continue
		}
		if state != ev.state {
			wrong = append(wrong, fmt.Sprintf("dispute %s: %s, want %s", id, state, ev.state))
		}
	}
	sort.Strings(wrong)
	if len(wrong) > 0 {
		t.Errorf("%d states are not the newest report, e.g. %s", len(wrong), strings.Join(wrong[:min(5, len(wrong))], "; "))
	}
}
