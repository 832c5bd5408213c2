package httpapi_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// The event detail names what the envelope concerns (the webhook service
// reads it; the handler parses no Klarna envelope) and the event's tenant.
func TestWebhookEventDetailRelatedObjects(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	var body map[string]any
	if err := json.Unmarshal(event("payment.dispute.state-change.initiated", "evt-detail-1", acctA, time.Now(), disputePayload("dsp-77", "INITIATED", time.Now())), &body); err != nil {
		t.Fatal(err)
	}
	body["metadata"].(map[string]any)["correlation_id"] = "corr-42"
	raw, _ := json.Marshal(body)
	if code, out := deliver(t, a, testKeyID, testSecret, raw); code != 200 {
		t.Fatalf("delivery: %d %s", code, out)
	}
	ev := waitStatus(t, a, "evt-detail-1", webhook.StatusProcessed)
	r := a.Login("acquirer-admin").Get(fmt.Sprintf("/api/v1/webhooks/events/%d", ev.PK))
	if r.Status != 200 {
		t.Fatalf("detail: %d %s", r.Status, r.Body)
	}
	var d struct {
		TenantName string            `json:"tenant_name"`
		Related    map[string]string `json:"related"`
	}
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatal(err)
	}
	if d.Related["dispute_id"] != "dsp-77" || d.Related["correlation_id"] != "corr-42" || d.Related["tenant_name"] != "Aurora Outfitters" || d.TenantName != "Aurora Outfitters" {
		t.Fatalf("detail: %s", r.Body)
	}
}
