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
	Workers    int
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Kinds are the job kinds to run: their workers and schedules.
	Kinds *Kinds
	// RescueAfter is when a running job counts as abandoned (its worker died).
	RescueAfter time.Duration
	// Retry overrides River's retry schedule (tests use a fast one).
	Retry river.ClientRetryPolicy
}

// New builds a River client with the application's workers and periodic jobs.
// It is started by Start and stopped (draining jobs in flight) by Stop.
func New(pool *pgxpool.Pool, opts Options) (*Client, error) {
	workers, err := opts.Kinds.workers()
	if err != nil {
		return nil, err
	}
	// River rescues a job still running after RescueAfter, so a job must not
	// be allowed to run longer than that (River refuses the configuration
	// otherwise): shorten River's default job timeout to RescueAfter.
	jobTimeout := river.JobTimeoutDefault
	if opts.RescueAfter > 0 && opts.RescueAfter < jobTimeout {
		jobTimeout = opts.RescueAfter
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}}
	if opts.Kinds != nil {
		for name, n := range opts.Kinds.queues {
			queues[name] = river.QueueConfig{MaxWorkers: n}
		}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:     opts.Logger,
		JobTimeout: jobTimeout,
		// Fetch more often than River's 100 ms default: webhook jobs are
		// short, and the cooldown caps throughput at workers/cooldown.
		FetchCooldown:        10 * time.Millisecond,
		Queues:               queues,
		Workers:              workers,
		RescueStuckJobsAfter: opts.RescueAfter,
		RetryPolicy:          opts.Retry,
		PeriodicJobs:         opts.Kinds.schedules(),
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

// RegisterHeartbeat registers the heartbeat job, scheduled every interval
// and recorded in store under this host's name.
func RegisterHeartbeat(k *Kinds, store Heartbeats, every time.Duration) {
	host, _ := os.Hostname()
	Add(k, &heartbeatWorker{store: store, host: host})
	Every(k, every, func() HeartbeatArgs { return HeartbeatArgs{} })
}

type heartbeatWorker struct {
	river.WorkerDefaults[HeartbeatArgs]
	store Heartbeats
	host  string
}

func (w *heartbeatWorker) Work(ctx context.Context, job *river.Job[HeartbeatArgs]) error {
	return w.store.RecordHeartbeat(ctx, job.Kind, w.host)
}
