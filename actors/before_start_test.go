package actors

import "testing"

// TestBeforeStart: what an activated actor is sent before its start
// message waits for it, and is handled right after it, in order (on a
// cluster another node's message can overtake the start).
func TestBeforeStart(t *testing.T) {
	f := newFixture(t, DispatcherConfig{})
	tab := f.probe()
	props, err := f.dir.kinds.Props(KindAgent)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := f.dir.Spawn(KindAgent, "ag_early.1", props)
	if err != nil {
		t.Fatal(err)
	}
	f.send(pid, &AttachConn{Conn: tab.id})
	f.send(pid, &AgentState{Status: StatusAway, Capacity: 1})
	f.send(pid, &StartAgent{Agent: Party{Role: RoleAgent, ID: "ag_early", Name: "Early"}})
	f.send(pid, &AgentState{Status: StatusAvailable, Capacity: 2})
	for _, want := range []AgentState{{Status: StatusAway, Capacity: 1}, {Status: StatusAvailable, Capacity: 2}} {
		if got := waitFor[*AgentState](t, tab, nil); *got != want {
			t.Fatalf("tab got %+v, want %+v", *got, want)
		}
	}
}
