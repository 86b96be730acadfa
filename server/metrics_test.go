package server

import (
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads url's metrics, parsed as Prometheus does.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET %s: %s, %s", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return families
}

func (ts *testServer) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	if ts.MetricsAddr() == "" {
		t.Fatal("this test server has no metrics listener: set Config.MetricsAddr")
	}
	return scrape(t, "http://"+ts.MetricsAddr()+"/metrics")
}

// sample finds the series of name whose labels include want (pairs of
// name and value), or nil.
func sample(families map[string]*dto.MetricFamily, name string, want ...string) *dto.Metric {
	f := families[name]
	if f == nil {
		return nil
	}
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(want); i += 2 {
			match = match && labels[want[i]] == want[i+1]
		}
		if match {
			return m
		}
	}
	return nil
}

// value is the series' value: a counter's or gauge's, or a histogram's count.
func value(t *testing.T, families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	m := sample(families, name, labels...)
	switch {
	case m == nil:
		t.Fatalf("no %s%v in the scrape", name, labels)
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Histogram != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	t.Fatalf("%s%v has no value", name, labels)
	return 0
}

// TestMetricsListener: /metrics is on the metrics listener, with the Go
// runtime's and the process's metrics the load harness reads, and on the
// main listener, which customers reach, only when asked for.
func TestMetricsListener(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ts := startServer(t, Config{MetricsAddr: "127.0.0.1:0"})
		families := ts.scrape(t)
		for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "kefu_queue_length"} {
			if families[name] == nil {
				t.Errorf("/metrics lacks %s", name)
			}
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			if got, want := getStatus(t, "http://"+ts.MetricsAddr()+path), http.StatusOK; got != want {
				t.Errorf("metrics listener %s status=%d, want %d", path, got, want)
			}
		}
		if got, want := getStatus(t, "http://"+ts.Addr()+"/metrics"), http.StatusNotFound; got != want {
			t.Fatalf("main listener /metrics status=%d, want %d: customers must not see it", got, want)
		}
	})
	t.Run("OnMain", func(t *testing.T) {
		ts := startServer(t, Config{MetricsOnMain: true})
		if families := scrape(t, "http://"+ts.Addr()+"/metrics"); families["go_goroutines"] == nil {
			t.Fatal("main listener /metrics lacks go_goroutines")
		}
	})
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
