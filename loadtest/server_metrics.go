package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// serverMetrics reads the server's /metrics (kefu's own, in the Prometheus
// text format) for what /proc cannot say: the goroutine count. A server
// without /metrics (the tutorial's Node.js one) is simply not sampled.
type serverMetrics struct {
	url    string
	client *http.Client
}

func newServerMetrics(base string) *serverMetrics {
	return &serverMetrics{url: base + "/metrics", client: &http.Client{Timeout: 2 * time.Second}}
}

// goroutines returns the server's go_goroutines gauge.
func (m *serverMetrics) goroutines(ctx context.Context) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", m.url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", m.url, err)
	}
	f := families["go_goroutines"]
	if f == nil || len(f.GetMetric()) == 0 {
		return 0, fmt.Errorf("GET %s: no go_goroutines", m.url)
	}
	return int64(f.GetMetric()[0].GetGauge().GetValue()), nil
}
