package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

func TestSubscriptionsRoundTrip(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	in := webhook.Subscription{ID: "krn:w:1", URL: "https://desk.example/webhooks/klarna", EventTypes: []string{"payment.dispute.*", "partner.account.*"}, EventVersion: "v1", SigningKeyID: "krn:k:1", Status: "ENABLED"}
	if err := db.Webhooks().SaveSubscription(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, err := db.Webhooks().Subscriptions(ctx)
	if err != nil || len(out) != 1 || !slices.Equal(out[0].EventTypes, in.EventTypes) || out[0].SigningKeyID != "krn:k:1" || out[0].CreatedAt.IsZero() {
		t.Fatalf("got %+v (%v)", out, err)
	}
}

// The quarantine keeps exactly the newest `keep` rejected deliveries: it is
// trimmed on every insert.
func TestQuarantineIsBounded(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	for range 250 {
		if err := db.Webhooks().Quarantine(ctx, webhook.Quarantined{ReceivedAt: time.Now(), Reason: webhook.RejectBadSignature, Body: []byte("{}"), BodySize: 2}, 50); err != nil {
			t.Fatal(err)
		}
	}
	c, err := db.Webhooks().Counts(ctx, scope.All())
	if err != nil {
		t.Fatal(err)
	}
	if c.Quarantined != 50 {
		t.Fatalf("quarantine holds %d rows after 250 inserts with keep=50, want 50", c.Quarantined)
	}
}
