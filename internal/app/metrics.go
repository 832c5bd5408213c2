package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// poolCollector exposes the pgx pool's figures at scrape time.
type poolCollector struct {
	db                                            *postgres.DB
	total, idle, acquired, max, acquires, waitSec *prometheus.Desc
}

func newPoolCollector(db *postgres.DB) *poolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("partnerdesk_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{
		db:       db,
		total:    d("connections", "Open connections in the pool."),
		idle:     d("idle_connections", "Idle connections in the pool."),
		acquired: d("acquired_connections", "Connections in use."),
		max:      d("max_connections", "Pool size limit."),
		acquires: d("acquires_total", "Connections handed out since start."),
		waitSec:  d("acquire_wait_seconds_total", "Time spent waiting for a connection."),
	}
}

func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.total, p.idle, p.acquired, p.max, p.acquires, p.waitSec} {
		ch <- d
	}
}

func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.db.Pool.Stat()
	ch <- prometheus.MustNewConstMetric(p.total, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(p.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(p.acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(p.max, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(p.acquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(p.waitSec, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
