package jobs

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// DisputeActionArgs sends one answer to a dispute (represent, appeal,
// accept loss) to Klarna; River retries it on 429, 5xx and timeouts, with
// the action's fixed idempotency key.
type DisputeActionArgs struct {
	ActionID uuid.UUID `json:"action_id"`
}

// Kind implements river.JobArgs.
func (DisputeActionArgs) Kind() string { return "dispute.action" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DisputeActionArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 12} }

// EnqueueDisputeAction queues an action in the transaction that records it.
func (e *Enqueuer) EnqueueDisputeAction(ctx context.Context, id uuid.UUID) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, DisputeActionArgs{ActionID: id}, nil)
		return err
	})
}

// DisputeActionApplier is the dispute responder's entry point.
type DisputeActionApplier interface {
	Apply(ctx context.Context, id uuid.UUID) error
}

// RegisterDisputeActions registers the action worker.
func RegisterDisputeActions(k *Kinds, svc DisputeActionApplier) {
	Add(k, &disputeActionWorker{svc: svc})
}

type disputeActionWorker struct {
	river.WorkerDefaults[DisputeActionArgs]
	svc DisputeActionApplier
}

func (w *disputeActionWorker) Work(ctx context.Context, job *river.Job[DisputeActionArgs]) error {
	return w.svc.Apply(ctx, job.Args.ActionID)
}
