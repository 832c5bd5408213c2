package jobs

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// BulkFeedArgs feeds a running bulk onboarding run's rows to onboarding, a
// window at a time; it snoozes between rounds until the run is finished.
type BulkFeedArgs struct {
	RunID uuid.UUID `json:"run_id"`
}

// Kind implements river.JobArgs.
func (BulkFeedArgs) Kind() string { return "partner.bulk_feed" }

// InsertOpts implements river.JobArgsWithInsertOpts: one live job per run.
func (BulkFeedArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// EnqueueBulkFeed queues the feeding of a run in the transaction that
// starts it.
func (e *Enqueuer) EnqueueBulkFeed(ctx context.Context, runID uuid.UUID) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, BulkFeedArgs{RunID: runID}, nil)
		return err
	})
}

// BulkFeeder is the bulk service's feeding round: done, or run again after
// the returned pause.
type BulkFeeder interface {
	FeedRound(ctx context.Context, runID uuid.UUID) (done bool, again time.Duration, err error)
}

// RegisterBulkFeed registers the feeding worker.
func RegisterBulkFeed(k *Kinds, svc BulkFeeder) {
	Add(k, &bulkFeedWorker{svc: svc})
}

type bulkFeedWorker struct {
	river.WorkerDefaults[BulkFeedArgs]
	svc BulkFeeder
}

// Work runs one round and snoozes until the next, so a stop or a restart
// finds the job waiting and the run resumes where its rows say.
func (w *bulkFeedWorker) Work(ctx context.Context, job *river.Job[BulkFeedArgs]) error {
	done, again, err := w.svc.FeedRound(ctx, job.Args.RunID)
	if err != nil || done {
		return err
	}
	return river.JobSnooze(again)
}
