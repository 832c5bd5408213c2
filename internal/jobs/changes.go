package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// ChangesQueue runs the calls that push partner changes to Klarna, apart
// from the default queue: they wait on Klarna's pace of one call per
// account per second.
const ChangesQueue = "partner_changes"

// ApplyChangeArgs applies one change of a partner's account at Klarna.
type ApplyChangeArgs struct {
	ChangeID uuid.UUID `json:"change_id"`
	// Round tells apart the jobs of one change queued again after it
	// failed (a retry), so River does not take it for a duplicate.
	Round int64 `json:"round,omitempty"`
}

// Kind implements river.JobArgs.
func (ApplyChangeArgs) Kind() string { return "partner.change" }

// InsertOpts implements river.JobArgsWithInsertOpts: its own queue, one
// live job per change and round.
func (ApplyChangeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: ChangesQueue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// EnqueueChange queues a change in the transaction that stores it.
func (e *Enqueuer) EnqueueChange(ctx context.Context, id uuid.UUID, at time.Time) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, ApplyChangeArgs{ChangeID: id, Round: at.UnixMicro()}, nil)
		return err
	})
}

// ChangeApplier is the change service's entry point.
type ChangeApplier interface {
	// Apply makes the change's call; an error with RetryIn asks for
	// another run later.
	Apply(ctx context.Context, id uuid.UUID) error
}

// RegisterChanges registers the change worker on its own queue.
func RegisterChanges(k *Kinds, svc ChangeApplier, workers int) {
	k.Queue(ChangesQueue, max(workers, 1))
	Add(k, &changeWorker{svc: svc})
}

type changeWorker struct {
	river.WorkerDefaults[ApplyChangeArgs]
	svc ChangeApplier
}

// Work applies the change; waiting for an older change, the pace or
// Klarna snoozes the job, which uses up none of River's attempts: the
// service counts Klarna's calls itself.
func (w *changeWorker) Work(ctx context.Context, job *river.Job[ApplyChangeArgs]) error {
	err := w.svc.Apply(ctx, job.Args.ChangeID)
	var ra retryAfterError
	if errors.As(err, &ra) {
		return river.JobSnooze(ra.RetryIn())
	}
	return err
}
