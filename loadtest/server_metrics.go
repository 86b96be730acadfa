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
	// What a message costs the server beyond its CPU (cost.go): Go's own
	// series, the live heap and GC CPU from its runtime/metrics.
	metricAllocBytes = "go_memstats_alloc_bytes_total"
	metricMallocs    = "go_memstats_mallocs_total"
	metricHeapLive   = "go_gc_heap_live_bytes"
	metricGCCPU      = "go_cpu_classes_gc_total_cpu_seconds_total"
)

// metricsReading is one reading of a server's /metrics.
type metricsReading struct {
	Goroutines  int64
	Connections int64   // open sockets, every role and protocol
	Received    int64   // messages received since the server started
	Delivered   int64   // messages delivered since the server started
	AllocBytes  int64   // bytes allocated since the server started
	Mallocs     int64   // objects allocated since the server started
	HeapLive    int64   // bytes the last GC found live (0: not served)
	GCCPU       float64 // CPU seconds spent in the GC since the server started
}

// add sums two servers' readings (a cluster counts as one server).
func (r metricsReading) add(o metricsReading) metricsReading {
	return metricsReading{
		Goroutines: r.Goroutines + o.Goroutines, Connections: r.Connections + o.Connections,
		Received: r.Received + o.Received, Delivered: r.Delivered + o.Delivered,
		AllocBytes: r.AllocBytes + o.AllocBytes, Mallocs: r.Mallocs + o.Mallocs,
		HeapLive: r.HeapLive + o.HeapLive, GCCPU: r.GCCPU + o.GCCPU,
	}
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
	r.Connections = int64(sumSeries(families[metricConnections]))
	r.Received = int64(sumSeries(families[metricReceived]))
	r.Delivered = int64(sumSeries(families[metricDelivered]))
	r.AllocBytes = int64(sumSeries(families[metricAllocBytes]))
	r.Mallocs = int64(sumSeries(families[metricMallocs]))
	r.HeapLive = int64(sumSeries(families[metricHeapLive]))
	r.GCCPU = sumSeries(families[metricGCCPU])
	return r, nil
}

// sumSeries adds up every series of a gauge or counter family.
func sumSeries(f *dto.MetricFamily) float64 {
	var sum float64
	for _, m := range f.GetMetric() {
		sum += m.GetGauge().GetValue() + m.GetCounter().GetValue()
	}
	return sum
}
