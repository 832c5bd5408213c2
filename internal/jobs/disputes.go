package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// RereadDisputeArgs re-reads one dispute from Klarna after a webhook, as
// Klarna advises before anyone acts on it.
type RereadDisputeArgs struct {
	DisputeID string `json:"dispute_id"`
}

// Kind implements river.JobArgs.
func (RereadDisputeArgs) Kind() string { return "dispute.reread" }

// DisputeQueue runs the reads of disputes from Klarna with few workers, so a
// burst of dispute webhooks never holds the default queue's workers (webhook
// processing itself) nor floods Klarna.
const DisputeQueue = "dispute_reads"

// InsertOpts implements river.JobArgsWithInsertOpts: every event gets its
// own read (River's uniqueness would absorb one arriving while a read runs).
func (RereadDisputeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: DisputeQueue, MaxAttempts: 10}
}

// SyncDisputesArgs is the periodic read of Klarna's dispute list.
type SyncDisputesArgs struct{}

// Kind implements river.JobArgs.
func (SyncDisputesArgs) Kind() string { return "dispute.sync" }

// InsertOpts makes several instances insert one job per period.
func (SyncDisputesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: DisputeQueue, UniqueOpts: river.UniqueOpts{ByPeriod: time.Second}}
}

// EnqueueDisputeReread queues a re-read in the transaction ctx carries.
func (e *Enqueuer) EnqueueDisputeReread(ctx context.Context, id string) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, RereadDisputeArgs{DisputeID: id}, nil)
		return err
	})
}

// DisputeMirror is the dispute service's entry points for jobs.
type DisputeMirror interface {
	Reread(ctx context.Context, id string) error
	Sync(ctx context.Context) (read, unknown int, err error)
}

// RegisterDisputes registers the re-read and the periodic sync, run every
// syncEvery (0: no periodic sync).
func RegisterDisputes(k *Kinds, svc DisputeMirror, syncEvery time.Duration) {
	k.Queue(DisputeQueue, 2)
	Add(k, &rereadDisputeWorker{svc: svc})
	Add(k, &syncDisputesWorker{svc: svc})
	if syncEvery > 0 {
		Every(k, syncEvery, func() SyncDisputesArgs { return SyncDisputesArgs{} })
	}
}

type rereadDisputeWorker struct {
	river.WorkerDefaults[RereadDisputeArgs]
	svc DisputeMirror
}

func (w *rereadDisputeWorker) Work(ctx context.Context, job *river.Job[RereadDisputeArgs]) error {
	return w.svc.Reread(ctx, job.Args.DisputeID)
}

type syncDisputesWorker struct {
	river.WorkerDefaults[SyncDisputesArgs]
	svc DisputeMirror
}

func (w *syncDisputesWorker) Work(ctx context.Context, job *river.Job[SyncDisputesArgs]) error {
	_, _, err := w.svc.Sync(ctx)
	return err
}
