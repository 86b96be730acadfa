package actors

import (
	"testing"
	"time"

	"kefu/internal/ids"
)

// poolsFixture has a native agent "Zoe" and a compat agent "Amy" online,
// each admitted by its own pool's dispatcher.
func poolsFixture(t *testing.T) (*fixture, Party, Party) {
	t.Helper()
	clock := newFakeClock()
	f := newFixture(t, DispatcherConfig{Now: clock.now, AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.startMonitor(clock)
	native, _ := f.agent("Zoe", 2)
	compat := Party{Role: RoleAgent, ID: ids.Compat + ids.New(), Name: "Amy"}
	conn := f.probe()
	compatPID := f.dir.PID(KindDispatcher, DispatcherID(PoolCompat))
	res, err := f.system.Root.RequestFuture(compatPID, &AgentConnect{Agent: compat, Conn: conn.id, Pool: PoolCompat}, testWait).Result()
	if _, ok := res.(*AgentAdmitted); err != nil || !ok {
		t.Fatalf("compat agent not admitted: %#v %v", res, err)
	}
	return f, native, compat
}

// TestPoolsSummed: each pool has its own dispatcher, and whoever asks for
// the node's routing state (readiness, metrics, the supervisor's view)
// sees both pools as one dispatcher showed them.
func TestPoolsSummed(t *testing.T) {
	f, native, compat := poolsFixture(t)
	t.Run("AskStats", func(t *testing.T) {
		s, err := AskStats(f.system.Root, f.dir, testWait)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := *s, (Stats{Agents: 2, AgentsOnline: 2, FreeAgents: 2}); got != want {
			t.Fatalf("stats=%+v, want %+v", got, want)
		}
	})
	t.Run("Supervision", func(t *testing.T) {
		s := f.waitSupervision("both agents", func(s *Supervision) bool { return len(s.Agents) == 2 })
		if got, want := s.Agents[0].ID+" "+s.Agents[1].ID, compat.ID+" "+native.ID; got != want {
			t.Fatalf("agents %s, want Amy then Zoe (%s)", got, want)
		}
		if got, want := s.Now.AgentsOnline, 2; got != want {
			t.Fatalf("agents online=%d, want %d", got, want)
		}
	})
}

// TestWrongPoolRefused: a dispatcher admits only its own pool's
// connections; another pool's is refused, not mixed into its state.
func TestWrongPoolRefused(t *testing.T) {
	f := newFixture(t, DispatcherConfig{})
	p := f.probe()
	a := Party{Role: RoleAgent, ID: ids.Compat + ids.New(), Name: "Stray"}
	if res, ok := f.ask(&AgentConnect{Agent: a, Conn: p.id, Pool: PoolCompat}).(*Refused); !ok || res.Reason != DisconnectInternal {
		t.Fatalf("compat agent at the native dispatcher: %#v, want refused (internal)", res)
	}
	if got := f.stats(); got.Agents != 0 {
		t.Fatalf("native dispatcher has %d agents, want 0", got.Agents)
	}
}

func TestStatsAdd(t *testing.T) {
	early, late := time.Unix(100, 0), time.Unix(200, 0)
	s := Stats{Agents: 1, Queued: 2, OldestQueued: late}
	s.Add(&Stats{Agents: 3, Serving: 1, OldestQueued: early})
	s.Add(&Stats{Customers: 4}) // nobody waits there: no oldest
	want := Stats{Agents: 4, Queued: 2, Serving: 1, Customers: 4, OldestQueued: early}
	if s != want {
		t.Fatalf("sum=%+v, want %+v", s, want)
	}
}
