package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetrics: /metrics serves the Prometheus text format with the Go
// runtime's and the process's metrics, which the load harness's soak
// reads.
func TestMetrics(t *testing.T) {
	ts := startServer(t, Config{})
	resp, err := http.Get("http://" + ts.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %s, %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, name := range []string{"go_goroutines ", "process_resident_memory_bytes "} {
		if !strings.Contains(string(body), "\n"+name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}
