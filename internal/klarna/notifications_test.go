package klarna_test

import (
	"context"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

func TestSigningKeys_SecretOnceAndAtMost50(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	k := must[*klarna.SigningKey](t)(e.client.CreateSigningKey(ctx))
	if k.SigningKey == "" || k.SigningKeyID == "" {
		t.Fatalf("key = %+v", k)
	}
	if g := must[*klarna.SigningKey](t)(e.client.GetSigningKey(ctx, k.SigningKeyID)); g.SigningKey != "" {
		t.Fatal("secret readable again")
	}
	for range 49 {
		must[*klarna.SigningKey](t)(e.client.CreateSigningKey(ctx))
	}
	_, err := e.client.CreateSigningKey(ctx)
	wantCode(t, err, apperr.Conflict)
	if l := must[[]klarna.SigningKey](t)(e.client.ListSigningKeys(ctx)); len(l) != 50 {
		t.Fatalf("keys = %d", len(l))
	}
	if err := e.client.DeleteSigningKey(ctx, k.SigningKeyID); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.GetSigningKey(ctx, k.SigningKeyID)
	wantCode(t, err, apperr.NotFound)
}

func TestWebhooks_CRUDAndSignedSimulate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := newReceiver(t)
	k := must[*klarna.SigningKey](t)(e.client.CreateSigningKey(ctx))
	r.secrets[k.SigningKeyID] = []byte(k.SigningKey)
	w := must[*klarna.Webhook](t)(e.client.CreateWebhook(ctx, klarna.Webhook{URL: r.srv.URL, EventTypes: []string{"payment.dispute.*"}, EventVersion: "v1", SigningKeyID: k.SigningKeyID}))
	if w.Status != "ENABLED" || w.CreatedAt.IsZero() {
		t.Fatalf("webhook = %+v", w)
	}
	_, err := e.client.CreateWebhook(ctx, klarna.Webhook{URL: r.srv.URL, EventTypes: []string{"payment.dispute.*"}, EventVersion: "v1", SigningKeyID: k.SigningKeyID})
	wantCode(t, err, apperr.Conflict)
	_, err = e.client.CreateWebhook(ctx, klarna.Webhook{URL: "ftp://x", EventTypes: []string{"a"}, EventVersion: "v1", SigningKeyID: k.SigningKeyID})
	wantCode(t, err, apperr.Invalid)
	must[*klarna.Webhook](t)(e.client.GetWebhook(ctx, w.WebhookID))
	up := must[*klarna.Webhook](t)(e.client.UpdateWebhook(ctx, w.WebhookID, klarna.Webhook{EventTypes: []string{"payment.dispute.*", "partner.account.*"}}))
	if len(up.EventTypes) != 2 {
		t.Fatal(up)
	}
	if l := must[[]klarna.Webhook](t)(e.client.ListWebhooks(ctx)); len(l) != 1 {
		t.Fatal(len(l))
	}
	if err := e.client.DeleteSigningKey(ctx, k.SigningKeyID); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("deleting a key in use: %v", err)
	}
	if err := e.client.SimulateWebhook(ctx, w.WebhookID, klarna.EventDisputeClosed, "v1"); err != nil {
		t.Fatal(err)
	}
	ev := r.waitFor(t, klarna.EventDisputeClosed)
	if ev.Metadata.WebhookID != w.WebhookID || ev.Metadata.RecipientAccountID == "" || ev.Metadata.Live {
		t.Fatalf("metadata = %+v", ev.Metadata)
	}
	if err := e.client.DeleteWebhook(ctx, w.WebhookID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.client.SimulateWebhook(ctx, w.WebhookID, klarna.EventDisputeClosed, "v1"), apperr.NotFound)
}

// waitDeliveries waits until the simulator has recorded the outcome of n
// attempts for eventType (it records each after the POST returned, or when it
// drops one) and returns them.
func waitDeliveries(t *testing.T, e *env, eventType string, n int) []klarnasim.Delivery {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var out []klarnasim.Delivery
		for _, d := range e.sim.Deliveries() {
			if d.EventType == eventType {
				out = append(out, d)
			}
		}
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d %s deliveries recorded: %+v", len(out), n, eventType, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWebhookDelivery_RetriesOnScheduleUntilAcknowledged(t *testing.T) {
	e := newEnv(t)
	r := e.subscribe()
	r.mu.Lock()
	r.failNext = 2
	r.mu.Unlock()
	e.operationalPartner("SEK") // sends partner.account.state-change.operational
	waitDeliveries(t, e, klarna.EventAccountOperational, 1)
	if r.count(klarna.EventAccountOperational) != 0 {
		t.Fatal("the first attempt should have failed")
	}
	e.sim.Advance(10 * time.Second) // second attempt after +10 s
	waitDeliveries(t, e, klarna.EventAccountOperational, 2)
	e.sim.Advance(2 * time.Minute) // third attempt after +2 min
	r.waitFor(t, klarna.EventAccountOperational)
	a := waitDeliveries(t, e, klarna.EventAccountOperational, 3)
	if len(a) != 3 || a[0].Outcome != "failed" || a[1].Outcome != "failed" || a[2].Outcome != "delivered" || a[2].Attempt != 3 {
		t.Fatalf("attempts = %+v", a)
	}
}

func TestWebhookDelivery_DroppedAndDuplicated(t *testing.T) {
	e := newEnv(t)
	r := e.subscribe()
	e.sim.SetFaults(klarnasim.Faults{WebhookDuplicateRate: 1})
	e.operationalPartner("SEK")
	// Both copies have been answered once the simulator recorded two
	// outcomes: no copy is still on its way.
	sent := waitDeliveries(t, e, klarna.EventAccountOperational, 2)
	if len(sent) != 2 || sent[0].EventID != sent[1].EventID || sent[0].Outcome != "delivered" || sent[1].Outcome != "delivered" {
		t.Fatalf("deliveries of the duplicated event: %+v", sent)
	}
	if n := r.count(klarna.EventAccountOperational); n != 2 {
		t.Fatalf("duplicated delivery arrived %d times", n)
	}
	e.sim.SetFaults(klarnasim.Faults{WebhookDropRate: 1})
	e.operationalPartner("SEK")
	// The simulator records a drop instead of sending: once recorded, the
	// event will never arrive.
	all := waitDeliveries(t, e, klarna.EventAccountOperational, 3)
	if len(all) != 3 || all[2].Outcome != "dropped" || all[2].EventID == sent[0].EventID {
		t.Fatalf("deliveries after the drop: %+v", all)
	}
	if n := r.count(klarna.EventAccountOperational); n != 2 {
		t.Fatalf("a dropped delivery arrived (%d)", n)
	}
}
