package webhook

import (
	"context"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/scope"
)

type metrics struct {
	received, verified, duplicates, deadLettered *prometheus.CounterVec
	rejected                                     *prometheus.CounterVec
	processed                                    *prometheus.CounterVec
	lag                                          prometheus.Histogram
	batches                                      prometheus.Histogram
}

func newMetricsUnregistered() *metrics {
	c := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "partnerdesk_webhooks_" + name, Help: help}, labels)
	}
	return &metrics{
		received:     c("received_total", "New webhook events stored, by type.", "type"),
		verified:     c("verified_total", "Deliveries whose signature verified, by type.", "type"),
		duplicates:   c("duplicates_total", "Deliveries of an event id already stored, by type.", "type"),
		deadLettered: c("dead_lettered_total", "Events that failed every attempt, by type.", "type"),
		rejected:     c("rejected_total", "Deliveries refused with 400, by reason.", "reason"),
		processed:    c("processed_total", "Processing attempts, by type and outcome.", "type", "outcome"),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "partnerdesk_webhooks_processing_lag_seconds",
			Help: "Time from receipt to successful processing.", Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}}),
		batches: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "partnerdesk_webhooks_batch_events",
			Help: "Events stored per ingest transaction (group commit).", Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}}),
	}
}

func newMetrics(reg prometheus.Registerer, store Store) (*metrics, error) {
	m := newMetricsUnregistered()
	depth := &depthCollector{store: store, desc: prometheus.NewDesc("partnerdesk_webhooks_events", "Stored webhook events by status (quarantined: rejected deliveries kept).", []string{"status"}, nil)}
	for _, c := range []prometheus.Collector{m.received, m.verified, m.duplicates, m.deadLettered, m.rejected, m.processed, m.lag, m.batches, depth} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// metricType bounds label cardinality: known families keep their type,
// anything else is "other".
func metricType(t string) string {
	for _, p := range []string{"partner.account.", "payment.dispute.", "settlement.report.", "payment.request."} {
		if strings.HasPrefix(t, p) && len(t) < 80 {
			return t
		}
	}
	return "other"
}

type depthCollector struct {
	store Store
	desc  *prometheus.Desc
}

func (d *depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc }

func (d *depthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := d.store.Counts(ctx, scope.All()) // a system reader: the whole inbox
	if err != nil {
		return
	}
	for st, n := range c.ByStatus {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(n), st)
	}
	ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(c.Quarantined), StatusQuarantined)
}
