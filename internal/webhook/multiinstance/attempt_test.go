//go:build linux

package multiinstance

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// crashAfterCommit is the webhook store of a process that dies at the first
// attempt record it writes: that write and everything after it never
// happen.
type crashAfterCommit struct {
	*postgres.WebhookStore
	crashed bool
}

var errCrash = errors.New("the process died here")

func (s *crashAfterCommit) AddAttempt(ctx context.Context, a webhook.Attempt) error {
	if !s.crashed {
		s.crashed = true
		return errCrash
	}
	return s.WebhookStore.AddAttempt(ctx, a)
}

// An event is never left processed without the attempt that processed it:
// the outcome and its attempt record commit together, so a process dying
// between them leaves the event to be processed again.
func TestProcessedEventAlwaysHasItsAttempt(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	store := &crashAfterCommit{WebhookStore: db.Webhooks()}
	svc, err := webhook.New(ctx, webhook.Options{Store: store, Registry: &webhook.Registry{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	raw := envelope(id, "settlement.report.created", "", nil, map[string]any{"payment_reference": "pay-1"})
	var pk int64
	if err := db.InTx(ctx, func(ctx context.Context) error {
		pk, _, err = db.Webhooks().Ingest(ctx, webhook.Event{EventID: id, EventType: "settlement.report.created", ReceivedAt: time.Now(), SigningKeyID: signingKeyID, Raw: raw, Status: webhook.StatusReceived}, raw)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	_ = svc.Process(ctx, pk, 1, 5) // dies at the attempt record
	ev, attempts, err := svc.Get(ctx, scope.All(), pk)
	if err != nil {
		t.Fatal(err)
	}
	processed := 0
	for _, a := range attempts {
		if a.Outcome == webhook.StatusProcessed {
			processed++
		}
	}
	if ev.Status == webhook.StatusProcessed && processed == 0 {
		t.Fatalf("event is processed but has no processed attempt (attempts: %+v)", attempts)
	}

	if err := svc.Process(ctx, pk, 2, 5); err != nil { // the job runs again
		t.Fatal(err)
	}
	ev, attempts, err = svc.Get(ctx, scope.All(), pk)
	if err != nil {
		t.Fatal(err)
	}
	processed = 0
	for _, a := range attempts {
		if a.Outcome == webhook.StatusProcessed {
			processed++
		}
	}
	if ev.Status != webhook.StatusProcessed || processed != 1 {
		t.Fatalf("after the rerun: status %s with %d processed attempts, want processed with exactly 1", ev.Status, processed)
	}
}
