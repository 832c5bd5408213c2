package app

import (
	"context"

	"github.com/partnerdesk/partnerdesk/internal/jobs"
	"github.com/partnerdesk/partnerdesk/internal/notify"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// newSettlementIngest wires the settlement ingest: a settlement webhook
// queues a River job in the webhook's transaction, the job reads the payout
// and its lines from Klarna and stores them in one transaction.
func newSettlementIngest(db *postgres.DB, k settlement.Fetcher, jc *jobs.Client, announce notify.Announcer) *settlement.Ingester {
	enq := jobs.NewEnqueuer(jc, postgres.PgxTx, 0)
	return settlement.NewIngester(settlement.IngestOptions{
		Store:       db.SettlementIngest(),
		Klarna:      k,
		Enqueue:     enq.EnqueueSettlementIngest,
		EnqueueSync: enq.EnqueueSettlementSync,
		Announce:    announce,
	})
}

// lateSettlements lets the job kinds, registered before the ingest exists,
// reach it.
type lateSettlements struct{ svc *settlement.Ingester }

func (l *lateSettlements) Ingest(ctx context.Context, r settlement.IngestRequest) error {
	return l.svc.Ingest(ctx, r)
}
func (l *lateSettlements) Sync(ctx context.Context) (int, error) { return l.svc.Sync(ctx) }
