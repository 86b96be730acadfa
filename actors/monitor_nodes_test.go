package actors

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// TestMonitorSumsNodes: on a cluster each node's reporter sends its own
// running count, and the monitor's messages per second are the sum of the
// nodes' differences. A node's first sample is its baseline; a node that
// stops reporting is dropped after nodeSilentSamples samples, and one heard
// again after that starts from a new baseline.
func TestMonitorSumsNodes(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, DispatcherConfig{Now: clock.now})
	f.startMonitor(clock)
	f.waitSupervision("a first sample", func(s *Supervision) bool { return !s.Sampled.IsZero() })

	f.nodeSample("n1", 100) // baselines: what came before is not placed in time
	f.nodeSample("n2", 5)
	if got, want := f.supervision().Nodes, 2; got != want {
		t.Fatalf("nodes=%d, want %d", got, want)
	}
	f.nodeSample("n1", 160) // +60
	f.nodeSample("n2", 45)  // +40

	t.Run("Dropped", func(t *testing.T) {
		silence := (nodeSilentSamples + 1) * monitorSampleEvery
		clock.advance(silence)
		f.nodeSample("n1", 160) // n1 still reports; n2 is silent
		f.waitSupervision("n2 dropped", func(s *Supervision) bool { return s.Nodes == 1 })
		f.nodeSample("n2", 1045) // back: a new baseline, its 1000 not a spike
		if got, want := f.supervision().Nodes, 2; got != want {
			t.Fatalf("nodes=%d after n2 came back, want %d", got, want)
		}
		clock.advance(10*time.Second - silence)
	})

	t.Run("Summed", func(t *testing.T) {
		s := f.waitSupervision("the first point", func(s *Supervision) bool { return len(s.History) == 1 })
		if got, want := s.History[0].MessagesPerSecond, 10.0; got != want {
			t.Fatalf("messages/s=%v, want %v: 60 from n1 and 40 from n2 in 10s", got, want)
		}
	})
}

// TestMonitorTimeToAssignment: routing events sent to the monitor by
// address, as a dispatcher on another node sends them, count as arrivals
// and time to assignment; only a queueing pool's assignments are waits.
func TestMonitorTimeToAssignment(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, DispatcherConfig{Now: clock.now})
	f.startMonitor(clock)
	f.waitSupervision("a first sample", func(s *Supervision) bool { return !s.Sampled.IsZero() })

	monitor := f.dir.PID(KindMonitor, MonitorID)
	f.send(monitor, &RoutingEvent{Kind: RoutingQueued, Customer: "c1", Pool: PoolNative})
	f.send(monitor, &RoutingEvent{Kind: RoutingAssigned, Customer: "c1", Pool: PoolNative, Waited: 30 * time.Second})
	f.send(monitor, &RoutingEvent{Kind: RoutingAssigned, Customer: "t1", Pool: PoolCompat}) // compat customers never wait
	s := f.waitSupervision("c1 assigned", func(s *Supervision) bool { return s.Now.Assignments == 1 })
	if got, want := s.Now.Arrivals, 1; got != want {
		t.Fatalf("arrivals=%d, want %d", got, want)
	}
	if tta := s.Now.TimeToAssignment; tta.Count != 1 || !near(tta.P50, 30*time.Second) {
		t.Fatalf("time to assignment=%+v, want c1's 30s", tta)
	}
}

// TestDispatcherSendsMonitor: the dispatcher sends the monitor's address
// the routing events it counts, so a monitor on another node, out of reach
// of this node's event stream, still sees every arrival and wait.
func TestDispatcherSendsMonitor(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	got := make(chan any, 64)
	if _, err := f.dir.Spawn(KindMonitor, MonitorID, actor.PropsFromProducer(func() actor.Actor { return &probeActor{got: got} })); err != nil {
		t.Fatal(err)
	}
	c, _ := f.customer("c1")
	f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
	agent, _ := f.agent("Ann", 1)

	want := []RoutingKind{RoutingQueued, RoutingAssigned}
	for _, kind := range want {
		select {
		case m := <-got:
			ev, ok := m.(*RoutingEvent)
			if !ok || ev.Kind != kind || ev.Customer != c.ID {
				t.Fatalf("the monitor got %#v, want c1's %s", m, kind)
			}
			if kind == RoutingAssigned && ev.Agent != agent.ID {
				t.Fatalf("assigned to %q, want %q", ev.Agent, agent.ID)
			}
		case <-time.After(testWait):
			t.Fatalf("the monitor got no %s event", kind)
		}
	}
}
