package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// PurgeKlarnaCallsArgs deletes the Klarna call log's calls older than its
// retention period.
type PurgeKlarnaCallsArgs struct{}

// Kind implements river.JobArgs.
func (PurgeKlarnaCallsArgs) Kind() string { return "klarnalog.purge" }

// InsertOpts implements river.JobArgsWithInsertOpts: one purge per period
// across instances.
func (PurgeKlarnaCallsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 10 * time.Minute}}
}

// KlarnaCallPurger deletes the calls older than the retention period.
type KlarnaCallPurger interface {
	Purge(ctx context.Context) (int, error)
}

// RegisterKlarnaCallRetention registers the call log's retention job, run
// every interval (and when the queue starts).
func RegisterKlarnaCallRetention(k *Kinds, p KlarnaCallPurger, every time.Duration) {
	Add(k, &purgeKlarnaCallsWorker{p: p})
	Every(k, every, func() PurgeKlarnaCallsArgs { return PurgeKlarnaCallsArgs{} })
}

type purgeKlarnaCallsWorker struct {
	river.WorkerDefaults[PurgeKlarnaCallsArgs]
	p KlarnaCallPurger
}

func (w *purgeKlarnaCallsWorker) Work(ctx context.Context, _ *river.Job[PurgeKlarnaCallsArgs]) error {
	_, err := w.p.Purge(ctx)
	return err
}

// Timeout implements river.Worker: a purge of a large backlog deletes in
// batches and may take longer than the default minute.
func (w *purgeKlarnaCallsWorker) Timeout(*river.Job[PurgeKlarnaCallsArgs]) time.Duration {
	return 10 * time.Minute
}
