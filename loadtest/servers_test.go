package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"kefu/server"
)

// TestRunSeveralServers drives two servers at once, as `kefu loadtest`
// drives a cluster's nodes. They are two independent single nodes, each
// with its own store (two nodes on one SQLite store is not a cluster), so
// a conversation pairs a customer and an agent of the same server: the
// round-robin spreading gives each server half the agents and half the
// customers, and every customer must still be assigned and every message
// check out. The report's per-node table comes from each server's /metrics
// and, with a pid per server, from /proc.
func TestRunSeveralServers(t *testing.T) {
	metricsOnMain := func(c *server.Config) { c.MetricsOnMain = true }
	servers := []*testServer{startServer(t, metricsOnMain), startServer(t, metricsOnMain)}
	var bases []string
	for _, ts := range servers {
		bases = append(bases, "http://"+ts.Addr())
	}
	const agents, customers = 20, 50
	pid := strconv.Itoa(os.Getpid()) // both servers run in this process
	path := filepath.Join(t.TempDir(), "result.json")
	var stdout, stderr bytes.Buffer
	err := Command(context.Background(), []string{
		"-server", strings.Join(bases, ","), "-server-pid", pid + "," + pid,
		"-admin", testAdmin, "-admin-password", testAdminPwd,
		"-agents", strconv.Itoa(agents), "-capacity", "5", "-customers", strconv.Itoa(customers),
		"-message-every", "100ms", "-duration", "3s", "-json", path, "-quiet",
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("Command: %v\n%s\n%s", err, stderr.String(), stdout.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	checkDelivered(t, &res, nil)
	if got, want := res.Counts.Assigned, int64(customers); got != want {
		t.Errorf("assigned=%d, want %d: each server's customers find its agents", got, want)
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors=%v, want none", res.Errors)
	}
	if got, want := len(res.Nodes), len(servers); got != want {
		t.Fatalf("%d nodes in the report, want %d", got, want)
	}
	for i, n := range res.Nodes {
		if got, want := n.Server, bases[i]; got != want {
			t.Errorf("node %d is %s, want %s", i, got, want)
		}
		if n.Metrics == nil {
			t.Fatalf("node %d: no /metrics figures", i)
		}
		// Half the agents and half the customers: never more. The peak is
		// sampled once a second, and on a loaded machine a 3 s window can
		// miss every sample of a node (seen: 0), so it is no proof of the
		// spread; the messages each node received below are.
		if got, most := n.Metrics.PeakConnections, int64((agents+customers)/len(servers)); got > most {
			t.Errorf("node %d: %d sockets at the peak, want at most its share %d", i, got, most)
		}
		if n.Metrics.MessagesReceived == 0 || n.Metrics.MessagesDelivered == 0 {
			t.Errorf("node %d: metrics %+v, want messages received and delivered", i, *n.Metrics)
		}
		if n.Usage == nil || n.Usage.CPUSeconds <= 0 {
			t.Errorf("node %d: usage %+v, want its CPU from /proc", i, n.Usage)
		}
	}
	// Each server itself says it carried messages, whatever the report
	// made of its figures.
	for i, ts := range servers {
		m, err := newServerMetrics("http://" + ts.Addr()).read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if m.Received == 0 {
			t.Errorf("server %d received no message", i)
		}
	}
	if !strings.Contains(stdout.String(), "nodes (2 servers") {
		t.Errorf("the table on stdout has no per-node table:\n%s", stdout.String())
	}
}

func TestParseServers(t *testing.T) {
	admin := []string{"-admin", "a", "-admin-password", "p"}
	t.Run("OK", func(t *testing.T) {
		cfg, err := parseArgs(append(admin, "-server", "http://a:1, http://b:2/", "-server-pid", "7,8"), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(cfg.servers(), " "), "http://a:1 http://b:2"; got != want {
			t.Errorf("servers=%q, want %q", got, want)
		}
		if got, want := cfg.pids(), []int{7, 8}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("pids=%v, want %v", got, want)
		}
	})
	t.Run("ErrPIDCount", func(t *testing.T) {
		_, err := parseArgs(append(admin, "-server", "http://a:1,http://b:2", "-server-pid", "7"), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "one per server") {
			t.Errorf("err=%v, want one pid per server asked for", err)
		}
	})
	t.Run("ErrBadPID", func(t *testing.T) {
		_, err := parseArgs(append(admin, "-server-pid", "7,x"), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "process id") {
			t.Errorf("err=%v, want the pid list refused", err)
		}
	})
	t.Run("ErrBadServer", func(t *testing.T) {
		_, err := parseArgs(append(admin, "-server", "http://a:1,b:2"), io.Discard)
		if err == nil || !strings.Contains(err.Error(), `"b:2"`) {
			t.Errorf("err=%v, want the second URL named", err)
		}
	})
	t.Run("ErrCompatSeveral", func(t *testing.T) {
		_, err := parseArgs([]string{"-protocol", "compat", "-server", "http://a:1,http://b:2"}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "native") {
			t.Errorf("err=%v, want several servers refused on the compat protocol", err)
		}
	})
}

func TestNodeTable(t *testing.T) {
	r := &Result{
		Server_: &ServerUsage{PeakRSSMiB: 300, CPUSeconds: 12.5},
		Nodes: []NodeUsage{
			{Server: "http://a:1", PID: 7, Usage: &ServerUsage{PeakRSSMiB: 160, CPUSeconds: 5},
				Metrics: &NodeMetrics{PeakConnections: 35, MessagesReceived: 1000, MessagesDelivered: 2000}},
			{Server: "http://b:2", PID: 8, Usage: &ServerUsage{PeakRSSMiB: 150, CPUSeconds: 7.5},
				Metrics: &NodeMetrics{PeakConnections: 30, MessagesReceived: 500, MessagesDelivered: 1000}},
		},
	}
	var b bytes.Buffer
	WriteTable(&b, r)
	out := b.String()
	for _, want := range []string{"nodes (2 servers", "http://a:1", "http://b:2"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the table:\n%s", want, out)
		}
	}
	// The total: the peak of the sum (not 310), the CPU summed, the
	// sockets and messages summed.
	var total string
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "total" {
			total = strings.Join(f, " ")
		}
	}
	if got, want := total, "total 300.0 12.5 65 1,500 3,000"; got != want {
		t.Errorf("total row %q, want %q\n%s", got, want, out)
	}
}
