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

func TestWebhookDelivery_RetriesOnScheduleUntilAcknowledged(t *testing.T) {
	e := newEnv(t)
	r := e.subscribe()
	r.mu.Lock()
	r.failNext = 2
	r.mu.Unlock()
	p := e.operationalPartner("SEK") // sends partner.account.state-change.operational
	_ = p
	deadline := time.Now().Add(3 * time.Second)
	attempts := func() []klarnasim.Delivery {
		var out []klarnasim.Delivery
		for _, d := range e.sim.Deliveries() {
			if d.EventType == klarna.EventAccountOperational {
				out = append(out, d)
			}
		}
		return out
	}
	for len(attempts()) < 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if r.count(klarna.EventAccountOperational) != 0 {
		t.Fatal("the first attempt should have failed")
	}
	e.sim.Advance(10 * time.Second) // second attempt after +10 s
	for len(attempts()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	e.sim.Advance(2 * time.Minute) // third attempt after +2 min
	r.waitFor(t, klarna.EventAccountOperational)
	a := attempts()
	if len(a) != 3 || a[0].Outcome != "failed" || a[2].Outcome != "delivered" || a[2].Attempt != 3 {
		t.Fatalf("attempts = %+v", a)
	}
}

func TestWebhookDelivery_DroppedAndDuplicated(t *testing.T) {
	e := newEnv(t)
	r := e.subscribe()
	e.sim.SetFaults(klarnasim.Faults{WebhookDuplicateRate: 1})
	e.operationalPartner("SEK")
	r.waitFor(t, klarna.EventAccountOperational)
	time.Sleep(100 * time.Millisecond)
	if n := r.count(klarna.EventAccountOperational); n != 2 {
		t.Fatalf("duplicated delivery arrived %d times", n)
	}
	evs := r.types()
	_ = evs
	e.sim.SetFaults(klarnasim.Faults{WebhookDropRate: 1})
	e.operationalPartner("SEK")
	time.Sleep(150 * time.Millisecond)
	if n := r.count(klarna.EventAccountOperational); n != 2 {
		t.Fatalf("a dropped delivery arrived (%d)", n)
	}
}
