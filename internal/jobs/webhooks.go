package jobs

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// ProcessWebhookArgs processes one stored webhook event.
type ProcessWebhookArgs struct {
	EventPK int64 `json:"event_pk"`
}

// Kind implements river.JobArgs.
func (ProcessWebhookArgs) Kind() string { return "webhook.process" }

// WebhookProcessor is the webhook service's processing entry point.
type WebhookProcessor interface {
	Process(ctx context.Context, pk int64, attempt, maxAttempts int) error
}

// RegisterWebhookProcessing registers the worker that processes stored
// webhook events with svc.
func RegisterWebhookProcessing(k *Kinds, svc WebhookProcessor) {
	Add(k, &webhookWorker{svc: svc})
}

type webhookWorker struct {
	river.WorkerDefaults[ProcessWebhookArgs]
	svc WebhookProcessor
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[ProcessWebhookArgs]) error {
	return w.svc.Process(ctx, job.Args.EventPK, job.Attempt, job.MaxAttempts)
}

// TxRunner runs fn on the transaction bound to ctx (postgres.PgxTx).
type TxRunner func(ctx context.Context, fn func(tx pgx.Tx) error) error

// Enqueuer inserts jobs inside the transaction of the change that causes
// them, so a job exists exactly when that change committed.
type Enqueuer struct {
	client      *Client
	inTx        TxRunner
	maxAttempts int
}

// NewEnqueuer returns an enqueuer on the application's River client.
func NewEnqueuer(client *Client, inTx TxRunner, maxAttempts int) *Enqueuer {
	return &Enqueuer{client: client, inTx: inTx, maxAttempts: maxAttempts}
}

// EnqueueProcess queues the processing of a stored webhook event.
func (e *Enqueuer) EnqueueProcess(ctx context.Context, pk int64) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, ProcessWebhookArgs{EventPK: pk}, &river.InsertOpts{MaxAttempts: e.maxAttempts})
		return err
	})
}

// EnqueueProcessMany queues the processing of many stored events with one
// batch insert.
func (e *Enqueuer) EnqueueProcessMany(ctx context.Context, pks []int64) error {
	params := make([]river.InsertManyParams, len(pks))
	for i, pk := range pks {
		params[i] = river.InsertManyParams{Args: ProcessWebhookArgs{EventPK: pk}, InsertOpts: &river.InsertOpts{MaxAttempts: e.maxAttempts}}
	}
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertManyTx(ctx, tx, params)
		return err
	})
}
