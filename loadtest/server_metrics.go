package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// serverMetrics reads a server's /metrics (kefu's own, in the Prometheus
// text format) for what /proc cannot say: the goroutine count, and, per
// node of a cluster, its sockets and messages. A server without /metrics
// (the tutorial's Node.js one) is simply not sampled.
type serverMetrics struct {
	url    string
	client *http.Client
}

func newServerMetrics(base string) *serverMetrics {
	return &serverMetrics{url: base + "/metrics", client: &http.Client{Timeout: 2 * time.Second}}
}

// The kefu series a reading sums, over every label.
const (
	metricConnections = "kefu_connections"
	metricReceived    = "kefu_messages_received_total"
	metricDelivered   = "kefu_messages_delivered_total"
)

// metricsReading is one reading of a server's /metrics.
type metricsReading struct {
	Goroutines  int64
	Connections int64 // open sockets, every role and protocol
	Received    int64 // messages received since the server started
	Delivered   int64 // messages delivered since the server started
}

// read reads the server's /metrics. go_goroutines must be there (it tells
// kefu's /metrics from a page that is not one); the kefu series count 0
// when absent.
func (m *serverMetrics) read(ctx context.Context) (metricsReading, error) {
	var r metricsReading
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url, nil)
	if err != nil {
		return r, err
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("GET %s: %s", m.url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return r, fmt.Errorf("GET %s: %w", m.url, err)
	}
	f := families["go_goroutines"]
	if f == nil || len(f.GetMetric()) == 0 {
		return r, fmt.Errorf("GET %s: no go_goroutines", m.url)
	}
	r.Goroutines = int64(f.GetMetric()[0].GetGauge().GetValue())
	r.Connections = sumSeries(families[metricConnections])
	r.Received = sumSeries(families[metricReceived])
	r.Delivered = sumSeries(families[metricDelivered])
	return r, nil
}

// sumSeries adds up every series of a gauge or counter family.
func sumSeries(f *dto.MetricFamily) int64 {
	var sum float64
	for _, m := range f.GetMetric() {
		sum += m.GetGauge().GetValue() + m.GetCounter().GetValue()
	}
	return int64(sum)
}
