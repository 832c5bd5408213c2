package jobs

import (
	"context"

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
}

// Kind implements river.JobArgs.
func (OnboardDraftArgs) Kind() string { return "partner.onboard" }

// InsertOpts implements river.JobArgsWithInsertOpts: its own queue, and one
// live job per draft.
func (OnboardDraftArgs) InsertOpts() river.InsertOpts {
	// Unique among live jobs only: a draft fixed after Klarna refused it is
	// submitted again with a new job.
	return river.InsertOpts{Queue: OnboardingQueue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// EnqueueOnboard queues the submission of a draft in the transaction that
// marks it submitted.
func (e *Enqueuer) EnqueueOnboard(ctx context.Context, draftID uuid.UUID) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, OnboardDraftArgs{DraftID: draftID}, nil)
		return err
	})
}
