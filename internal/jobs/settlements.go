package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// IngestSettlementArgs reads one payout and its lines from Klarna and
// stores them (after a settlement.report.created webhook).
type IngestSettlementArgs struct {
	settlement.IngestRequest
}

// Kind implements river.JobArgs.
func (IngestSettlementArgs) Kind() string { return "settlement.ingest" }

// SettlementQueue runs the reads of settlements from Klarna with few
// workers: a payout can have thousands of lines (pages of 500), and a burst
// of reports must hold neither the default queue nor Klarna's rate limit.
const SettlementQueue = "settlement_reads"

// InsertOpts implements river.JobArgsWithInsertOpts.
func (IngestSettlementArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: SettlementQueue, MaxAttempts: 10}
}

// SyncSettlementsArgs is the periodic read of every partner's payouts by
// date window.
type SyncSettlementsArgs struct{}

// Kind implements river.JobArgs.
func (SyncSettlementsArgs) Kind() string { return "settlement.sync" }

// InsertOpts makes several instances insert one job per period.
func (SyncSettlementsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: SettlementQueue, UniqueOpts: river.UniqueOpts{ByPeriod: time.Second}}
}

// EnqueueSettlementIngest queues an ingest in the transaction ctx carries.
func (e *Enqueuer) EnqueueSettlementIngest(ctx context.Context, r settlement.IngestRequest) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, IngestSettlementArgs{IngestRequest: r}, nil)
		return err
	})
}

// EnqueueSettlementSync queues a sync of every account's payouts in the
// transaction ctx carries (one per second at most).
func (e *Enqueuer) EnqueueSettlementSync(ctx context.Context) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, SyncSettlementsArgs{}, nil)
		return err
	})
}

// SettlementIngest is the settlement ingest's entry points for jobs.
type SettlementIngest interface {
	Ingest(ctx context.Context, r settlement.IngestRequest) error
	Sync(ctx context.Context) (int, error)
}

// RegisterSettlements registers the ingest and the periodic sync, run every
// syncEvery (0: no periodic sync).
func RegisterSettlements(k *Kinds, svc SettlementIngest, syncEvery time.Duration) {
	k.Queue(SettlementQueue, 2)
	Add(k, &ingestSettlementWorker{svc: svc})
	Add(k, &syncSettlementsWorker{svc: svc})
	if syncEvery > 0 {
		Every(k, syncEvery, func() SyncSettlementsArgs { return SyncSettlementsArgs{} })
	}
}

type ingestSettlementWorker struct {
	river.WorkerDefaults[IngestSettlementArgs]
	svc SettlementIngest
}

func (w *ingestSettlementWorker) Work(ctx context.Context, job *river.Job[IngestSettlementArgs]) error {
	return w.svc.Ingest(ctx, job.Args.IngestRequest)
}

type syncSettlementsWorker struct {
	river.WorkerDefaults[SyncSettlementsArgs]
	svc SettlementIngest
}

func (w *syncSettlementsWorker) Work(ctx context.Context, job *river.Job[SyncSettlementsArgs]) error {
	_, err := w.svc.Sync(ctx)
	return err
}
