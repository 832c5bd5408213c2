package jobs

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// OffboardArgs runs (or resumes) the guided offboarding of one partner.
type OffboardArgs struct {
	OffboardingID uuid.UUID `json:"offboarding_id"`
	// Run tells a resumed run's job from the one that stopped at a failed
	// step, so a resume gets a job of its own.
	Run int `json:"run"`
}

// Kind implements river.JobArgs.
func (OffboardArgs) Kind() string { return "partner.offboard" }

// InsertOpts implements river.JobArgsWithInsertOpts: one live job per run.
func (OffboardArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// EnqueueOffboarding queues a run of an offboarding in the transaction that
// starts or resumes it.
func (e *Enqueuer) EnqueueOffboarding(ctx context.Context, id uuid.UUID, run int) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, OffboardArgs{OffboardingID: id, Run: run}, nil)
		return err
	})
}

// OffboardingRunner is the offboarding service's entry point.
type OffboardingRunner interface {
	// Run carries the offboarding forward; an error with RetryIn asks to
	// look again later (while Klarna applies a change).
	Run(ctx context.Context, id uuid.UUID) error
}

// RegisterOffboarding registers the offboarding worker.
func RegisterOffboarding(k *Kinds, svc OffboardingRunner) {
	Add(k, &offboardWorker{svc: svc})
}

type offboardWorker struct {
	river.WorkerDefaults[OffboardArgs]
	svc OffboardingRunner
}

// Work runs the offboarding's steps; waiting on Klarna snoozes the job.
func (w *offboardWorker) Work(ctx context.Context, job *river.Job[OffboardArgs]) error {
	err := w.svc.Run(ctx, job.Args.OffboardingID)
	var ra retryAfterError
	if errors.As(err, &ra) {
		return river.JobSnooze(ra.RetryIn())
	}
	return err
}
