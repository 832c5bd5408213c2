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

// OnboardingQueue runs the onboard calls, apart from the default queue: they
// wait on Klarna's Account Onboarding rate limit.
const OnboardingQueue = "onboarding"

// OnboardDraftArgs submits one onboarding draft to Klarna.
type OnboardDraftArgs struct {
	DraftID uuid.UUID `json:"draft_id"`
	// Submission tells the submissions of one draft apart (its submitted_at
	// in microseconds): a draft submitted again after Klarna refused it gets
	// a job of its own even while River still finishes the previous one.
	Submission int64 `json:"submission,omitempty"`
}

// Kind implements river.JobArgs.
func (OnboardDraftArgs) Kind() string { return "partner.onboard" }

// InsertOpts implements river.JobArgsWithInsertOpts: its own queue, and one
// live job per draft.
func (OnboardDraftArgs) InsertOpts() river.InsertOpts {
	// Unique among live jobs only, per submission: a draft fixed after
	// Klarna refused it is submitted again with a new job.
	return river.InsertOpts{Queue: OnboardingQueue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// EnqueueOnboard queues the submission of a draft in the transaction that
// marks it submitted.
func (e *Enqueuer) EnqueueOnboard(ctx context.Context, draftID uuid.UUID, submission int64) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, OnboardDraftArgs{DraftID: draftID, Submission: submission}, nil)
		return err
	})
}

// OnboardingRunner is the onboarding service's submission entry point.
type OnboardingRunner interface {
	// Run makes the onboard call of a draft; a *partner.RetryLater-like
	// error (RetryAfter) asks for another run later.
	Run(ctx context.Context, draftID uuid.UUID) error
}

// retryAfterError is an error that names when to run again.
type retryAfterError interface {
	error
	RetryIn() time.Duration
}

// RegisterOnboarding registers the onboard worker on its own queue with
// workers workers.
func RegisterOnboarding(k *Kinds, svc OnboardingRunner, workers int) {
	k.Queue(OnboardingQueue, max(workers, 1))
	Add(k, &onboardWorker{svc: svc})
}

type onboardWorker struct {
	river.WorkerDefaults[OnboardDraftArgs]
	svc OnboardingRunner
}

// Work runs the submission; a retry Klarna asked for (429 with
// Retry-After, 5xx, timeout) snoozes the job, which does not use up River's
// attempts: the service counts the calls and gives up itself.
func (w *onboardWorker) Work(ctx context.Context, job *river.Job[OnboardDraftArgs]) error {
	err := w.svc.Run(ctx, job.Args.DraftID)
	var ra retryAfterError
	if errors.As(err, &ra) {
		return river.JobSnooze(ra.RetryIn())
	}
	return err
}
