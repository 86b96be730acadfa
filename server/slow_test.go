package server

import (
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"kefu/actors"
	"kefu/transport"
)

// TestSlowClientDropped: a customer that stops reading fills its bounded
// queue and is cut off; its agent and another conversation carry on.
func TestSlowClientDropped(t *testing.T) {
	limits := transport.DefaultLimits()
	limits.SendQueueBytes = 64 << 10 // eight of the 8 KB lines below
	// The stuck write gives up well within the test's wait once the queue
	// has closed the socket, yet not before eight lines have queued even
	// on a busy machine: a write that timed out first would close it
	// without 4008, uncounted (it did at 200 ms under load).
	limits.WriteWait = 2 * time.Second
	ts := startServer(t, Config{Sockets: limits, MetricsAddr: "127.0.0.1:0"})

	agent := onlineAgent(t, ts, "A")
	stuck := seat(t, ts, agent, "A", "Stuck") // never reads again
	agent2 := onlineAgent(t, ts, "A2")
	cust2 := seat(t, ts, agent2, "A2", "B2")

	// The agent talks in a closed loop (each line's echo before the next),
	// so only the stuck side backs up: first its TCP buffers, then its
	// queue. Enough bytes to fill both many times over.
	line := strings.Repeat("x", 8000)
	for i := 0; ; i++ {
		if i == 4000 {
			t.Fatal("stuck customer never dropped")
		}
		agent.say(line)
		if f := agent.next(); f.ShuiFaDe == system {
			if got, want := f.NeiRong, left("Stuck"); got != want {
				t.Fatalf("agent got %q, want %q", got, want)
			}
			break
		}
	}
	ts.waitStats(t, "stuck customer gone", func(s actors.Stats) bool { return s.Customers == 1 && s.FreeAgents == 1 })
	_ = stuck
	ts.waitMetrics(t, "the drop counted", func(m map[string]*dto.MetricFamily) bool {
		return is(m, 1, "kefu_slow_clients_dropped_total", "protocol", "compat")
	})

	// The other conversation never noticed.
	cust2.say("still fast")
	cust2.expect("B2", "still fast")
	agent2.expect("B2", "still fast")
}
