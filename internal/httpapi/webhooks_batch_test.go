package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Concurrent senders deliver 300 events, each twice at the same moment (so
// both copies usually share a batch) and once more after every first round
// was answered (another batch). Every event is stored once with its two
// repeats counted, gets one processing job, and every delivery is answered
// accepted or duplicate as before batching, exactly one accepted per event.
func TestWebhookGroupCommit_ConcurrentAndDuplicateDeliveries(t *testing.T) {
	a := webhookApp(t, func(c *config.Config) {
		c.WebhookBatchSize, c.WebhookBatchWait, c.WebhookBatchFlushers = 32, 5*time.Millisecond, 2
	})
	const n = 300
	run := fmt.Sprint(time.Now().UnixNano())
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = event("partner.account.test", fmt.Sprintf("evt-batch-%s-%03d", run, i), acctA, time.Now(), map[string]any{"i": i})
	}
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	send := func(body []byte) (int, string, error) {
		req, _ := http.NewRequest("POST", a.URL()+"/webhooks/klarna", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Klarna-Signing-Key-Id", testKeyID)
		req.Header.Set("Klarna-Signature", klarna.Sign([]byte(testSecret), body))
		resp, err := hc.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		var out struct{ Status string }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Status, nil
	}
	var mu sync.Mutex
	answers := map[string]int{}
	var failures []string
	round := func(copies int) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 48)
		for i := range bodies {
			for range copies {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					code, status, err := send(bodies[i])
					mu.Lock()
					defer mu.Unlock()
					if err != nil || code != 200 {
						failures = append(failures, fmt.Sprintf("event %d: %d %v", i, code, err))
						return
					}
					answers[status]++
				}()
			}
		}
		wg.Wait()
	}
	round(2)
	round(1)
	if len(failures) > 0 {
		t.Fatalf("%d deliveries failed, first: %s", len(failures), failures[0])
	}
	if answers["accepted"] != n || answers["duplicate"] != 2*n {
		t.Errorf("answers = %v, want %d accepted and %d duplicate", answers, n, 2*n)
	}
	var stored, dupSum, jobs, perEventJobs int
	g := a.DB.Gorm
	pattern := "evt-batch-" + run + "-%"
	if err := g.Raw(`SELECT count(*), coalesce(sum(duplicates), 0) FROM webhook_events WHERE event_id LIKE ?`, pattern).Row().Scan(&stored, &dupSum); err != nil {
		t.Fatal(err)
	}
	if err := g.Raw(`SELECT count(*) FROM river_job j JOIN webhook_events e ON e.id = (j.args->>'event_pk')::bigint WHERE j.kind = 'webhook.process' AND e.event_id LIKE ?`, pattern).Row().Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if err := g.Raw(`SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM river_job j JOIN webhook_events e ON e.id = (j.args->>'event_pk')::bigint
		WHERE j.kind = 'webhook.process' AND e.event_id LIKE ? GROUP BY e.id) x`, pattern).Row().Scan(&perEventJobs); err != nil {
		t.Fatal(err)
	}
	if stored != n || dupSum != 2*n {
		t.Errorf("stored %d events with %d duplicates counted, want %d and %d", stored, dupSum, n, 2*n)
	}
	if jobs != n || perEventJobs != 1 {
		t.Errorf("%d processing jobs (at most %d for one event), want one per event (%d)", jobs, perEventJobs, n)
	}
}
