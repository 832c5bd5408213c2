//go:build linux

package multiinstance

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// One instance group-commits deliveries with a long batch wait (40ms, so
// that at any moment some senders' events wait in a batch not yet
// committed) and is SIGKILLed under load from 32 concurrent senders, then
// started again. Senders whose delivery got no 2xx send it again, as Klarna
// does. Every acknowledged event must be stored, every event stored once
// and processed exactly once, and the ones cut off by the kill delivered by
// the retry.
func TestGroupCommitKilledWithPendingBatch(t *testing.T) {
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := newCluster(t, bin, map[string]string{
		"PARTNERDESK_JOB_RESCUE_AFTER":   "3s",
		"PARTNERDESK_WEBHOOK_BATCH_SIZE": "64",
		"PARTNERDESK_WEBHOOK_BATCH_WAIT": "40ms",
		"PARTNERDESK_LOG_LEVEL":          "warn",
	})
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	var accountIDs []string
	for i := range 4 {
		id := fmt.Sprintf("krn:partner:global:account:batch%03d-%s", i, uuid.NewString()[:8])
		accountIDs = append(accountIDs, id)
		c.linkPartner(fmt.Sprintf("batch-%d", i), id)
	}
	const n = 1500
	events := genEvents(rng, accountIDs, n)

	var cur atomic.Pointer[instance]
	cur.Store(c.start("before-kill"))
	hc := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	var (
		mu        sync.Mutex
		acked     = map[string]bool{}
		cutOff    = map[string]bool{} // got no 2xx at least once
		ackCount  atomic.Int64
		killAt    = make(chan struct{})
		killOnce  sync.Once
		restarted = make(chan struct{})
	)
	go func() {
		select {
		case <-killAt:
		case <-ctx.Done():
			return
		}
		cur.Load().kill()
		cur.Store(c.start("after-restart"))
		close(restarted)
	}()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				ev := events[k]
				for attempt := 0; ctx.Err() == nil; attempt++ {
					in := cur.Load()
					code, status, err := deliver(ctx, hc, in.url, ev.body)
					if err == nil && code == 200 {
						mu.Lock()
						if acked[ev.id] && status == "accepted" {
							t.Errorf("event %s accepted twice", ev.id)
						}
						acked[ev.id] = true
						mu.Unlock()
						if ackCount.Add(1) == n/4 {
							killOnce.Do(func() { close(killAt) })
						}
						break
					}
					if err == nil && code < 500 {
						t.Errorf("event %s rejected with %d", ev.id, code)
						return
					}
					mu.Lock()
					cutOff[ev.id] = true
					mu.Unlock()
					if in.dead() { // Klarna retries later; here: once the instance is back
						select {
						case <-restarted:
						case <-ctx.Done():
						}
					}
				}
			}
		}()
	}
	for k := range events {
		jobs <- k
	}
	close(jobs)
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("gave up: %d of %d acknowledged; %s", len(acked), n, describe(c))
	}
	if len(cutOff) == 0 {
		t.Fatal("no delivery was cut off by the kill: nothing was pending")
	}
	for c.queryInt(`SELECT count(*) FROM webhook_events WHERE status <> 'processed'`)+
		c.queryInt(`SELECT count(*) FROM river_job WHERE kind = 'webhook.process' AND state NOT IN ('completed', 'discarded', 'cancelled')`) > 0 {
		if ctx.Err() != nil {
			t.Fatalf("events still open: %s", describe(c))
		}
		time.Sleep(250 * time.Millisecond)
	}
	stored := map[string]int{}
	rows, err := c.db.Query(ctx, `SELECT event_id FROM webhook_events`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored[id]++
	}
	rows.Close()
	for _, ev := range events {
		if stored[ev.id] != 1 {
			t.Errorf("event %s stored %d times (acknowledged %v, cut off %v)", ev.id, stored[ev.id], acked[ev.id], cutOff[ev.id])
		}
	}
	if len(acked) != n {
		t.Errorf("%d of %d events acknowledged in the end", len(acked), n)
	}
	if k := c.queryInt(`SELECT count(*) FROM webhook_events e WHERE (SELECT count(*) FROM webhook_attempts a WHERE a.event_pk = e.id AND a.outcome = 'processed') <> 1`); k != 0 {
		t.Errorf("%d events do not have exactly one processed attempt", k)
	}
	t.Logf("%d events; %d deliveries cut off by the kill and sent again; %s", n, len(cutOff), describe(c))
}
