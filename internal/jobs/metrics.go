package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
)

// registerMetrics exposes job outcomes (from River's event stream) and the
// queue depth by state (queried at scrape time).
func registerMetrics(reg prometheus.Registerer, client *Client, pool *pgxpool.Pool) error {
	done := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnerdesk_jobs_finished_total",
		Help: "Jobs that finished an attempt, by kind and outcome.",
	}, []string{"kind", "outcome"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "partnerdesk_job_duration_seconds",
		Help:    "Run time of job attempts, by kind.",
		Buckets: prometheus.DefBuckets,
	}, []string{"kind"})
	depth := &queueDepth{pool: pool, desc: prometheus.NewDesc("partnerdesk_jobs_queued",
		"Jobs in the queue table, by state.", []string{"state"}, nil)}
	for _, c := range []prometheus.Collector{done, dur, depth} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("jobs: metrics: %w", err)
		}
	}
	events, _ := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled, river.EventKindJobSnoozed)
	go func() {
		for ev := range events {
			done.WithLabelValues(ev.Job.Kind, string(ev.Kind)).Inc()
			if ev.JobStats != nil {
				dur.WithLabelValues(ev.Job.Kind).Observe(ev.JobStats.RunDuration.Seconds())
			}
		}
	}()
	return nil
}

type queueDepth struct {
	pool *pgxpool.Pool
	desc *prometheus.Desc
}

func (q *queueDepth) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueDepth) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := q.pool.Query(ctx, `SELECT state::text, count(*) FROM river_job GROUP BY state`)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int64
		if rows.Scan(&state, &n) == nil {
			ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(n), state)
		}
	}
}
