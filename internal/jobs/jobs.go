// Package jobs runs background work on River, the PostgreSQL-backed queue:
// workers and periodic jobs that call domain services (never the database
// directly), and the queue's Prometheus figures.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// Client is the River client type used across the application.
type Client = river.Client[pgx.Tx]

// Heartbeats records that the heartbeat job ran.
type Heartbeats interface {
	RecordHeartbeat(ctx context.Context, name, host string) error
}

// Options configure the queue.
type Options struct {
	Workers        int
	HeartbeatEvery time.Duration
	Heartbeats     Heartbeats
	Logger         *slog.Logger
	Registerer     prometheus.Registerer
	// Webhooks processes stored webhook events.
	Webhooks WebhookProcessor
	// RescueAfter is when a running job counts as abandoned (its worker died).
	RescueAfter time.Duration
	// Retry overrides River's retry schedule (tests use a fast one).
	Retry river.ClientRetryPolicy
}

// New builds a River client with the application's workers and periodic jobs.
// It is started by Start and stopped (draining jobs in flight) by Stop.
func New(pool *pgxpool.Pool, opts Options) (*Client, error) {
	workers := river.NewWorkers()
	host, _ := os.Hostname()
	if err := river.AddWorkerSafely(workers, &heartbeatWorker{store: opts.Heartbeats, host: host}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if opts.Webhooks != nil {
		if err := river.AddWorkerSafely(workers, &webhookWorker{svc: opts.Webhooks}); err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:               opts.Logger,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}},
		Workers:              workers,
		RescueStuckJobsAfter: opts.RescueAfter,
		RetryPolicy:          opts.Retry,
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(opts.HeartbeatEvery),
				func() (river.JobArgs, *river.InsertOpts) { return HeartbeatArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: client: %w", err)
	}
	if opts.Registerer != nil {
		if err := registerMetrics(opts.Registerer, client, pool); err != nil {
			return nil, err
		}
	}
	return client, nil
}

// HeartbeatArgs is the periodic job that proves the queue works end to end:
// it is scheduled by the leader, fetched by a worker and recorded in the
// database.
type HeartbeatArgs struct{}

// Kind implements river.JobArgs.
func (HeartbeatArgs) Kind() string { return "heartbeat" }

// InsertOpts makes concurrent schedulers on several instances insert one job.
func (HeartbeatArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Second}}
}

type heartbeatWorker struct {
	river.WorkerDefaults[HeartbeatArgs]
	store Heartbeats
	host  string
}

func (w *heartbeatWorker) Work(ctx context.Context, job *river.Job[HeartbeatArgs]) error {
	return w.store.RecordHeartbeat(ctx, job.Kind, w.host)
}
