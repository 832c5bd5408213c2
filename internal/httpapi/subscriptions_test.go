package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/secretbox"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

type setupDTO struct {
	Subscriptions []struct {
		ID           string `json:"id"`
		SigningKeyID string `json:"signing_key_id"`
		URL          string `json:"url"`
	}
	SigningKeys []struct {
		ID          string     `json:"id"`
		Source      string     `json:"source"`
		AcceptUntil *time.Time `json:"accept_until"`
	} `json:"signing_keys"`
}

// Subscribing from Settings creates a signing key and a subscription at
// Klarna (here the simulator), whose signed deliveries then flow in; a key
// rotation keeps the previous key accepted for the grace period only.
func TestWebhookSubscriptionAndKeyRotation(t *testing.T) {
	t.Parallel()
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.Start(t.Context())
	t.Cleanup(func() { sim.Close() })

	// The demo partners exist at Klarna under their slugs; the app links
	// them to their tenants when it seeds.
	onboard, err := sim.SeedPartner(klarnasim.PartnerSpec{Reference: "aurora", Operational: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.SeedPartner(klarnasim.PartnerSpec{Reference: "borealis", Operational: true}); err != nil {
		t.Fatal(err)
	}
	cfg := apptest.Config(t)
	cfg.WebhookKeyGrace = time.Hour
	// The webhook pipeline's clock, moved past the grace period instead of
	// waiting it out.
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	a := apptest.StartWithKlarna(t, cfg, nil, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 5 * time.Second}, func(o *app.Options) { o.WebhookNow = now })
	aurora, _ := a.DB.Identity().TenantBySlug(context.Background(), "aurora")
	if acc, err := a.DB.Partners().Account(context.Background(), scope.All(), onboard.PartnerAccountID); err != nil || acc.TenantID != aurora.ID {
		t.Fatalf("the seeded Klarna account is not linked to Aurora: %+v %v", acc, err)
	}

	admin := a.Login("acquirer-admin")
	if r := admin.Send("POST", "/api/v1/webhooks/subscriptions", "", nil); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	var setup setupDTO
	_ = json.Unmarshal(admin.Get("/api/v1/webhooks/subscriptions").Body, &setup)
	if len(setup.Subscriptions) != 1 || len(setup.SigningKeys) != 1 || setup.SigningKeys[0].Source != "api" || setup.Subscriptions[0].URL != a.URL()+"/webhooks/klarna" {
		t.Fatalf("setup after subscribing: %+v", setup)
	}
	if r := admin.Send("POST", "/api/v1/webhooks/subscriptions", "", nil); r.Status != 201 {
		t.Fatalf("subscribing again: %d", r.Status)
	}
	_ = json.Unmarshal(admin.Get("/api/v1/webhooks/subscriptions").Body, &setup)
	if len(setup.Subscriptions) != 1 {
		t.Fatalf("subscribing twice made %d subscriptions", len(setup.Subscriptions))
	}
	oldKey := setup.SigningKeys[0].ID

	// A subscription made before Partner Desk handled payment requests
	// follows the configured event types on the next subscribe.
	ctx := t.Context()
	stored, err := a.DB.Webhooks().Subscriptions(ctx)
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored subscriptions %v %v", stored, err)
	}
	before := []string{"partner.account.*", "payment.dispute.*", "settlement.report.*"}
	if _, err := a.Klarna.UpdateWebhook(ctx, stored[0].ID, klarna.Webhook{EventTypes: before}); err != nil {
		t.Fatal(err)
	}
	stored[0].EventTypes = before
	if err := a.DB.Webhooks().SaveSubscription(ctx, stored[0]); err != nil {
		t.Fatal(err)
	}
	if r := admin.Send("POST", "/api/v1/webhooks/subscriptions", "", nil); r.Status != 201 {
		t.Fatalf("subscribing after an upgrade: %d %s", r.Status, r.Body)
	}
	remote, err := a.Klarna.ListWebhooks(ctx)
	if err != nil || len(remote) != 1 || !slices.Contains(remote[0].EventTypes, "payment.request.*") {
		t.Fatalf("Klarna's subscription after the upgrade: %+v %v", remote, err)
	}

	// Klarna's own delivery of a new dispute arrives and is processed.
	ids, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: onboard.PartnerAccountID})
	if err != nil {
		t.Fatal(err)
	}
	waitDispute(t, a, aurora.ID, ids[0])

	// Simulate from Settings.
	if r := admin.Send("POST", "/api/v1/webhooks/subscriptions/"+url.PathEscape(setup.Subscriptions[0].ID)+"/simulate", "application/json", []byte(`{"event_type":"settlement.report.created"}`)); r.Status != 202 {
		t.Fatalf("simulate: %d %s", r.Status, r.Body)
	}

	r := admin.Send("POST", "/api/v1/webhooks/signing-keys/rotate", "", nil)
	var rot struct {
		SigningKeyID string `json:"signing_key_id"`
	}
	_ = json.Unmarshal(r.Body, &rot)
	if r.Status != 201 || rot.SigningKeyID == oldKey {
		t.Fatalf("rotate: %d %s", r.Status, r.Body)
	}
	_ = json.Unmarshal(admin.Get("/api/v1/webhooks/subscriptions").Body, &setup)
	if setup.Subscriptions[0].SigningKeyID != rot.SigningKeyID {
		t.Fatalf("the subscription still uses %s", setup.Subscriptions[0].SigningKeyID)
	}
	// A delivery signed with the previous key, sent before the switch
	// reached Klarna, still verifies during the grace period...
	oldSecret := storedSecret(t, a, oldKey)
	late := event(klarna.EventSettlementReportCreated, uuid.NewString(), "", time.Now(), map[string]any{})
	if st, body := deliver(t, a, oldKey, oldSecret, late); st != 200 {
		t.Fatalf("old key within the grace period: %d %s", st, body)
	}
	// ...and is refused after it.
	skew.Store(int64(cfg.WebhookKeyGrace + time.Second))
	if st, _ := deliver(t, a, oldKey, oldSecret, event(klarna.EventSettlementReportCreated, uuid.NewString(), "", time.Now(), map[string]any{})); st != 400 {
		t.Fatalf("old key after the grace period: %d", st)
	}
	// Deliveries under the new key keep flowing.
	ids, _ = sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: onboard.PartnerAccountID})
	waitDispute(t, a, aurora.ID, ids[0])
	if r := admin.Get("/api/v1/audit?action=webhook:"); !containsAll(string(r.Body), "webhook:subscribe", "webhook:rotate_key", "webhook:simulate") {
		t.Fatalf("subscription changes are not audited: %s", r.Body)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func waitDispute(t *testing.T, a *apptest.App, tenant uuid.UUID, id string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := a.DB.Disputes().Get(context.Background(), scope.Tenants(tenant), id); err == nil {
			return
		}
		if time.Now().After(deadline) {
			evs, _, _ := a.Webhooks.List(context.Background(), scope.All(), webhook.Filter{}, webhook.Page{Limit: 20})
			t.Fatalf("dispute %s never arrived through webhooks; events: %+v", id, evs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// storedSecret opens a signing key's secret as stored (encrypted) in the database.
func storedSecret(t *testing.T, a *apptest.App, id string) string {
	t.Helper()
	keys, err := a.DB.Webhooks().SealedKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	box, _ := secretbox.New(a.EncryptionKey)
	for _, k := range keys {
		if k.ID == id {
			b, err := box.Open(k.Sealed, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("key %s not stored", id)
	return ""
}
