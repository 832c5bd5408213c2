package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// SyncAccountArgs reads one partner account from Klarna into the directory.
type SyncAccountArgs struct {
	AccountID string `json:"klarna_account_id"`
}

// Kind implements river.JobArgs.
func (SyncAccountArgs) Kind() string { return "partner.sync" }

// InsertOpts implements river.JobArgsWithInsertOpts: one waiting read per
// account (a running one does not count, so a change during a read is read
// again).
func (SyncAccountArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// ResyncDueArgs is the periodic job that queues reads of the accounts whose
// webhook is overdue or whose data is old.
type ResyncDueArgs struct{}

// Kind implements river.JobArgs.
func (ResyncDueArgs) Kind() string { return "partner.resync_due" }

// InsertOpts makes several instances insert one job per period.
func (ResyncDueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Second}}
}

// AccountSyncer is the directory's sync entry points.
type AccountSyncer interface {
	Sync(ctx context.Context, accountID string) error
	QueueDue(ctx context.Context) (int, error)
}

// RegisterPartnerSync registers the account read and the periodic sweep,
// run every sweepEvery.
func RegisterPartnerSync(k *Kinds, svc AccountSyncer, sweepEvery time.Duration) {
	Add(k, &syncWorker{svc: svc})
	Add(k, &resyncDueWorker{svc: svc})
	Every(k, sweepEvery, func() ResyncDueArgs { return ResyncDueArgs{} })
}

type syncWorker struct {
	river.WorkerDefaults[SyncAccountArgs]
	svc AccountSyncer
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncAccountArgs]) error {
	return w.svc.Sync(ctx, job.Args.AccountID)
}

type resyncDueWorker struct {
	river.WorkerDefaults[ResyncDueArgs]
	svc AccountSyncer
}

func (w *resyncDueWorker) Work(ctx context.Context, _ *river.Job[ResyncDueArgs]) error {
	_, err := w.svc.QueueDue(ctx)
	return err
}

// EnqueueSync queues a read of an account in the transaction of ctx; false
// when one was already waiting.
func (e *Enqueuer) EnqueueSync(ctx context.Context, accountID string) (bool, error) {
	queued := false
	err := e.inTx(ctx, func(tx pgx.Tx) error {
		res, err := e.client.InsertTx(ctx, tx, SyncAccountArgs{AccountID: accountID}, nil)
		if err != nil {
			return err
		}
		queued = !res.UniqueSkippedAsDuplicate
		return nil
	})
	return queued, err
}
