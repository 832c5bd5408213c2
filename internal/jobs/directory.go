package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// SyncAccountArgs reads one partner account from Klarna into the directory.
// Due marks the reads the periodic job queues: one of those per account at
// a time. A read caused by a change (webhook, link, refresh) is always
// queued, so a change during a running read is read again.
type SyncAccountArgs struct {
	AccountID string `json:"klarna_account_id"`
	Due       bool   `json:"due,omitempty"`
	// AccountOnly reads the account itself, not its resources.
	AccountOnly bool `json:"account_only,omitempty"`
}

// Kind implements river.JobArgs.
func (SyncAccountArgs) Kind() string { return "partner.sync" }

// SyncQueue runs the reads of accounts from Klarna with few workers, so a
// sweep of many accounts neither holds the default queue's workers (webhook
// processing) nor floods Klarna.
const SyncQueue = "partner_sync"

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SyncAccountArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: SyncQueue, MaxAttempts: 8}
}

// dueUnique keeps one periodic read per account among live jobs.
var dueUnique = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}}

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
	SyncAccountOnly(ctx context.Context, accountID string) error
	QueueDue(ctx context.Context) (int, error)
}

// RegisterPartnerSync registers the account read and the periodic sweep,
// run every sweepEvery.
func RegisterPartnerSync(k *Kinds, svc AccountSyncer, sweepEvery time.Duration) {
	k.Queue(SyncQueue, 2)
	Add(k, &syncWorker{svc: svc})
	Add(k, &resyncDueWorker{svc: svc})
	Every(k, sweepEvery, func() ResyncDueArgs { return ResyncDueArgs{} })
}

type syncWorker struct {
	river.WorkerDefaults[SyncAccountArgs]
	svc AccountSyncer
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncAccountArgs]) error {
	if job.Args.AccountOnly {
		return w.svc.SyncAccountOnly(ctx, job.Args.AccountID)
	}
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

// EnqueueSync queues a read of an account (accountOnly: of the account
// without its resources) in the transaction of ctx. A due
// read (the periodic job's) is not queued when one is waiting or running
// (queued false).
func (e *Enqueuer) EnqueueSync(ctx context.Context, accountID string, due, accountOnly bool) (bool, error) {
	queued := false
	err := e.inTx(ctx, func(tx pgx.Tx) error {
		opts := &river.InsertOpts{Queue: SyncQueue, MaxAttempts: 8}
		if due {
			opts.UniqueOpts = dueUnique
		}
		res, err := e.client.InsertTx(ctx, tx, SyncAccountArgs{AccountID: accountID, Due: due, AccountOnly: accountOnly}, opts)
		if err != nil {
			return err
		}
		queued = !res.UniqueSkippedAsDuplicate
		return nil
	})
	return queued, err
}
