package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"kefu/limit"
)

// offencesCollector publishes limit.Counters as kefu_limit_violations_total
// with a kind label. The counters are already counted where the limits are
// enforced; reading them at scrape time costs the hot path nothing more.
type offencesCollector struct {
	counters *limit.Counters
	desc     *prometheus.Desc
}

// RegisterOffences publishes the offence counters c on m's registry.
func (m *Metrics) RegisterOffences(c *limit.Counters) {
	if m == nil || c == nil {
		return
	}
	m.reg.MustRegister(&offencesCollector{
		counters: c,
		desc: prometheus.NewDesc("kefu_limit_violations_total",
			"Abuse limits clients crossed, by kind (frame_rate, frame_flood, upgrade_rate, sockets_per_ip, api_rate, login_ip, login_name, text_length, capacity, bad_frame, reservations_per_ip, http_conns, conns, body_timeout, customers_per_ip, conv_starts).",
			[]string{"kind"}, nil),
	})
}

// Describe implements prometheus.Collector.
func (o *offencesCollector) Describe(ch chan<- *prometheus.Desc) { ch <- o.desc }

// Collect implements prometheus.Collector: every kind, zeros included, so
// a rate() over a kind that never happened is 0 rather than absent.
func (o *offencesCollector) Collect(ch chan<- prometheus.Metric) {
	for kind, n := range o.counters.Snapshot() {
		ch <- prometheus.MustNewConstMetric(o.desc, prometheus.CounterValue, float64(n), kind)
	}
}
